"""SLA: the resolution trigger of automation rules firing, policies without a resolution
target, policies of several companies in one batch, the work orders of a policy."""

from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from .test_automation_common import AutomationCase

# Monday; the calendar of these tests works around the clock, so that the deadlines are
# plain sums of hours
MONDAY = datetime(2026, 3, 2, 9, 0)


@tagged("post_install", "-at_install")
class TestSlaResolution(AutomationCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.calendar = cls.env["resource.calendar"].create(
            {
                "name": "Around the clock",
                "tz": "UTC",
                "company_id": False,
                "attendance_ids": [Command.clear()]
                + [
                    Command.create(
                        {"name": f"Day {day}", "dayofweek": str(day), "hour_from": 0, "hour_to": 24}
                    )
                    for day in range(7)
                ],
            }
        )
        cls.policy = cls.env["field.sla.policy"].create(
            {
                "name": "Breakdown",
                "sequence": 5,
                "work_type_ids": [Command.set(cls.work_type.ids)],
                "resource_calendar_id": cls.calendar.id,
                "response_time": 2.0,
                "resolution_time": 8.0,
            }
        )
        cls.automation_cron = cls.env.ref("base_automation.ir_cron_data_base_automation_check")

    def _order_at(self, moment, **vals):
        with freeze_time(moment):
            order = self._work_order(**vals)
            order.flush_recordset()
        return order

    def _press(self, orders, moment, *buttons):
        with freeze_time(moment):
            for button in buttons:
                getattr(orders, button)()
            orders.flush_recordset()

    def _run_rules(self, moment):
        self._run_cron(self.automation_cron, moment, cursor_now=True)

    def test_resolution_rule_fires_for_unresolved_work_orders(self):
        """A rule on the resolution deadline fires once, just after the deadline, for the
        work orders under the SLA that are not reported complete: waiting or being worked
        on; not for the ones done in time, cancelled or without SLA."""
        with freeze_time(MONDAY - timedelta(hours=1)):
            self._rule("wo_sla_resolution", [self._task_action("Resolution overdue")])
        waiting = self._order_at(MONDAY)
        working = self._order_at(
            MONDAY, planned_date_start=self.start, technician_ids=self.technician.ids
        )
        done = self._order_at(
            MONDAY, planned_date_start=self.start, technician_ids=self.technician.ids
        )
        cancelled = self._order_at(MONDAY)
        no_sla = self._order_at(MONDAY, work_type_id=False)
        self.assertEqual(waiting.sla_resolution_deadline, MONDAY + timedelta(hours=8))
        self.assertFalse(no_sla.sla_resolution_deadline)
        self._press(working | done, MONDAY + timedelta(hours=1), "action_plan", "action_start")
        self._press(done, MONDAY + timedelta(hours=5), "action_done")
        self._press(cancelled, MONDAY + timedelta(hours=5), "action_cancel")
        orders = waiting | working | done | cancelled | no_sla
        # the response of "working" was in time: the response trigger is not the one firing
        self._run_rules(MONDAY + timedelta(hours=7, minutes=59))
        self.assertFalse(self._tasks(orders, "Resolution overdue"), "not before the deadline")
        self._run_rules(MONDAY + timedelta(hours=8, minutes=1))
        self.assertEqual(
            set(self._tasks(orders, "Resolution overdue").mapped("res_id")),
            {waiting.id, working.id},
        )
        self.assertEqual(len(self._tasks(waiting, "Resolution overdue")), 1)
        self.assertEqual(len(self._tasks(working, "Resolution overdue")), 1)
        self.assertEqual(self._tasks(working, "Resolution overdue").user_id, self.manager)
        self._run_rules(MONDAY + timedelta(hours=12))
        self.assertEqual(len(self._tasks(orders, "Resolution overdue")), 2, "once per work order")

    def test_resolution_rule_before_the_deadline(self):
        """With "1 hour before", the rule fires in the last hour before the deadline and
        the rule scheduler is woken up for that moment."""
        with freeze_time(MONDAY - timedelta(hours=1)):
            self._rule(
                "wo_sla_resolution",
                [self._task_action("Resolution due in an hour")],
                trg_date_range=1,
                trg_date_range_type="hour",
                trg_date_range_mode="before",
            )
        self.env["ir.cron.trigger"].search([("cron_id", "=", self.automation_cron.id)]).unlink()
        order = self._order_at(MONDAY)
        with freeze_time(MONDAY):
            self.env.cr.flush()  # the scheduler is triggered before commit
        self.assertIn(
            MONDAY + timedelta(hours=7, minutes=1),
            self.env["ir.cron.trigger"]
            .search([("cron_id", "=", self.automation_cron.id)])
            .mapped("call_at"),
        )
        self._run_rules(MONDAY + timedelta(hours=6, minutes=50))
        self.assertFalse(self._tasks(order, "Resolution due in an hour"))
        self._run_rules(MONDAY + timedelta(hours=7, minutes=1))
        self.assertEqual(len(self._tasks(order, "Resolution due in an hour")), 1)

    def test_policy_without_resolution_target(self):
        """A policy with a response target only gives no resolution deadline: the work
        order is on track once responded in time, met once done whenever that is."""
        self.policy.write({"resolution_time": 0.0, "at_risk_time": 1.0})
        order = self._order_at(MONDAY)
        self.assertEqual(order.sla_response_deadline, MONDAY + timedelta(hours=2))
        self.assertEqual(order.sla_response_risk_date, MONDAY + timedelta(hours=1))
        self.assertFalse(order.sla_resolution_deadline)
        self.assertFalse(order.sla_resolution_risk_date)
        self.order = order
        self.assertEqual(self._status(MONDAY + timedelta(minutes=30)), "on_track")
        self.assertEqual(self._status(MONDAY + timedelta(hours=1, minutes=30)), "at_risk")
        order.write({"planned_date_start": self.start, "technician_ids": self.technician.ids})
        self._press(order, MONDAY + timedelta(hours=1, minutes=45), "action_plan")
        self.assertEqual(self._status(MONDAY + timedelta(days=10)), "on_track")
        self._press(order, MONDAY + timedelta(days=10), "action_start", "action_done")
        self.assertFalse(order.sla_failed)
        self.assertAlmostEqual(order.sla_resolution_hours, 240.0, places=3)
        self.assertEqual(self._status(MONDAY + timedelta(days=11)), "met")

    def _status(self, moment):
        with freeze_time(moment):
            self.order.invalidate_recordset(["sla_status"])
            status = self.order.sla_status
            self.assertEqual(
                self.order.search([("id", "=", self.order.id), ("sla_status", "=", status)]),
                self.order,
                "the search agrees",
            )
        return status

    def test_policies_of_two_companies_in_one_batch(self):
        """Work orders of two companies created together each get their own company's
        policy, or the shared one."""
        company_b = self.env["res.company"].create({"name": "Koeltechniek NV"})
        self.env.user.company_ids += company_b
        customer_b = self.env["res.partner"].create(
            {"name": "Slagerij B", "company_id": company_b.id}
        )
        policy_b = self.env["field.sla.policy"].create(
            {
                "name": "Company B",
                "sequence": 1,
                "company_id": company_b.id,
                "resource_calendar_id": company_b.resource_calendar_id.id,
                "response_time": 1.0,
            }
        )
        shared = self.env["field.sla.policy"].create(
            {
                "name": "Shared",
                "sequence": 20,
                "company_id": False,
                "resource_calendar_id": self.calendar.id,
                "response_time": 24.0,
            }
        )
        orders = self.env["field.work.order"].create(
            [
                {"partner_id": self.customer.id, "work_type_id": False},
                {"partner_id": customer_b.id, "company_id": company_b.id},
                {"partner_id": self.customer.id, "work_type_id": self.work_type.id},
            ]
        )
        self.assertEqual(orders.mapped("sla_policy_id"), shared | policy_b | self.policy)
        self.assertEqual(orders[0].sla_policy_id, shared)
        self.assertEqual(orders[1].sla_policy_id, policy_b)
        self.assertEqual(orders[2].sla_policy_id, self.policy)

    def test_work_orders_of_a_policy(self):
        orders = self._order_at(MONDAY) | self._order_at(MONDAY)
        self._order_at(MONDAY, work_type_id=False)
        unused = self.policy.copy({"name": "Unused", "work_type_ids": [Command.clear()]})
        self.assertEqual((self.policy | unused).mapped("work_order_count"), [2, 0])
        action = self.policy.action_view_work_orders()
        self.assertEqual(action["res_model"], "field.work.order")
        self.assertEqual(self.env["field.work.order"].search(action["domain"]), orders)
        self.assertEqual(action["context"]["search_default_sla_policy_id"], self.policy.id)
