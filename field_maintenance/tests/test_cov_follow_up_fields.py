"""Follow-up work orders: the field rules of the action "Create a follow-up work order"
(field.follow.up.field) for each type of field, the values the editor refuses, and the
follow-ups of a work order."""

from datetime import date, datetime, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged

from .test_automation_common import AutomationCase

NOW = datetime(2026, 3, 2, 9, 0)


@tagged("post_install", "-at_install")
class TestFollowUpFields(AutomationCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.equipment = cls.env["field.equipment"].create(
            {"name": "Heat pump", "partner_id": cls.customer.id}
        )

    def _field(self, name):
        return self.env["ir.model.fields"]._get("field.work.order", name)

    def _rule_vals(self, name, operation="set", **vals):
        return Command.create({"field_id": self._field(name).id, "operation": operation, **vals})

    def _follow_up_rule(self, *rules):
        rule = self._rule(
            "wo_completed",
            [{"state": "fm_follow_up", "fm_follow_up_field_ids": list(rules)}],
        )
        return rule.action_server_ids

    def test_values_of_each_type_of_field(self):
        """Dates, times, numbers, texts and records set by the rules; cleared fields are
        empty; the lead technician follows the technicians the rules set."""
        action = self._follow_up_rule(
            self._rule_vals("maintenance_due_date", value="2026-04-01"),
            self._rule_vals("planned_date_start", value="2026-04-02 07:30:00"),
            self._rule_vals("planned_hours", value="3.5"),
            self._rule_vals("description", value="<p>Replace the pump</p>"),
            self._rule_vals("comment", value=""),
            self._rule_vals("technician_ids", resource_ref=f"res.users,{self.technician_2.id}"),
            self._rule_vals("equipment_ids", operation="clear"),
            self._rule_vals("internal_note", operation="clear"),
            self._rule_vals("is_adhoc", boolean_value=False),
        )
        self.assertFalse(action.warning)
        order = self._order_in_state(
            "in_progress",
            equipment_ids=[Command.set(self.equipment.ids)],
            comment="Noisy pump",
            internal_note="<p>Dog in the garden</p>",
            is_adhoc=True,
        )
        order.action_done()
        follow_up = order.follow_up_ids
        self.assertRecordValues(
            follow_up,
            [
                {
                    "maintenance_due_date": date(2026, 4, 1),
                    "planned_date_start": datetime(2026, 4, 2, 7, 30),
                    "planned_hours": 3.5,
                    "comment": False,
                    "is_adhoc": False,
                    "user_id": self.technician_2.id,
                }
            ],
        )
        self.assertIn("Replace the pump", str(follow_up.description))
        self.assertFalse(follow_up.internal_note)
        self.assertFalse(follow_up.equipment_ids)
        self.assertEqual(follow_up.technician_ids, self.technician_2)
        # the origin keeps its values
        self.assertEqual(order.equipment_ids, self.equipment)
        self.assertEqual(order.comment, "Noisy pump")

    def test_the_editor_refuses_values_that_do_not_fit(self):
        """The action says which value does not fit which field, and does not run until
        it is corrected."""
        action = self._follow_up_rule()
        action.fm_follow_up_field_ids = [
            self._rule_vals("planned_hours", value="three"),
            self._rule_vals("maintenance_due_date", value="next Monday"),
            self._rule_vals("planned_date_start", value=""),
            self._rule_vals("priority"),
            self._rule_vals("work_type_id", resource_ref=f"res.partner,{self.customer.id}"),
            self._rule_vals("user_id"),
            self._rule_vals("summary", value=""),
            self._rule_vals("site_partner_id", operation="clear"),
        ]
        warning = action.warning
        for expected in (
            "The value three is not valid for field Planned Hours.",
            "The value next Monday is not valid for field Maintenance Due On.",
            "The value  is not valid for field Planned Start.",
            "The value  is not valid for field Priority.",
            "The value  is not valid for field Work Type.",
            "The value  is not valid for field Lead Technician.",
        ):
            self.assertIn(expected, warning)
        self.assertEqual(warning.count("is not valid"), 6, "an empty text and a clear are fine")
        with freeze_time(NOW - timedelta(hours=2)):
            order = self._order_in_state("in_progress")
        # (assertRaises, not assertRaisesRegex: its savepoint undoes what the failed
        # completion wrote, as the rollback of the user's request does)
        with self.assertRaises(UserError) as refused:
            order.action_done()
        self.assertIn("configuration is incomplete", str(refused.exception))
        self.assertIn("The value three is not valid", str(refused.exception))
        self.assertEqual(order.state, "in_progress", "not completed")
        self.assertFalse(order.follow_up_ids)
        # corrected, the rule runs
        action.fm_follow_up_field_ids = [
            Command.clear(),
            self._rule_vals("planned_hours", value="3"),
        ]
        self.assertFalse(action.warning)
        with freeze_time(NOW):
            order.action_done()
        self.assertEqual(order.follow_up_ids.planned_hours, 3.0)

    def test_fields_a_rule_can_set(self):
        """Lines and checklist have their own options on the action: no field rule for
        them; the editor offers the records of a relational field's model."""
        action = self._follow_up_rule()
        Rule = self.env["field.follow.up.field"]
        with self.assertRaises(ValidationError):
            Rule.create(
                {
                    "action_id": action.id,
                    "field_id": self._field("line_ids").id,
                    "operation": "copy",
                }
            )
        work_type = Rule.create(
            {"action_id": action.id, "field_id": self._field("work_type_id").id}
        )
        summary = Rule.create({"action_id": action.id, "field_id": self._field("summary").id})
        self.assertEqual(work_type.relation_model_id.model, "field.work.type")
        self.assertFalse(summary.relation_model_id)
        self.assertEqual(work_type.field_type, "many2one")
        self.assertIn(("field.work.type", "Work Type"), Rule._selection_target_model())
        # the domain of the field offers no unsupported field
        offered = self.env["ir.model.fields"].search(Rule._fields["field_id"].domain)
        self.assertIn(self._field("summary"), offered)
        self.assertNotIn(self._field("line_ids"), offered)
        self.assertNotIn(self._field("origin_work_order_id"), offered)

    def test_follow_ups_of_a_work_order(self):
        """The follow-ups of a work order are counted and listed; a dispatcher creates one
        by hand from the list; a technician may not."""
        order = self._order_in_state("done")
        self.assertEqual(order.follow_up_count, 0)
        action = order.action_view_follow_ups()
        self.assertEqual(action["res_model"], "field.work.order")
        follow_up = (
            self.env["field.work.order"]
            .with_user(self.dispatcher)
            .with_context(**action["context"])
            .create({"partner_id": self.customer.id, "summary": "Replace the pump"})
        )
        self.assertEqual(follow_up.origin_work_order_id, order)
        self.assertEqual(self.env["field.work.order"].search(action["domain"]), follow_up)
        order.invalidate_recordset(["follow_up_count"])
        self.assertEqual(order.follow_up_count, 1)
        with self.assertRaises(AccessError):
            self.env["field.work.order"].with_user(self.technician).with_context(
                **action["context"]
            ).create({"partner_id": self.customer.id, "summary": "Mine", "is_adhoc": True})
