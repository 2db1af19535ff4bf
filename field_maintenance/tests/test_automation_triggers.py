"""Automation rules: each field-service trigger (preset) fills Odoo's own fields and fires
exactly on its event."""

from datetime import timedelta

from odoo import Command
from odoo.tests import Form, tagged

from .test_automation_common import AutomationCase


@tagged("post_install", "-at_install")
class TestAutomationTriggers(AutomationCase):
    """Each preset fills the native fields and fires exactly on its event."""

    def test_presets_fill_native_fields(self):
        Automation = self.env["base.automation"]
        state = self.env["ir.model.fields"]._get("field.work.order", "state")
        cases = {
            "wo_created": ("field.work.order", "on_create", [], False, False),
            "wo_planned_to_ready": (
                "field.work.order",
                "on_create_or_write",
                ["state"],
                "[('state', '=', 'planned')]",
                "[('state', '=', 'ready')]",
            ),
            "wo_completed": (
                "field.work.order",
                "on_create_or_write",
                ["state"],
                False,
                "[('state', '=', 'done')]",
            ),
            "wo_state_changed": ("field.work.order", "on_create_or_write", ["state"], False, False),
            "wo_dispatch_update": (
                "field.work.order",
                "on_create_or_write",
                ["planned_date_end", "planned_date_start", "technician_ids", "user_id"],
                False,
                False,
            ),
            "partner_created": ("res.partner", "on_create", [], False, False),
        }
        for fm_trigger, (model, trigger, watched, pre, post) in cases.items():
            with self.subTest(fm_trigger=fm_trigger):
                rule = Automation.create({"name": fm_trigger, "fm_trigger": fm_trigger})
                self.addCleanup(rule.unlink)
                self.assertEqual(rule.model_id.model, model)
                self.assertEqual(rule.trigger, trigger)
                self.assertEqual(sorted(rule.trigger_field_ids.mapped("name")), watched)
                self.assertEqual(rule.filter_pre_domain, pre)
                self.assertEqual(rule.filter_domain, post)
                self.assertEqual(rule.fm_trigger, fm_trigger)
        rule = Automation.create({"name": "SLA", "fm_trigger": "wo_sla_resolution"})
        self.addCleanup(rule.unlink)
        self.assertEqual(rule.trigger, "on_time")
        self.assertEqual(rule.trg_date_id.name, "sla_resolution_deadline")
        self.assertIn("sla_resolved_on", rule.filter_domain)
        # conditions given explicitly win over the preset's
        rule = Automation.create(
            {
                "name": "Urgent completed",
                "fm_trigger": "wo_completed",
                "filter_domain": "[('state', '=', 'done'), ('priority', '=', '2')]",
            }
        )
        self.addCleanup(rule.unlink)
        self.assertEqual(rule.filter_domain, "[('state', '=', 'done'), ('priority', '=', '2')]")
        self.assertEqual(rule.trigger_field_ids, state)
        # changing the native trigger by hand forgets the preset
        rule.trigger = "on_create"
        self.assertFalse(rule.fm_trigger)
        # and writing a preset fills the native fields again (RPC)
        rule.write({"fm_trigger": "wo_planned_to_ready"})
        self.assertEqual(rule.trigger, "on_create_or_write")
        self.assertEqual(rule.filter_pre_domain, "[('state', '=', 'planned')]")

    def test_preset_onchange_in_the_editor(self):
        form = Form(self.env["base.automation"])
        form.name = "Ready"
        form.fm_trigger = "wo_planned_to_ready"
        self.assertEqual(form.model_id.model, "field.work.order")
        self.assertEqual(form.trigger, "on_create_or_write")
        self.assertEqual(form.filter_domain, "[('state', '=', 'ready')]")
        self.assertEqual(form.filter_pre_domain, "[('state', '=', 'planned')]")
        self.assertEqual(form.trigger_field_ids[:].mapped("name"), ["state"])
        form.fm_trigger = "partner_created"
        self.assertEqual(form.model_id.model, "res.partner")
        self.assertEqual(form.trigger, "on_create")
        self.assertFalse(form.filter_domain)
        rule = form.save()
        self.addCleanup(rule.unlink)
        self.assertEqual(rule.fm_trigger, "partner_created")

    def test_work_order_created(self):
        self._rule("wo_created", [self._task_action("Created")])
        order = self._work_order()
        self.assertEqual(len(self._tasks(order, "Created")), 1)
        order.summary = "Changed"
        order.action_cancel()
        self.assertEqual(len(self._tasks(order, "Created")), 1)

    def test_planned_to_ready_is_exactly_that_transition(self):
        self._rule("wo_planned_to_ready", [self._task_action("Ready")])
        order = self._planned_work_order()
        self.assertFalse(self._tasks(order, "Ready"), "draft to planned is not the transition")
        order.action_ready()
        self.assertEqual(len(self._tasks(order, "Ready")), 1)
        order.action_start()
        self.assertEqual(len(self._tasks(order, "Ready")), 1)
        # created directly in ready: not a transition from planned
        direct = self._work_order(state="ready")
        self.assertFalse(self._tasks(direct, "Ready"))
        # back to ready from another state than planned: not it either
        started = self._order_in_state("in_progress")
        started.write({"state": "ready"})
        self.assertFalse(self._tasks(started, "Ready"))

    def test_reported_complete(self):
        self._rule("wo_completed", [self._task_action("Complete")])
        order = self._order_in_state("in_progress")
        self.assertFalse(self._tasks(order, "Complete"))
        order.with_user(self.technician).action_done()
        self.assertEqual(len(self._tasks(order, "Complete")), 1)
        order.comment = "Signed"
        self.assertEqual(len(self._tasks(order, "Complete")), 1)

    def test_any_status_change(self):
        self._rule("wo_state_changed", [self._task_action("Status")])
        order = self._work_order()
        self.assertFalse(self._tasks(order, "Status"), "creation is not a status change")
        order.summary = "Other summary"
        self.assertFalse(self._tasks(order, "Status"))
        order.write({"planned_date_start": self.start, "technician_ids": self.technician.ids})
        order.action_plan()
        order.action_ready()
        order.action_start()
        self.assertEqual(len(self._tasks(order, "Status")), 3)

    def test_dispatch_board_update(self):
        self._rule("wo_dispatch_update", [self._task_action("Dispatch")])
        # a work order created without planning is not on the board; one created with a
        # planned date and technicians is, once (not once per computed field)
        self.assertFalse(self._tasks(self._work_order(), "Dispatch"))
        order = self._planned_work_order()
        self.assertEqual(len(self._tasks(order, "Dispatch")), 1)
        self._tasks(order, "Dispatch").unlink()
        order.summary = "Not planning"
        order.comment = "Neither"
        self.assertFalse(self._tasks(order, "Dispatch"))
        order.planned_date_start = self.start + timedelta(days=1)
        self.assertEqual(len(self._tasks(order, "Dispatch")), 1)
        order.technician_ids = [Command.link(self.technician_2.id)]
        self.assertEqual(len(self._tasks(order, "Dispatch")), 2)

    def test_contact_added_and_updated(self):
        self._rule("partner_created", [self._task_action("New contact")])
        self._rule("partner_updated", [self._task_action("Contact changed")])
        partner = self.env["res.partner"].create({"name": "Garage Peeters"})
        self.assertEqual(len(self._tasks(partner, "New contact")), 1)
        self.assertFalse(self._tasks(partner, "Contact changed"))
        partner.phone = "+32 3 555 12 12"
        self.assertEqual(len(self._tasks(partner, "Contact changed")), 1)

    def test_conditions_any_of(self):
        """Native domain conditions combine with the preset (any of several)."""
        self._rule(
            "wo_created",
            [self._task_action("Urgent or ad-hoc")],
            filter_domain="['|', ('priority', 'in', ['2', '3']), ('is_adhoc', '=', True)]",
        )
        urgent = self._work_order(priority="3")
        adhoc = self._work_order(is_adhoc=True)
        normal = self._work_order()
        self.assertTrue(self._tasks(urgent, "Urgent or ad-hoc"))
        self.assertTrue(self._tasks(adhoc, "Urgent or ad-hoc"))
        self.assertFalse(self._tasks(normal, "Urgent or ad-hoc"))
