"""Safe completion (issue 15): "Report Complete" lists what is missing (open checks, no
hours, no materials, no or a typed signature) and refuses, per work type, what the work
type requires; each missing item leads to the place to fix it."""

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import PNG, FieldMaintenanceCase


@tagged("post_install", "-at_install")
class TestTechnicianCompletion(FieldMaintenanceCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.strict_type = cls.env["field.work.type"].create(
            {
                "name": "Gas safety check",
                "checklist_required": True,
                "hours_required": True,
                "signature_drawn_required": True,
                "checklist_template_ids": [
                    Command.create({"name": "Gas tightness", "sequence": 1}),
                    Command.create({"name": "Ventilation", "sequence": 2}),
                ],
            }
        )

    def _started(self, work_type):
        order = self._planned_work_order(work_type_id=work_type.id)
        order.with_user(self.technician).action_start()
        return order

    def _keys(self, order):
        return {key: blocking for key, _message, blocking in order._completion_problems()}

    def test_missing_items_shown_without_blocking(self):
        order = self._planned_work_order()
        order.action_start()  # by the office: no timer of a technician
        self.assertEqual(
            self._keys(order),
            {"checklist": False, "hours": False, "materials": False, "signature": False},
        )
        action = order.with_user(self.technician).action_report_complete()
        self.assertEqual(action["res_model"], "field.work.order.complete")
        wizard = self.env["field.work.order.complete"].browse(action["res_id"])
        self.assertFalse(wizard.blocked)
        self.assertEqual(len(wizard.line_ids), 4)
        self.assertIn("Burner cleaned", wizard.line_ids[0].message)
        wizard.with_user(self.technician).action_complete()
        self.assertEqual(order.state, "done")

    def test_nothing_missing_completes_at_once(self):
        order = self._started(self.work_type)  # the technician's timer runs
        tech = order.with_user(self.technician)
        tech.checklist_ids.action_result_ok()
        tech.write(
            {
                "line_ids": [Command.create({"product_id": self.material.id})],
                "signature": PNG,
                "signature_mode": "draw",
                "signed_by": "Jan Janssens",
            }
        )
        self.assertEqual(tech.action_report_complete(), True)
        self.assertEqual(order.state, "done")

    def test_work_type_requirements_block(self):
        order = self._planned_work_order(work_type_id=self.strict_type.id)
        order.action_start()
        tech = order.with_user(self.technician)
        self.assertEqual(
            self._keys(order),
            {"checklist": True, "hours": True, "materials": False, "signature": True},
        )
        wizard = self.env["field.work.order.complete"].browse(
            tech.action_report_complete()["res_id"]
        )
        self.assertTrue(wizard.blocked)
        with self.assertRaisesRegex(UserError, "checks still to do"):
            wizard.with_user(self.technician).action_complete()
        with self.assertRaisesRegex(UserError, "No hours recorded"):
            tech.action_done()
        self.assertEqual(order.state, "in_progress")
        # each item leads to its place
        fixes = {line.key: line.with_user(self.technician).action_fix() for line in wizard.line_ids}
        self.assertEqual(
            {key: action["views"][0][0] for key, action in fixes.items()},
            {
                key: self.env.ref(f"field_maintenance.field_work_order_view_form_fix_{key}").id
                for key in ("checklist", "hours", "materials", "signature")
            },
        )
        self.assertEqual({action["res_id"] for action in fixes.values()}, {order.id})
        # fixed one by one; a typed signature is refused
        tech.checklist_ids.action_result_ok()
        tech.action_timer_work()
        tech.write({"signature": PNG, "signature_mode": "auto", "signed_by": "Jan"})
        self.assertEqual(self._keys(order), {"materials": False, "signature": True})
        with self.assertRaisesRegex(UserError, "not drawn"):
            tech.action_done()
        tech.write({"signature": PNG, "signature_mode": "draw"})
        self.assertEqual(self._keys(order), {"materials": False})
        wizard = self.env["field.work.order.complete"].browse(
            tech.action_report_complete()["res_id"]
        )
        wizard.with_user(self.technician).action_complete()
        self.assertEqual(order.state, "done")
        self.assertFalse(order.time_ids.filtered("is_running"))

    def test_clearing_the_signature_clears_its_mode(self):
        order = self._started(self.work_type)
        tech = order.with_user(self.technician)
        tech.write({"signature": PNG, "signature_mode": "draw"})
        tech.write({"signature": False})
        self.assertFalse(order.signature_mode)

    def test_only_managers_set_the_requirements(self):
        with self.assertRaises(AccessError):
            self.strict_type.with_user(self.technician).checklist_required = False
        with self.assertRaises(AccessError):
            self.strict_type.with_user(self.dispatcher).hours_required = False
        self.strict_type.with_user(self.manager).hours_required = False
        self.assertFalse(self.strict_type.hours_required)

    def test_another_technician_cannot_complete(self):
        order = self._started(self.work_type)
        with self.assertRaises(AccessError):
            order.with_user(self.technician_2).action_report_complete()
        self.assertEqual(order.state, "in_progress")
