"""The example automation rules shipped with the module (data/base_automation_data.xml):
inactive on installation; switched on, each does what its name says."""

import io
import json
from datetime import datetime, timedelta
from unittest.mock import patch

import requests
from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged

from odoo.addons.field_maintenance.models import field_sync_endpoint_transport as transport
from odoo.addons.mail.tests.common import MockEmail

from .test_automation_common import AutomationCase

NOW = datetime(2026, 3, 2, 9, 0)
EXAMPLES = (
    "automation_mail_customer_on_completion",
    "automation_follow_up_failed_check",
    "automation_sla_escalation",
    "automation_sync_completed",
)


@tagged("post_install", "-at_install")
class TestExampleRules(AutomationCase, MockEmail):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.equipment = cls.env["field.equipment"].create(
            {"name": "Wall boiler", "partner_id": cls.customer.id, "site_partner_id": cls.site.id}
        )

    def _activate(self, name):
        rule = self.env.ref(f"field_maintenance.{name}")
        rule.active = True
        # the rules patch the model classes: switched off again before the rollback
        self.addCleanup(rule.write, {"active": False})
        return rule

    def _started(self, **vals):
        with freeze_time(NOW - timedelta(hours=2)):
            return self._order_in_state("in_progress", **vals)

    def _complete_as_technician(self, order, at=NOW):
        with self.mock_datetime_and_now(at):
            order.with_user(self.technician).action_done()
        self.env.invalidate_all()

    def test_examples_are_shipped_inactive(self):
        for name in EXAMPLES:
            rule = self.env.ref(f"field_maintenance.{name}")
            self.assertFalse(rule.active, name)
            self.assertEqual(rule.model_id.model, "field.work.order", name)
            self.assertEqual(len(rule.action_server_ids), 1, name)
        # a completed work order fires none of them
        order = self._started()
        order.checklist_ids[0].result = "fail"
        with self.mock_mail_gateway():
            self._complete_as_technician(order)
        self.assertFalse(order.follow_up_ids)
        self.assertFalse(self.env["field.scheduled.mail"].search([]))
        self.assertFalse(self.env["field.sync.message"].search([("res_id", "=", order.id)]))

    def test_mail_customer_on_completion(self):
        """The work-order report goes to the customer 15 minutes after the technician
        reports the work complete, with what the work order says then."""
        rule = self._activate("automation_mail_customer_on_completion")
        template = self.env.ref("field_maintenance.mail_template_work_order")
        order = self._started(site_partner_id=self.site.id)
        with self.mock_mail_gateway():
            self._complete_as_technician(order)
            self.assertFalse(self._new_mails, "not sent at once: a correction can still be made")
        scheduled = self.env["field.scheduled.mail"].search(
            [("action_id", "=", rule.action_server_ids.id)]
        )
        self.assertRecordValues(
            scheduled,
            [
                {
                    "template_id": template.id,
                    "res_ids": [order.id],
                    "scheduled_date": NOW + timedelta(minutes=15),
                    "user_id": self.technician.id,
                    "state": "pending",
                }
            ],
        )
        order.summary = "Yearly boiler service and new gasket"  # the last correction
        with self.mock_mail_gateway():
            self._run_cron(
                self.env.ref("field_maintenance.ir_cron_field_scheduled_mail"),
                at=NOW + timedelta(minutes=14),
                cursor_now=True,
            )
            self.assertFalse(self._new_mails, "not before its time")
            self._run_cron(
                self.env.ref("field_maintenance.ir_cron_field_scheduled_mail"),
                at=NOW + timedelta(minutes=16),
                cursor_now=True,
            )
            mail = self._new_mails.filtered(lambda m: m.res_id == order.id)
            self.assertEqual(len(mail), 1)
            self.assertEqual(mail.recipient_ids, self.customer)
            self.assertIn(order.name, mail.subject)
            self.assertIn("Please find attached the report of work order", mail.body_html)
            self.assertIn("new gasket", mail.body_html)
            self.assertEqual(len(mail.attachment_ids), 1, "the work-order report")
            self.assertIn(order.name, mail.attachment_ids.name)
        self.assertEqual(scheduled.state, "sent")

    def test_follow_up_on_failed_check(self):
        """A work order completed with a failed check gets a draft follow-up for the same
        customer, site and equipment, without technicians, marked as a follow-up; one
        without failed checks gets none."""
        self._activate("automation_follow_up_failed_check")
        failed = self._started(
            site_partner_id=self.site.id,
            equipment_ids=[Command.set(self.equipment.ids)],
            internal_note="<p>Key at the neighbours</p>",
        )
        passed = self._started(site_partner_id=self.site.id)
        failed.checklist_ids[0].result = "fail"
        failed.checklist_ids[1].result = "ok"
        passed.checklist_ids.result = "ok"
        self._complete_as_technician(failed | passed)
        follow_up = failed.follow_up_ids
        self.assertEqual(len(follow_up), 1)
        self.assertRecordValues(
            follow_up,
            [
                {
                    "state": "draft",
                    "origin_work_order_id": failed.id,
                    "summary": "Follow-up: failed check",
                    "priority": "1",
                    "partner_id": self.customer.id,
                    "site_partner_id": self.site.id,
                    "work_type_id": self.work_type.id,
                }
            ],
        )
        self.assertEqual(follow_up.equipment_ids, self.equipment)
        self.assertFalse(follow_up.technician_ids)
        self.assertFalse(follow_up.user_id)
        self.assertIn("Key at the neighbours", str(follow_up.internal_note))
        self.assertEqual(follow_up.checklist_ids.mapped("result"), ["todo", "todo"])
        self.assertFalse(passed.follow_up_ids)

    def test_sla_escalation_to_the_manager(self):
        """When the response deadline of a work order under an SLA passes while it is
        neither planned nor started, the manager chosen in the action gets an urgent
        task; a work order planned in time gets none."""
        admin = self.env.ref("base.user_admin")
        calendar = self.env["resource.calendar"].create(
            {"name": "Around the clock", "tz": "UTC", "attendance_ids": [Command.clear()]}
        )
        calendar.attendance_ids = [
            Command.create(
                {"name": f"Day {day}", "dayofweek": str(day), "hour_from": 0, "hour_to": 24}
            )
            for day in range(7)
        ]
        self.env["field.sla.policy"].create(
            {"name": "Breakdown", "resource_calendar_id": calendar.id, "response_time": 4.0}
        )
        with freeze_time(NOW - timedelta(hours=1)):
            rule = self._activate("automation_sla_escalation")
        self.assertEqual(rule.last_run, NOW - timedelta(hours=1), "starts from now")
        with freeze_time(NOW):
            waiting = self._work_order()
            in_time = self._work_order(summary="Planned in time")
            (waiting | in_time).flush_recordset()
        self.assertEqual(waiting.sla_response_deadline, NOW + timedelta(hours=4))
        with freeze_time(NOW + timedelta(hours=1)):
            in_time.write({"planned_date_start": self.start, "technician_ids": self.technician.ids})
            in_time.action_plan()
            in_time.flush_recordset()
        title = "SLA response deadline passed: plan this work order"
        cron = self.env.ref("base_automation.ir_cron_data_base_automation_check")
        self._run_cron(cron, NOW + timedelta(hours=3, minutes=59), cursor_now=True)
        self.assertFalse(self._tasks(waiting | in_time, title), "not before the deadline")
        self._run_cron(cron, NOW + timedelta(hours=4, minutes=1), cursor_now=True)
        task = self._tasks(waiting, title)
        self.assertRecordValues(
            task,
            [
                {
                    "user_id": admin.id,
                    "fm_priority": "2",
                    "date_deadline": (NOW + timedelta(hours=4)).date(),
                    "automated": True,
                }
            ],
        )
        self.assertFalse(self._tasks(in_time, title))
        self._run_cron(cron, NOW + timedelta(hours=6), cursor_now=True)
        self.assertEqual(len(self._tasks(waiting, title)), 1, "once")

    def test_sync_completed_work_orders(self):
        """Each completed work order is queued in the outbox of the endpoint chosen in the
        action, and sent to it by the outbox."""
        self.startPatcher(patch.object(transport, "resolve_host", return_value=["93.184.215.14"]))
        endpoint = self.env["field.sync.endpoint"].create(
            {"name": "F-gas register", "url": "https://register.example.com/api"}
        )
        # the endpoint first: a rule with an incomplete action cannot be switched on
        self.env.ref(
            "field_maintenance.automation_sync_completed"
        ).action_server_ids.fm_sync_endpoint_id = endpoint
        self._activate("automation_sync_completed")
        orders = self._started() | self._started()
        started = self._order_in_state("ready")
        self._complete_as_technician(orders)
        started.action_start()
        messages = self.env["field.sync.message"].search([("endpoint_id", "=", endpoint.id)])
        self.assertEqual(sorted(messages.mapped("res_id")), sorted(orders.ids))
        self.assertEqual(set(messages.mapped("event")), {"wo_completed"})
        self.assertEqual(set(messages.mapped("state")), {"pending"})
        for message in messages:
            payload = json.loads(message.payload)
            self.assertEqual(payload["data"]["state"], "done")
        sent = []

        def remote(session, request, **kwargs):
            sent.append(request)
            response = requests.Response()
            response.status_code = 200
            response.raw = io.BytesIO(b"{}")
            response.request = request
            return response

        self._run_cron(
            self.env.ref("field_maintenance.ir_cron_field_sync_send"), at=NOW, remote=remote
        )
        self.assertEqual(len(sent), 2)
        self.assertEqual(set(messages.mapped("state")), {"sent"})
