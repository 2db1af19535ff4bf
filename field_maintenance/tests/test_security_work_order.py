"""Security issue 12, findings 6 to 9 and 11 (work orders): each attack as the role would
make it through the ORM (what JSON-RPC calls), with a positive control beside it."""

from datetime import timedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .common import PNG, FieldMaintenanceCase


@tagged("post_install", "-at_install")
class TestSecurityWorkOrder(FieldMaintenanceCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.equipment = cls.env["field.equipment"].create(
            {"name": "Boiler", "partner_id": cls.customer.id, "serial_number": "B-1"}
        )
        cls.foreign_equipment = cls.env["field.equipment"].create(
            {"name": "Cold room", "partner_id": cls.other_customer.id, "serial_number": "C-9"}
        )
        cls.order = cls._planned_work_order(
            equipment_ids=[Command.set(cls.equipment.ids)],
            line_ids=[Command.create({"product_id": cls.material.id, "quantity": 1})],
        )
        cls.signed_order = cls._planned_work_order(work_type_id=cls.signed_type.id)

    def _as(self, user, records=None):
        return (records or self.order).with_user(user)

    # ------------------------------------------------------------------
    # 6. the status moves only through the action methods
    # ------------------------------------------------------------------

    def test_technician_cannot_write_the_status(self):
        for state in ("cancelled", "done", "in_progress", "draft"):
            with self.subTest(state=state), self.assertRaises(AccessError):
                self._as(self.technician).write({"state": state})
        self.assertEqual(self.order.state, "planned")
        # positive control: the buttons
        self._as(self.technician).action_start()
        self._as(self.technician).action_done()
        self.assertEqual(self.order.state, "done")
        self.assertTrue(self.order.date_end)

    def test_technician_cannot_complete_without_required_signature(self):
        order = self._as(self.technician, self.signed_order)
        order.action_start()
        with self.assertRaises(AccessError):
            order.write({"state": "done"})
        with self.assertRaises(UserError):
            order.action_done()
        self.assertEqual(self.signed_order.state, "in_progress")
        order.write({"signature": PNG, "signed_by": "Jan Janssens"})
        order.action_done()
        self.assertEqual(self.signed_order.state, "done")

    def test_technician_cannot_cancel(self):
        with self.assertRaises(AccessError):
            self._as(self.technician).action_cancel()
        with self.assertRaises(AccessError):
            self._as(self.technician).write({"state": "cancelled"})
        self.assertEqual(self.order.state, "planned")

    def test_dispatcher_status_write_goes_through_the_action(self):
        # the checks of action_done apply: no signature, no completion
        self.signed_order.action_start()
        with self.assertRaises(UserError):
            self._as(self.dispatcher, self.signed_order).write({"state": "done"})
        self.assertEqual(self.signed_order.state, "in_progress")
        # a draft without technician cannot be planned by writing the status either
        draft = self._work_order()
        with self.assertRaises(UserError):
            self._as(self.dispatcher, draft).write({"state": "planned"})
        self.assertEqual(draft.state, "draft")
        # positive control: an allowed transition, with its side effects
        self._as(self.dispatcher).write({"state": "cancelled"})
        self.assertEqual(self.order.state, "cancelled")
        self.assertFalse(self.order.calendar_event_ids)

    def test_create_is_a_draft_for_everyone(self):
        WorkOrder = self.env["field.work.order"]
        for user in (self.technician, self.dispatcher):
            with self.subTest(user=user.login):
                with self.assertRaises(AccessError):
                    WorkOrder.with_user(user).create(
                        {"partner_id": self.customer.id, "is_adhoc": True, "state": "done"}
                    )
                with self.assertRaises(AccessError):
                    WorkOrder.with_user(user).with_context(default_state="done").create(
                        {"partner_id": self.customer.id, "is_adhoc": True}
                    )
        self.assertFalse(
            WorkOrder.search([("partner_id", "=", self.customer.id), ("state", "=", "done")])
        )

    def test_technician_creates_only_adhoc_work_for_themself(self):
        WorkOrder = self.env["field.work.order"].with_user(self.technician)
        base = {"partner_id": self.customer.id, "is_adhoc": True}
        attacks = {
            "another technician": {"technician_ids": [Command.set(self.technician_2.ids)]},
            "planned dates": {"planned_date_start": self.start},
            "not ad-hoc": {"is_adhoc": False},
            "a maintenance plan": {"maintenance_due_date": fields.Date.today()},
            "a reference": {"name": "WO/2020/00001"},
            "the start time": {"date_start": self.start},
        }
        count = WorkOrder.sudo().search_count([])
        for label, vals in attacks.items():
            with self.subTest(attack=label), self.assertRaises(AccessError):
                WorkOrder.create({**base, **vals})
        with self.assertRaises(AccessError):
            WorkOrder.with_context(default_technician_ids=[self.technician_2.id]).create(dict(base))
        self.assertEqual(WorkOrder.sudo().search_count([]), count)
        # positive control: ad-hoc work on site, with a line and the technician on it
        order = WorkOrder.create(
            {
                **base,
                "technician_ids": [Command.set(self.technician.ids)],
                "line_ids": [Command.create({"product_id": self.material.id, "quantity": 2})],
            }
        )
        order.action_start()
        self.assertEqual(order.state, "in_progress")
        self.assertEqual(order.line_ids.price_unit, 12.5, "the price of the price agreements")

    # ------------------------------------------------------------------
    # 7. customer, site and equipment
    # ------------------------------------------------------------------

    def test_technician_cannot_move_the_order_to_another_customer(self):
        for vals in (
            {"partner_id": self.other_customer.id},
            {"site_partner_id": self.site.id},
            {"equipment_ids": [Command.link(self.foreign_equipment.id)]},
            {"work_type_id": self.signed_type.id},
        ):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                self._as(self.technician).write(vals)
        self.assertEqual(self.order.partner_id, self.customer)
        self.assertEqual(self.order.equipment_ids, self.equipment)
        # positive control: the work itself
        self._as(self.technician).write({"comment": "Gasket replaced", "travel_distance": 12})
        self.assertEqual(self.order.comment, "Gasket replaced")

    def test_equipment_belongs_to_the_customer_and_site(self):
        with self.assertRaises(ValidationError):
            self._as(self.dispatcher).write(
                {"equipment_ids": [Command.link(self.foreign_equipment.id)]}
            )
        at_site = self.env["field.equipment"].create(
            {"name": "Oven", "partner_id": self.customer.id, "site_partner_id": self.site.id}
        )
        warehouse = self.env["res.partner"].create(
            {"name": "Warehouse", "type": "delivery", "parent_id": self.customer.id}
        )
        self._as(self.dispatcher).write({"site_partner_id": warehouse.id})
        with self.assertRaises(ValidationError):
            self._as(self.dispatcher).write({"equipment_ids": [Command.link(at_site.id)]})
        # nor through the equipment's side of the link
        with self.assertRaises(ValidationError):
            self.foreign_equipment.with_user(self.dispatcher).write(
                {"work_order_ids": [Command.link(self.order.id)]}
            )
        self.assertEqual(self.order.equipment_ids, self.equipment)
        # positive control: the order at the site where the oven stands
        self._as(self.dispatcher).write(
            {"site_partner_id": self.site.id, "equipment_ids": [Command.set(at_site.ids)]}
        )
        self.assertEqual(self.order.equipment_ids, at_site)

    def test_moved_order_loses_its_portal_link(self):
        token = self.order._portal_ensure_token()
        self._as(self.dispatcher).write({"summary": "Still the same customer"})
        self.assertEqual(self.order.access_token, token)
        self._as(self.dispatcher).write(
            {"partner_id": self.other_customer.id, "equipment_ids": [Command.clear()]}
        )
        self.assertFalse(self.order.access_token)
        self.assertNotEqual(self.order._portal_ensure_token(), token)

    def test_technician_changes_only_readings_of_their_equipment(self):
        equipment = self.equipment.with_user(self.technician)
        for vals in (
            {"partner_id": self.other_customer.id},
            {"site_partner_id": self.site.id},
            {"company_id": self.env.company.id},
            {"work_order_ids": [Command.clear()]},
            {"active": False},
        ):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                equipment.write(vals)
        # equipment of another technician's work orders, or of none
        with self.assertRaises(AccessError):
            self.foreign_equipment.with_user(self.technician).write({"note": "mine now"})
        self.assertEqual(self.equipment.partner_id, self.customer)
        self.assertFalse(self.foreign_equipment.note)
        # positive control: the serial number and a note of the boiler they service
        equipment.write({"serial_number": "B-1-2026", "note": "Pressure 1.5 bar"})
        self.assertEqual(self.equipment.serial_number, "B-1-2026")
        with self.assertRaises(AccessError):
            self.env["field.equipment"].with_user(self.technician).create(
                {"name": "New", "partner_id": self.customer.id}
            )

    # ------------------------------------------------------------------
    # 8. maintenance plans
    # ------------------------------------------------------------------

    def test_technician_cannot_link_a_maintenance_plan(self):
        plan = self.env["field.maintenance.plan"].create(
            {
                "name": "Yearly service",
                "partner_id": self.other_customer.id,
                "interval_number": 1,
                "interval_unit": "year",
                "next_date": fields.Date.today(),
            }
        )
        for vals in (
            {"maintenance_plan_id": plan.id},
            {"maintenance_due_date": fields.Date.today()},
        ):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                self._as(self.technician).write(vals)
        # nor a dispatcher a plan of another customer
        with self.assertRaises(ValidationError):
            self._as(self.dispatcher).write({"maintenance_plan_id": plan.id})
        self.assertFalse(self.order.maintenance_plan_id)
        # positive control: the dispatcher links the customer's own plan
        own = plan.copy({"partner_id": self.customer.id, "site_partner_id": self.customer.id})
        self._as(self.dispatcher).write({"maintenance_plan_id": own.id})
        self.assertEqual(self.order.maintenance_plan_id, own)

    # ------------------------------------------------------------------
    # 9. prices and lines
    # ------------------------------------------------------------------

    def test_technician_cannot_set_prices(self):
        order = self._as(self.technician)
        line = order.line_ids
        for vals in ({"price_unit": 0.01}, {"discount": 100}):
            with self.subTest(vals=vals):
                with self.assertRaises(AccessError):
                    line.write(vals)
                with self.assertRaises(AccessError):
                    order.write(
                        {"line_ids": [Command.create({"product_id": self.material.id, **vals})]}
                    )
        self.assertEqual(self.order.line_ids.price_unit, 12.5)
        self.assertEqual(len(self.order.line_ids), 1)
        # positive control: products and quantities, priced by the server
        order.write({"line_ids": [Command.create({"product_id": self.material.id, "quantity": 3})]})
        self.assertEqual(self.order.line_ids[-1].price_unit, 12.5)
        self.assertEqual(self.order.amount_untaxed, 50.0)
        # the dispatcher sets a price
        self.order.line_ids[-1].with_user(self.dispatcher).write(
            {"price_unit": 10.0, "discount": 10}
        )
        self.assertEqual(self.order.amount_untaxed, 12.5 + 27.0)

    def test_quantities_are_not_negative(self):
        for user in (self.technician, self.dispatcher):
            with self.subTest(user=user.login), self.assertRaises(ValidationError):
                self.order.line_ids.with_user(user).write({"quantity": -5})
        self.assertEqual(self.order.line_ids.quantity, 1)

    def test_lines_of_closed_orders_are_locked_for_technicians(self):
        self.order.action_start()
        self.order.action_done()
        order = self._as(self.technician)
        with self.assertRaises(UserError):
            order.line_ids.write({"quantity": 10})
        with self.assertRaises(UserError):
            order.line_ids.unlink()
        with self.assertRaises(UserError):
            self.env["field.work.order.line"].with_user(self.technician).create(
                {"work_order_id": self.order.id, "product_id": self.material.id}
            )
        with self.assertRaises(UserError):
            order.write({"comment": "changed afterwards"})
        self.assertEqual(self.order.line_ids.quantity, 1)
        # positive control: the dispatcher corrects a done work order
        self.order.line_ids.with_user(self.dispatcher).write({"quantity": 2})
        self.assertEqual(self.order.line_ids.quantity, 2)

    def test_technician_records_checks_but_does_not_edit_them(self):
        check = self._as(self.technician).checklist_ids[0]
        with self.assertRaises(AccessError):
            check.write({"name": "Nothing to check"})
        with self.assertRaises(AccessError):
            check.unlink()
        self.assertEqual(self.order.checklist_ids[0].name, "Burner cleaned")
        check.write({"result": "ok", "note": "clean"})
        self.assertEqual(self.order.checklist_ids[0].result, "ok")

    # ------------------------------------------------------------------
    # 11. bounds
    # ------------------------------------------------------------------

    def test_absurd_numbers_are_refused_clearly(self):
        for vals in (
            {"planned_hours": 10**12},
            {"planned_hours": -1},
            {"travel_distance": -3},
            {"travel_time": 10**7},
        ):
            with self.subTest(vals=vals), self.assertRaises(ValidationError):
                self._as(self.dispatcher).write(vals)
        with self.assertRaises(ValidationError):
            self._work_order(planned_date_start=self.start, planned_hours=10**12)
        self.assertEqual(self.order.planned_hours, 2.0)
        self._as(self.dispatcher).write({"planned_hours": 40})
        self.assertEqual(self.order.planned_date_end, self.start + timedelta(hours=40))

    # ------------------------------------------------------------------
    # the jobs still work end to end, as the users
    # ------------------------------------------------------------------

    def test_dispatcher_plans_and_technician_completes_the_day(self):
        self.work_type.signature_required = True
        WorkOrder = self.env["field.work.order"].with_user(self.dispatcher)
        order = WorkOrder.create(
            {
                "partner_id": self.customer.id,
                "site_partner_id": self.site.id,
                "summary": "Boiler makes noise",
                "work_type_id": self.work_type.id,
            }
        )
        order.write(
            {
                "planned_date_start": self.start,
                "technician_ids": [Command.set((self.technician | self.technician_2).ids)],
            }
        )
        order.action_plan()
        order.action_ready()
        self.assertEqual(order.calendar_event_ids.partner_ids, order.technician_ids.partner_id)

        job = order.with_user(self.technician)
        job.action_start()
        photo = (
            self.env["ir.attachment"]
            .with_user(self.technician)
            .create(
                {
                    "name": "boiler.png",
                    "datas": PNG,
                    "res_model": "field.work.order",
                    "res_id": order.id,
                }
            )
        )
        job.write(
            {
                "line_ids": [
                    Command.create({"product_id": self.material.id, "quantity": 2}),
                    Command.create({"line_type": "labour", "name": "Work", "quantity": 1.5}),
                ],
                "photo_ids": [Command.link(photo.id)],
                "comment": "Pump replaced",
                "travel_distance": 18,
            }
        )
        job.checklist_ids.write({"result": "ok"})
        with self.assertRaises(UserError):
            job.action_done()  # the work type asks for the customer's signature
        job.write({"signature": PNG, "signed_by": "Jan Janssens"})
        job.action_done()
        self.assertRecordValues(
            order,
            [
                {
                    "state": "done",
                    "labour_hours": 1.5,
                    "amount_untaxed": 25.0,
                    "signed_by": "Jan Janssens",
                    "travel_distance": 18,
                }
            ],
        )
        self.assertTrue(order.signed_on)
        self.assertEqual(order.photo_ids, photo)
        self.assertEqual(order.checklist_ids.mapped("result"), ["ok", "ok"])
