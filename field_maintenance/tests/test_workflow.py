import re
from datetime import timedelta

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import PNG, FieldMaintenanceCase


@tagged("post_install", "-at_install")
class TestWorkflow(FieldMaintenanceCase):
    def test_create_defaults(self):
        order = self._work_order()
        self.assertRegex(order.name, r"^WO/\d{4}/\d{5}$")
        self.assertEqual(order.state, "draft")
        self.assertEqual(order.site_partner_id, self.customer, "site defaults to the customer")
        self.assertEqual(order.planned_hours, 2.0, "planned hours come from the work type")
        self.assertEqual(
            order.checklist_ids.mapped("name"),
            ["Burner cleaned", "Flue gas measured"],
            "the work type's checklist is copied",
        )
        self.assertTrue(all(check.result == "todo" for check in order.checklist_ids))
        second = self._work_order()
        self.assertNotEqual(order.name, second.name)
        number = int(re.search(r"(\d+)$", order.name).group(1))
        self.assertEqual(int(re.search(r"(\d+)$", second.name).group(1)), number + 1)

    def test_planned_end_follows_start_and_hours(self):
        order = self._work_order(planned_date_start=self.start)
        self.assertEqual(order.planned_date_end, self.start + timedelta(hours=2))
        order.planned_hours = 3.5
        self.assertEqual(order.planned_date_end, self.start + timedelta(hours=3, minutes=30))
        order.planned_date_end = self.start + timedelta(hours=1)
        self.assertEqual(order.planned_hours, 1.0, "an explicit end defines the duration")
        with self.assertRaises(ValidationError), self.cr.savepoint():
            order.write({"planned_date_end": self.start - timedelta(hours=1), "planned_hours": 1})

    def test_lead_technician_is_a_technician(self):
        order = self._work_order(user_id=self.technician_2.id)
        self.assertIn(self.technician_2, order.technician_ids)
        order.technician_ids = [Command.set(self.technician.ids)]
        self.assertEqual(order.user_id, self.technician, "lead falls back to the first technician")
        order.user_id = self.technician_2
        self.assertEqual(order.technician_ids, self.technician | self.technician_2)

    def test_full_workflow(self):
        order = self._work_order(
            planned_date_start=self.start,
            technician_ids=[Command.set(self.technician.ids)],
        )
        order.action_plan()
        self.assertEqual(order.state, "planned")
        self.assertIn(self.technician.partner_id, order.message_partner_ids)
        order.action_ready()
        self.assertEqual(order.state, "ready")
        order.action_start()
        self.assertEqual(order.state, "in_progress")
        self.assertTrue(order.date_start)
        order.action_done()
        self.assertEqual(order.state, "done")
        self.assertTrue(order.date_end)
        self.assertGreaterEqual(order.date_end, order.date_start)

    def test_technicians_follow_planned_work_orders(self):
        draft = self._work_order(
            planned_date_start=self.start, technician_ids=[Command.set(self.technician.ids)]
        )
        planned = self._planned_work_order()
        self.assertIn(self.technician.partner_id, planned.message_partner_ids)
        self.assertNotIn(self.technician_2.partner_id, draft.message_partner_ids)
        (draft | planned).write({"technician_ids": [Command.link(self.technician_2.id)]})
        self.assertIn(
            self.technician_2.partner_id,
            planned.message_partner_ids,
            "a technician added to a planned work order follows it",
        )
        self.assertNotIn(
            self.technician_2.partner_id,
            draft.message_partner_ids,
            "draft work orders are followed once they are planned",
        )
        draft.action_plan()
        self.assertLessEqual(
            (self.technician | self.technician_2).partner_id, draft.message_partner_ids
        )

    def test_start_directly_from_planned(self):
        order = self._planned_work_order()
        order.action_start()
        self.assertEqual(order.state, "in_progress")

    def test_plan_requires_start_and_technician(self):
        no_start = self._work_order(technician_ids=[Command.set(self.technician.ids)])
        with self.assertRaisesRegex(UserError, re.escape(no_start.name) + ".*planned start"):
            no_start.action_plan()
        self.assertEqual(no_start.state, "draft")
        no_tech = self._work_order(planned_date_start=self.start)
        with self.assertRaisesRegex(UserError, re.escape(no_tech.name) + ".*technician"):
            no_tech.action_plan()
        self.assertEqual(no_tech.state, "draft")

    def test_refused_transitions(self):
        draft = self._work_order()
        planned = self._planned_work_order()
        done = self._planned_work_order()
        done.action_start()
        done.action_done()
        cancelled = self._work_order()
        cancelled.action_cancel()
        refused = [
            (draft, "action_ready"),
            (draft, "action_start"),
            (draft, "action_done"),
            (draft, "action_draft"),
            (planned, "action_plan"),
            (planned, "action_done"),
            (planned, "action_draft"),
            (done, "action_plan"),
            (done, "action_start"),
            (done, "action_done"),
            (done, "action_cancel"),
            (done, "action_draft"),
            (cancelled, "action_plan"),
            (cancelled, "action_start"),
            (cancelled, "action_done"),
            (cancelled, "action_cancel"),
        ]
        for order, method in refused:
            state = order.state
            with self.subTest(state=state, method=method):
                with self.assertRaisesRegex(UserError, re.escape(order.name)):
                    getattr(order, method)()
                self.assertEqual(order.state, state)

    def test_batch_transition_is_all_or_nothing(self):
        good = self._work_order(
            planned_date_start=self.start, technician_ids=[Command.set(self.technician.ids)]
        )
        bad = self._work_order()
        orders = good | bad
        with self.assertRaises(UserError) as caught:
            orders.action_plan()
        self.assertIn(bad.name, str(caught.exception))
        self.assertNotIn(good.name, str(caught.exception))
        self.assertEqual(orders.mapped("state"), ["draft", "draft"])
        bad.write(
            {"planned_date_start": self.start, "technician_ids": [Command.set(self.technician.ids)]}
        )
        orders.action_plan()
        self.assertEqual(orders.mapped("state"), ["planned", "planned"])

    def test_signature_required_to_complete(self):
        order = self._planned_work_order(work_type_id=self.signed_type.id)
        order.action_start()
        with self.assertRaisesRegex(UserError, re.escape(order.name) + ".*signature"):
            order.action_done()
        self.assertEqual(order.state, "in_progress")
        self.assertFalse(order.date_end)
        order.write({"signature": PNG, "signed_by": "Jan Janssens"})
        self.assertTrue(order.signed_on)
        order.action_done()
        self.assertEqual(order.state, "done")

    def test_cancel_and_reset(self):
        for state in ("draft", "planned", "ready", "in_progress"):
            order = self._order_in_state(state)
            with self.subTest(state=state):
                order.action_cancel()
                self.assertEqual(order.state, "cancelled")
                order.action_draft()
                self.assertEqual(order.state, "draft")
                self.assertFalse(order.date_start)

    def test_site_address_must_belong_to_customer(self):
        stranger = self.env["res.partner"].create({"name": "Somebody else"})
        with self.assertRaisesRegex(ValidationError, "not an address of customer"):
            self._work_order(site_partner_id=stranger.id)
        order = self._work_order(site_partner_id=self.site.id)
        self.assertEqual(order.site_partner_id, self.site)
        self.assertIn("Industrieweg 12", order.site_address)
        self.assertIn("Mariakerke", order.site_map_url.replace("+", " "))
        self.assertEqual(order.partner_phone, self.customer.phone, "falls back to the customer")

    def test_lines_and_totals(self):
        order = self._work_order(
            line_ids=[
                Command.create({"display_type": "line_section", "name": "Materials"}),
                Command.create({"product_id": self.material.id, "quantity": 2, "discount": 10}),
                Command.create(
                    {
                        "line_type": "labour",
                        "name": "Service",
                        "quantity": 1.5,
                        "price_unit": 60,
                    }
                ),
            ]
        )
        material_line = order.line_ids.filtered("product_id")
        self.assertEqual(material_line.price_unit, 12.5, "price comes from the product")
        self.assertEqual(material_line.name, "Gasket set")
        self.assertEqual(material_line.product_uom_id, self.material.uom_id)
        self.assertAlmostEqual(material_line.price_subtotal, 22.5)
        self.assertAlmostEqual(order.amount_untaxed, 22.5 + 90)
        self.assertAlmostEqual(order.labour_hours, 1.5)

    def test_started_work_order_cannot_be_deleted(self):
        order = self._planned_work_order()
        order.action_start()
        with self.assertRaisesRegex(UserError, re.escape(order.name)):
            order.unlink()
        draft = self._work_order()
        draft.unlink()
        self.assertFalse(draft.exists())

    def test_partner_smart_buttons(self):
        self._work_order()
        self._work_order(site_partner_id=self.site.id)
        self.env["field.equipment"].create({"name": "Boiler", "partner_id": self.customer.id})
        self.assertEqual(self.customer.fm_work_order_count, 2)
        self.assertEqual(self.site.fm_work_order_count, 2, "a contact counts for its company")
        self.assertEqual(self.customer.fm_equipment_count, 1)
        action = self.site.action_view_fm_work_orders()
        self.assertEqual(
            self.env["field.work.order"].search(action["domain"]),
            self.env["field.work.order"].search([("partner_id", "=", self.customer.id)]),
        )
