"""The internals of Odoo's rule engine that the field-service extension relies on (listed
in tools/automation_internals.py): these tests fail, naming what to check again, when
Odoo changes them."""

from unittest.mock import patch

from dateutil.relativedelta import relativedelta

from odoo import Command
from odoo.tests import tagged

from ..tools import automation_internals as internals
from .test_automation_common import AutomationCase


@tagged("post_install", "-at_install")
class TestAutomationInternals(AutomationCase):
    def _native_rule(self, trigger="on_write", code="record.write({'comment': 'ran'})"):
        """A rule of Odoo's own on work orders watching their summary: no preset, a
        "Python code" action."""
        summary = self.env["ir.model.fields"]._get("field.work.order", "summary")
        return self._rule(
            False,
            [{"state": "code", "code": code}],
            model_id=self.env["ir.model"]._get_id("field.work.order"),
            trigger=trigger,
            trigger_field_ids=[Command.set(summary.ids)],
        )

    def _orders(self, count=2):
        orders = self.env["field.work.order"].browse()
        for __ in range(count):
            orders |= self._work_order()
        self.env.flush_all()  # the stored fields computed after the creation
        return orders

    def test_odoo_code_relied_on_is_unchanged(self):
        changed = internals.changed_internals()
        self.assertFalse(
            changed,
            "Odoo changed code that the field-service rule engine relies on: check the items "
            "of the list in tools/automation_internals.py against it, adapt, then update its "
            "FINGERPRINTS. Changed: "
            + ", ".join(f"{name} (items {items})" for name, items in changed),
        )

    def test_trigger_constants(self):
        self.assertIn("on_time", internals.TIME_TRIGGERS)
        self.assertIn("on_write", internals.WRITE_TRIGGERS)
        self.assertIn("on_create_or_write", internals.WRITE_TRIGGERS)
        self.assertNotIn("on_create", internals.WRITE_TRIGGERS)
        self.assertEqual(internals.DATE_RANGE["minutes"], relativedelta(minutes=1))
        self.assertEqual(internals.DATE_RANGE["day"], relativedelta(days=1))

    def test_old_values_in_the_context_of_the_conditions_and_the_rule(self):
        rule = self._native_rule(trigger="on_create_or_write", code="pass")
        Automation = type(rule)
        seen = {"filter": [], "process": []}
        filter_post = Automation._filter_post_export_domain
        process = Automation._process

        def spy_filter(automation, records, feedback=False):
            if automation == rule:
                seen["filter"].append(internals.old_values(automation.env.context))
            return filter_post(automation, records, feedback=feedback)

        def spy_process(automation, records, domain_post=None):
            if automation == rule and records:
                seen["process"].append(internals.old_values(automation.env.context))
            return process(automation, records, domain_post=domain_post)

        with (
            patch.object(Automation, "_filter_post_export_domain", spy_filter),
            patch.object(Automation, "_process", spy_process),
        ):
            order = self._work_order(summary="Boiler")
            order.summary = "Heat pump"
        self.assertIn(None, seen["filter"], "a creation has no old values")
        self.assertIn(None, seen["process"])
        written = {order.id: {"summary": "Boiler"}}
        self.assertIn(written, seen["filter"], "the values before the write")
        self.assertIn(written, seen["process"])
        context = rule.with_context(old_values=written).env.context
        self.assertEqual(internals.changed_fields(context), {"summary"})

    def test_actions_run_record_by_record_in_the_context_of_the_rule(self):
        rule = self._native_rule()
        orders = self._orders()
        Action = type(self.env["ir.actions.server"])
        runs = []
        run = Action.run

        def spy_run(action):
            if action.base_automation_id == rule:
                context = action.env.context
                runs.append((context["active_ids"], context["active_id"], context.get("probe")))
            return run(action)

        with patch.object(Action, "run", spy_run):
            rule.with_context(probe="rule context")._process(orders)
        self.assertEqual(
            runs,
            [([order.id], order.id, "rule context") for order in orders],
        )
        self.assertEqual(orders.mapped("comment"), ["ran", "ran"])

    def test_bookkeeping_shared_by_the_caller(self):
        """Records marked done in the bookkeeping of the caller are left out by Odoo."""
        rule = self._native_rule()
        done_order, order = self._orders()
        rule = rule.with_context(**{internals.ACTION_DONE_KEY: {}})
        internals.mark_done(rule, done_order)
        rule._process(done_order | order)
        self.assertFalse(done_order.comment)
        self.assertEqual(order.comment, "ran")
        # the write wrapper gives the rules a bookkeeping their recomputations share
        actions = self.env["base.automation"]._get_actions(order, ["on_write"])
        self.assertEqual(actions.env.context.get(internals.ACTION_DONE_KEY), {})

    def test_model_patches(self):
        """Odoo wraps the recomputations of a model with an update rule, keeping the method
        in ``origin``; unregistering removes its patches and the module's."""
        WorkOrder = self.env.registry["field.work.order"]
        self._rule("wo_state_changed", [self._task_action("Status")])
        odoo_wrapper = WorkOrder.__dict__["_compute_field_value"].origin
        self.assertTrue(callable(getattr(odoo_wrapper, "origin", None)))
        self.assertIn("create", WorkOrder.__dict__)
        Automation = self.env["base.automation"]
        try:
            Automation._unregister_hook()
            self.assertNotIn("create", WorkOrder.__dict__)
            self.assertNotIn("_compute_field_value", WorkOrder.__dict__)
        finally:
            Automation._register_hook()
        self.assertIn("create", WorkOrder.__dict__)
