from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from .test_automation_common import AutomationCase

# 2026-03-06 is a Friday; calendar: Monday-Friday 8-12 and 13-17
FRIDAY = datetime(2026, 3, 6, 15, 0)


@tagged("post_install", "-at_install")
class TestSla(AutomationCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.calendar = cls._calendar("Office hours (UTC)", "UTC")
        cls.policy = cls.env["field.sla.policy"].create(
            {
                "name": "Breakdown",
                "sequence": 5,
                "work_type_ids": [Command.set(cls.work_type.ids)],
                "resource_calendar_id": cls.calendar.id,
                "response_time": 4.0,
                "resolution_time": 16.0,
                "at_risk_time": 2.0,
            }
        )
        cls.automation_cron = cls.env.ref("base_automation.ir_cron_data_base_automation_check")

    @classmethod
    def _calendar(cls, name, tz):
        return cls.env["resource.calendar"].create(
            {
                "name": name,
                "tz": tz,
                "attendance_ids": [Command.clear()]
                + [
                    Command.create(
                        {
                            "name": f"{day} {period}",
                            "dayofweek": str(day),
                            "hour_from": start,
                            "hour_to": end,
                            "day_period": period,
                        }
                    )
                    for day in range(5)
                    for start, end, period in ((8, 12, "morning"), (13, 17, "afternoon"))
                ],
            }
        )

    def _holiday(self, day, calendar=None):
        return self.env["resource.calendar.leaves"].create(
            {
                "name": "Public holiday",
                "calendar_id": (calendar or self.calendar).id,
                "resource_id": False,
                "date_from": datetime.combine(day, datetime.min.time()),
                "date_to": datetime.combine(day, datetime.max.time()).replace(microsecond=0),
            }
        )

    def _order_at(self, moment, **vals):
        with freeze_time(moment):
            order = self._work_order(**vals)
            order.flush_recordset()
        return order

    def _status_at(self, order, moment):
        """SLA status computed and searched at ``moment`` (both must agree)."""
        with freeze_time(moment):
            order.invalidate_recordset(["sla_status"])
            status = order.sla_status
            for value in ("on_track", "at_risk", "breached", "met", False):
                found = bool(
                    order.search_count([("id", "=", order.id), ("sla_status", "=", value)])
                )
                self.assertEqual(found, value == status, f"search {value} at {moment}")
        return status

    # ------------------------------------------------------------------
    # Policies and deadlines
    # ------------------------------------------------------------------

    def test_policy_matching(self):
        Policy = self.env["field.sla.policy"]
        vip = self.env["res.partner.category"].create({"name": "Maintenance contract"})
        emergency = Policy.create(
            {
                "name": "Emergency",
                "sequence": 1,
                "priority": "2",
                "resource_calendar_id": self.calendar.id,
                "response_time": 1.0,
            }
        )
        contract = Policy.create(
            {
                "name": "Contract customers",
                "sequence": 2,
                "partner_category_ids": [Command.set(vip.ids)],
                "resource_calendar_id": self.calendar.id,
                "response_time": 8.0,
            }
        )
        other_company = self.env["res.company"].create({"name": "Other company"})
        Policy.create(
            {
                "name": "Other company",
                "sequence": 0,
                "company_id": other_company.id,
                "resource_calendar_id": other_company.resource_calendar_id.id,
            }
        )
        self.assertEqual(self._work_order(priority="3").sla_policy_id, emergency)
        self.assertEqual(self._work_order().sla_policy_id, self.policy)
        self.assertFalse(self._work_order(work_type_id=False).sla_policy_id)
        self.customer.category_id = vip
        order = self._work_order(work_type_id=False, partner_id=self.site.id)
        self.assertEqual(order.sla_policy_id, contract, "tags of the customer's company count")
        # a change of priority of an open work order applies the matching policy
        order.priority = "2"
        self.assertEqual(order.sla_policy_id, emergency)
        order.write({"planned_date_start": self.start, "technician_ids": self.technician.ids})
        self._advance(order, "done")
        order.priority = "0"
        self.assertEqual(order.sla_policy_id, emergency, "closed work orders keep their SLA")

    def test_deadlines_in_working_hours_over_the_weekend(self):
        order = self._order_at(FRIDAY)
        # response 4h: Friday 15-17 (2h), Monday 8-10 (2h)
        self.assertEqual(order.sla_response_deadline, datetime(2026, 3, 9, 10, 0))
        # resolution 16h: Friday 2h, Monday 8h, Tuesday 8-12 (4h) and 13-15 (2h)
        self.assertEqual(order.sla_resolution_deadline, datetime(2026, 3, 10, 15, 0))
        # at risk 2 working hours before: Friday 17:00, and Tuesday 12:00 (the
        # lunch break is not working time)
        self.assertEqual(order.sla_response_risk_date, datetime(2026, 3, 6, 17, 0))
        self.assertEqual(order.sla_resolution_risk_date, datetime(2026, 3, 10, 12, 0))

    def test_deadlines_skip_public_holidays(self):
        self._holiday(datetime(2026, 3, 9).date())
        order = self._order_at(FRIDAY)
        self.assertEqual(order.sla_response_deadline, datetime(2026, 3, 10, 10, 0))
        self.assertEqual(order.sla_resolution_deadline, datetime(2026, 3, 11, 15, 0))

    def test_deadlines_in_the_calendar_timezone(self):
        brussels = self._calendar("Office hours (Brussels)", "Europe/Brussels")
        self.policy.resource_calendar_id = brussels
        # Friday 15:00 UTC is 16:00 in Brussels (UTC+1): 1h on Friday, 3h on Monday
        order = self._order_at(FRIDAY)
        self.assertEqual(order.sla_response_deadline, datetime(2026, 3, 9, 10, 0))

    def test_request_outside_working_hours(self):
        saturday = datetime(2026, 3, 7, 10, 0)
        order = self._order_at(saturday)
        self.assertEqual(order.sla_response_deadline, datetime(2026, 3, 9, 12, 0))
        # the SLA start is editable: a call received earlier counts from then
        order.sla_start_date = FRIDAY
        self.assertEqual(order.sla_response_deadline, datetime(2026, 3, 9, 10, 0))

    # ------------------------------------------------------------------
    # Response, resolution and status
    # ------------------------------------------------------------------

    def test_status_and_times_when_met(self):
        order = self._order_at(FRIDAY)
        self.assertEqual(self._status_at(order, FRIDAY + timedelta(hours=1)), "on_track")
        self.assertEqual(self._status_at(order, datetime(2026, 3, 6, 17, 30)), "at_risk")
        with freeze_time(datetime(2026, 3, 9, 9, 0)):
            order.write({"planned_date_start": self.start, "technician_ids": self.technician.ids})
            order.action_plan()
            order.flush_recordset()
        self.assertEqual(order.sla_responded_on, datetime(2026, 3, 9, 9, 0))
        self.assertEqual(order.sla_response_hours, 3.0)  # Friday 2h, Monday 1h
        self.assertEqual(self._status_at(order, datetime(2026, 3, 9, 9, 30)), "on_track")
        with freeze_time(datetime(2026, 3, 10, 8, 0)):
            order.action_start()
            order.flush_recordset()
        self.assertEqual(order.sla_responded_on, datetime(2026, 3, 9, 9, 0), "first response")
        self.assertEqual(self._status_at(order, datetime(2026, 3, 10, 13, 30)), "at_risk")
        with freeze_time(datetime(2026, 3, 10, 14, 0)):
            order.action_done()
            order.flush_recordset()
        self.assertEqual(order.sla_resolved_on, datetime(2026, 3, 10, 14, 0))
        self.assertEqual(order.sla_resolution_hours, 15.0)
        self.assertFalse(order.sla_failed)
        self.assertEqual(self._status_at(order, datetime(2026, 3, 20, 9, 0)), "met")

    def test_status_when_breached(self):
        order = self._order_at(FRIDAY)
        self.assertEqual(self._status_at(order, datetime(2026, 3, 9, 10, 30)), "breached")
        with freeze_time(datetime(2026, 3, 9, 11, 0)):
            order.write({"planned_date_start": self.start, "technician_ids": self.technician.ids})
            order.action_plan()
            order.flush_recordset()
        self.assertTrue(order.sla_failed, "responded after the deadline")
        self.assertEqual(self._status_at(order, datetime(2026, 3, 9, 11, 30)), "breached")
        late = self._order_at(FRIDAY)
        with freeze_time(datetime(2026, 3, 9, 9, 0)):
            late.write({"planned_date_start": self.start, "technician_ids": self.technician.ids})
            late.action_plan()
            late.action_start()
            late.flush_recordset()
        self.assertEqual(self._status_at(late, datetime(2026, 3, 10, 16, 0)), "breached")
        with freeze_time(datetime(2026, 3, 11, 9, 0)):
            late.action_done()
            late.flush_recordset()
        self.assertTrue(late.sla_failed)
        self.assertEqual(self._status_at(late, datetime(2026, 3, 20, 9, 0)), "breached")
        # no SLA for cancelled work orders or without policy
        with freeze_time(datetime(2026, 3, 11, 9, 0)):
            order.action_cancel()
            order.flush_recordset()
        self.assertFalse(self._status_at(order, datetime(2026, 3, 11, 10, 0)))
        self.assertFalse(self._status_at(self._work_order(work_type_id=False), FRIDAY))

    # ------------------------------------------------------------------
    # SLA triggers
    # ------------------------------------------------------------------

    def test_rule_scheduler_triggered_for_deadlines(self):
        with freeze_time(FRIDAY - timedelta(hours=1)):
            self._rule("wo_sla_response", [self._task_action("Respond now")])
            self._rule(
                "wo_sla_resolution",
                [self._task_action("Almost late")],
                trg_date_range=1,
                trg_date_range_type="hour",
                trg_date_range_mode="before",
            )
        triggers = self.env["ir.cron.trigger"].search([("cron_id", "=", self.automation_cron.id)])
        triggers.unlink()
        order = self._order_at(FRIDAY)
        with freeze_time(FRIDAY):
            self.env.cr.flush()  # the scheduler is triggered before commit
        moments = set(
            self.env["ir.cron.trigger"]
            .search([("cron_id", "=", self.automation_cron.id)])
            .mapped("call_at")
        )
        # response deadline, and one hour before the resolution deadline (next minute)
        self.assertIn(order.sla_response_deadline + timedelta(minutes=1), moments)
        self.assertIn(
            order.sla_resolution_deadline - timedelta(hours=1) + timedelta(minutes=1), moments
        )

    def test_sla_rules_fire_for_waiting_work_orders_only(self):
        with freeze_time(FRIDAY - timedelta(hours=1)):
            rule = self._rule("wo_sla_response", [self._task_action("Respond now")])
        self.assertEqual(rule.last_run, FRIDAY - timedelta(hours=1), "starts from now")
        waiting = self._order_at(FRIDAY)
        planned = self._order_at(FRIDAY)
        other = self._order_at(FRIDAY, work_type_id=False)
        with freeze_time(datetime(2026, 3, 9, 9, 0)):
            planned.write({"planned_date_start": self.start, "technician_ids": self.technician.ids})
            planned.action_plan()
            planned.flush_recordset()
        # before the deadline: nothing
        self._run_cron(self.automation_cron, datetime(2026, 3, 9, 9, 59), cursor_now=True)
        self.assertFalse(self._tasks(waiting | planned | other, "Respond now"))
        # just after the deadline: the waiting work order only, once
        self._run_cron(self.automation_cron, datetime(2026, 3, 9, 10, 1), cursor_now=True)
        self.assertEqual(len(self._tasks(waiting, "Respond now")), 1)
        self.assertFalse(self._tasks(planned | other, "Respond now"))
        self._run_cron(self.automation_cron, datetime(2026, 3, 9, 11, 0), cursor_now=True)
        self.assertEqual(len(self._tasks(waiting, "Respond now")), 1)
        # the next deadline still to come is scheduled after the run
        later = self._order_at(datetime(2026, 3, 9, 11, 0))
        triggers = self.env["ir.cron.trigger"].search([("cron_id", "=", self.automation_cron.id)])
        triggers.unlink()
        with freeze_time(datetime(2026, 3, 9, 11, 0)):
            self.env["base.automation"]._fm_sla_schedule_next()
        self.assertEqual(
            self.env["ir.cron.trigger"]
            .search([("cron_id", "=", self.automation_cron.id)])
            .mapped("call_at"),
            [later.sla_response_deadline + timedelta(minutes=1)],
        )

    def test_enabling_a_rule_does_not_fire_for_past_deadlines(self):
        past = self._order_at(FRIDAY)
        with freeze_time(datetime(2026, 3, 9, 12, 0)):
            rule = self._rule("wo_sla_response", [self._task_action("Respond now")])
            rule.active = False
        with freeze_time(datetime(2026, 3, 10, 8, 0)):
            rule.active = True
        self.assertEqual(rule.last_run, datetime(2026, 3, 10, 8, 0))
        self._run_cron(self.automation_cron, datetime(2026, 3, 10, 9, 0), cursor_now=True)
        self.assertFalse(self._tasks(past, "Respond now"))

    def test_failing_record_does_not_stop_the_others(self):
        with freeze_time(FRIDAY - timedelta(hours=1)):
            self._rule(
                "wo_sla_response",
                [
                    {
                        "state": "code",
                        "code": "if record.summary == 'boom':\n"
                        "    raise UserError('The remote office is closed')\n"
                        "record.write({'comment': 'escalated'})",
                    }
                ],
            )
        good = self._order_at(FRIDAY)
        bad = self._order_at(FRIDAY, summary="boom")
        with self.assertLogs(
            "odoo.addons.field_maintenance.models.base_automation", "ERROR"
        ) as logs:
            self._run_cron(self.automation_cron, datetime(2026, 3, 9, 10, 5), cursor_now=True)
        self.assertIn(bad.display_name, "\n".join(logs.output))
        self.assertEqual(good.comment, "escalated")
        self.assertFalse(bad.comment)
