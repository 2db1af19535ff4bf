from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import PNG, FieldMaintenanceCase


@tagged("post_install", "-at_install")
class TestAccess(FieldMaintenanceCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.own = cls._planned_work_order(
            line_ids=[Command.create({"product_id": cls.material.id, "quantity": 1})]
        )
        cls.foreign = cls._planned_work_order(
            technician_ids=[Command.set(cls.technician_2.ids)],
            line_ids=[Command.create({"product_id": cls.material.id, "quantity": 1})],
        )
        cls.unassigned = cls._work_order()

    def test_technician_sees_only_assigned_work_orders(self):
        WorkOrder = self.env["field.work.order"].with_user(self.technician)
        visible = WorkOrder.search([("id", "in", (self.own | self.foreign | self.unassigned).ids)])
        self.assertEqual(visible, self.own)
        with self.assertRaises(AccessError):
            self.foreign.with_user(self.technician).read(["name"])
        with self.assertRaises(AccessError):
            self.foreign.line_ids.with_user(self.technician).read(["name"])
        with self.assertRaises(AccessError):
            self.foreign.checklist_ids.with_user(self.technician).read(["name"])

    def test_technician_records_the_job(self):
        order = self.own.with_user(self.technician)
        order.write(
            {
                "line_ids": [
                    Command.create({"line_type": "travel", "name": "Travel", "quantity": 24})
                ],
                "comment": "Replaced the gasket",
                "signature": PNG,
                "signed_by": "Jan Janssens",
            }
        )
        order.checklist_ids[0].result = "ok"
        order.line_ids.filtered(lambda line: line.line_type == "material").quantity = 3
        order.action_start()
        order.action_done()
        self.assertEqual(self.own.state, "done")
        self.assertEqual(len(self.own.line_ids), 2)
        self.assertEqual(self.own.checklist_ids[0].result, "ok")

    def test_technician_cannot_plan_or_cancel(self):
        order = self.own.with_user(self.technician)
        with self.assertRaises(AccessError):
            order.write({"planned_date_start": self.start.replace(day=20)})
        with self.assertRaises(AccessError):
            order.write({"technician_ids": [Command.link(self.technician_2.id)]})
        with self.assertRaises(AccessError):
            order.action_cancel()
        with self.assertRaises(AccessError):
            order.unlink()
        self.assertEqual(self.own.state, "planned")
        self.assertEqual(self.own.planned_date_start, self.start)

    def test_technician_creates_adhoc_work_order(self):
        order = (
            self.env["field.work.order"]
            .with_user(self.technician)
            .create(
                {
                    "partner_id": self.customer.id,
                    "summary": "Customer asked to check the radiator",
                    "is_adhoc": True,
                }
            )
        )
        self.assertIn(order, self.env["field.work.order"].with_user(self.technician).search([]))
        order.action_start()
        self.assertEqual(order.state, "in_progress", "ad-hoc work is started on site")
        self.assertTrue(order.date_start)

    def test_technician_cannot_configure(self):
        with self.assertRaises(AccessError):
            self.env["field.work.type"].with_user(self.technician).create({"name": "Nope"})
        with self.assertRaises(AccessError):
            self.work_type.with_user(self.dispatcher).write({"name": "Renamed"})
        self.env["field.work.type"].with_user(self.manager).create({"name": "Leak search"})

    def test_dispatcher_manages_all_work_orders(self):
        WorkOrder = self.env["field.work.order"].with_user(self.dispatcher)
        orders = self.own | self.foreign | self.unassigned
        self.assertEqual(WorkOrder.search([("id", "in", orders.ids)]), orders)
        self.unassigned.with_user(self.dispatcher).write(
            {
                "planned_date_start": self.start,
                "technician_ids": [Command.set(self.technician.ids)],
            }
        )
        self.unassigned.with_user(self.dispatcher).action_plan()
        self.foreign.with_user(self.dispatcher).action_cancel()
        self.assertEqual(self.unassigned.state, "planned")
        self.assertEqual(self.foreign.state, "cancelled")
        equipment = (
            self.env["field.equipment"]
            .with_user(self.dispatcher)
            .create({"name": "Heat pump", "partner_id": self.customer.id})
        )
        self.assertEqual(equipment.site_partner_id, self.customer)

    def test_multi_company(self):
        company_b, dispatcher_b, customer_b = self._company_b()
        order_b = (
            self.env["field.work.order"]
            .with_company(company_b)
            .create({"partner_id": customer_b.id})
        )
        self.assertEqual(order_b.company_id, company_b)
        self.assertFalse(
            self.env["field.work.order"]
            .with_user(self.dispatcher)
            .search([("id", "=", order_b.id)])
        )
        with self.assertRaises(AccessError):
            order_b.with_user(self.dispatcher).read(["name"])
        self.assertEqual(
            self.env["field.work.order"]
            .with_user(dispatcher_b)
            .search([("id", "in", (order_b | self.own).ids)]),
            order_b,
        )

    def test_company_consistency_in_batches(self):
        """Work orders and lines created by the thousand (plans, rules) are checked per
        company at once; one inconsistent record still refuses the whole batch and the
        error names it."""
        company_b = self.env["res.company"].create({"name": "Koeltechniek NV"})
        customer_b = self.env["res.partner"].create(
            {"name": "Slagerij B", "company_id": company_b.id}
        )
        product_b = self.env["product.product"].create(
            {"name": "Compressor B", "company_id": company_b.id}
        )
        WorkOrder = self.env["field.work.order"]
        count = WorkOrder.search_count([])
        with self.assertRaises(UserError) as error:
            WorkOrder.create(
                [
                    {"partner_id": self.customer.id, "summary": "fine"},
                    {"partner_id": customer_b.id, "summary": "other company"},
                    {"partner_id": self.customer.id, "summary": "fine too"},
                ]
            )
        self.assertIn("Slagerij B", str(error.exception))
        with self.assertRaises(UserError) as error:
            WorkOrder.create(
                [
                    {
                        "partner_id": self.customer.id,
                        "line_ids": [
                            Command.create({"product_id": self.material.id}),
                            Command.create({"product_id": product_b.id}),
                        ],
                    },
                    {
                        "partner_id": self.customer.id,
                        "line_ids": [Command.create({"product_id": self.material.id})],
                    },
                ]
            )
        self.assertIn("Compressor B", str(error.exception))
        self.assertEqual(WorkOrder.search_count([]), count)
        # consistent batches pass
        orders = WorkOrder.create(
            [
                {
                    "partner_id": self.customer.id,
                    "line_ids": [Command.create({"product_id": self.material.id})],
                }
                for _index in range(3)
            ]
        )
        self.assertEqual(len(orders.line_ids), 3)
