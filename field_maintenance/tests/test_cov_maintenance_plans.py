"""Maintenance plans: the visits of a plan, cancelling from a visit or twice, intervals
that are not a unit of the calendar."""

from odoo.exceptions import UserError, ValidationError
from odoo.tests import freeze_time, tagged

from .test_maintenance_cron import MaintenanceCronCase
from .test_maintenance_plan import MaintenancePlanCase


@tagged("post_install", "-at_install")
class TestMaintenancePlanDetails(MaintenancePlanCase):
    def test_visits_of_a_plan(self):
        plan = self._plan()
        visit = self.env["field.work.order"].create({"maintenance_plan_id": plan.id})
        self._work_order()  # not a visit
        action = plan.action_view_work_orders()
        self.assertEqual(action["res_model"], "field.work.order")
        self.assertEqual(self.env["field.work.order"].search(action["domain"]), visit)
        self.assertFalse(action["context"]["create"], "visits are created by the plan")

    def test_cancel_from_selected_visits(self):
        """Cancelling from a list of visits cancels their plans; plans cancelled already
        are refused with their names."""
        plan = self._plan()
        other = self._plan(name="Heat pump maintenance")
        visits = self.env["field.work.order"].create(
            [{"maintenance_plan_id": plan.id}, {"maintenance_plan_id": other.id}]
        )
        Wizard = self.env["field.maintenance.plan.cancel"].with_user(self.dispatcher)
        wizard = Wizard.with_context(active_model="field.work.order", active_ids=visits.ids).create(
            {"reason": "Contract ended"}
        )
        self.assertEqual(wizard.plan_ids, plan | other)
        wizard.action_confirm()
        self.assertEqual((plan | other).mapped("state"), ["cancelled", "cancelled"])
        again = Wizard.with_context(
            active_model="field.maintenance.plan", active_ids=plan.ids
        ).create({"reason": "Twice"})
        with self.assertRaisesRegex(UserError, "already cancelled"):
            again.action_confirm()
        with self.assertRaisesRegex(
            UserError, "Maintenance plan Yearly boiler maintenance is already"
        ):
            plan._cancel("Twice")
        self.assertEqual(plan.cancel_reason, "Contract ended")

    def test_interval_in_units_of_the_calendar(self):
        plan = self._plan()
        with self.assertRaisesRegex(ValidationError, "counted in days, weeks, months or years"):
            plan.write({"interval_unit": "decade"})
        with self.assertRaisesRegex(ValidationError, "from 1 to 120 months"):
            plan.write({"interval_number": 121, "interval_unit": "month"})
        plan.write({"interval_number": 6, "interval_unit": "month"})
        self.assertEqual((plan.interval_number, plan.interval_unit), (6, "month"))

    def test_values_that_are_not_numbers(self):
        """Values that are not numbers are refused with the rule they break."""
        plan = self._plan()
        with self.assertRaisesRegex(ValidationError, "between 00:00 and 23:59"):
            plan.write({"visit_time": "noon"})
        with self.assertRaisesRegex(ValidationError, "from 1 to 31"):
            plan.write({"anchor_day": "first Monday"})
        with self.assertRaisesRegex(ValidationError, "from 1 to 10 years"):
            plan.write({"interval_number": "yearly"})
        plan.write({"visit_time": 9.5, "anchor_day": 15})
        self.assertEqual((plan.visit_time, plan.anchor_day), (9.5, 15))


@tagged("post_install", "-at_install")
class TestVisitNumbers(MaintenanceCronCase):
    def test_visits_numbered_by_any_kind_of_sequence(self):
        """The generated visits take the next numbers of the work-order sequence, whether
        it counts per year, without years, or without gaps (drawn one by one then)."""
        sequence = self.env.ref("field_maintenance.seq_field_work_order")
        for kind, vals in (
            ("standard without years", {"use_date_range": False, "prefix": "V-"}),
            ("no gap", {"implementation": "no_gap", "prefix": "N-"}),
        ):
            with self.subTest(kind=kind):
                sequence.write({**vals, "number_next": 41})
                plans = self._plan() | self._plan(name="Second")
                plans.auto_create_days = 14
                # these plans only (with demo data, the cron would number demo visits too)
                with freeze_time("2027-03-05 12:00:00"):
                    plans._generate_work_orders()
                self.assertEqual(
                    sorted(plans.work_order_ids.mapped("name")),
                    [f"{vals['prefix']}00041", f"{vals['prefix']}00042"],
                )
        with self.assertRaises(ValueError):
            sequence._fm_next_numbers(2)
