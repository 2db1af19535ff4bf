import io
import json
from datetime import datetime, timedelta
from http import HTTPStatus
from unittest.mock import patch
from urllib.parse import urlsplit

import requests
from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import RecordCapturer, tagged

from odoo.addons.field_maintenance.models import field_sync_endpoint_transport as transport
from odoo.addons.field_maintenance.models.field_sync_message import (
    FAILED,
    RETRY,
    RETRY_ENDPOINT,
    SENT,
    classify_status,
)

from .common import FieldMaintenanceCase

SECRET = "Bearer s3cret-t0ken"


class FakeRemote:
    """The remote systems, patched over ``requests.Session.send`` (the lowest level of
    requests, so nothing leaves the machine).

    ``answers`` maps a host name to an HTTP status, an exception to raise, or a list of those
    consumed in order (the last one repeats). Unknown hosts answer 200. Error answers echo the
    request headers, credentials included, as some debugging servers do. The body is streamed
    from ``response.raw``, as from a real connection.
    """

    def __init__(self, answers=None):
        self.answers = dict(answers or {})
        self.calls = []  # (prepared request, send kwargs, answer)

    def __call__(self, request, **kwargs):
        host = urlsplit(request.url).hostname
        answer = self.answers.get(host, 200)
        if isinstance(answer, list):
            answer = answer.pop(0) if len(answer) > 1 else answer[0]
        self.calls.append((request, kwargs, answer))
        if isinstance(answer, BaseException):
            raise answer
        response = requests.Response()
        response.status_code = answer
        response.reason = HTTPStatus(answer).phrase
        if answer < 300:
            response.raw = io.BytesIO(b'{"ok": true}')
        else:  # a talkative error page that echoes the request headers
            response.raw = io.BytesIO(
                json.dumps(
                    {"error": HTTPStatus(answer).phrase, "request_headers": dict(request.headers)}
                ).encode()
            )
        response.headers["Content-Type"] = "application/json"
        response.url = request.url
        response.request = request
        return response

    def requests_to(self, host):
        return [call for call in self.calls if urlsplit(call[0].url).hostname == host]

    def keys(self, host=None, delivered=False):
        return [
            request.headers["Idempotency-Key"]
            for request, _kwargs, answer in (self.requests_to(host) if host else self.calls)
            if not delivered or (isinstance(answer, int) and (200 <= answer < 300))
        ]

    @staticmethod
    def body(call):
        return json.loads(call[0].body)


@tagged("post_install", "-at_install")
class TestSync(FieldMaintenanceCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Message = cls.env["field.sync.message"]
        cls.cron = cls.env.ref("field_maintenance.ir_cron_field_sync_send")
        cls.endpoint = cls.env["field.sync.endpoint"].create(
            {
                "name": "Head-office ERP",
                "url": "https://erp.example.com/api/work-orders",
                "auth_header_name": "Authorization",
                "auth_header_value": SECRET,
            }
        )
        cls.endpoint_2 = cls.env["field.sync.endpoint"].create(
            {
                "name": "Customer portal",
                "url": "https://portal.example.com/hooks/fm",
                "auth_header_name": "X-Api-Key",
                "auth_header_value": "portal-key",
            }
        )
        cls.order = cls._order_in_state(
            "done",
            line_ids=[Command.create({"product_id": cls.material.id, "quantity": 2})],
        )
        cls.orders = cls.order | cls._order_in_state("in_progress") | cls._order_in_state("ready")
        cls.t0 = datetime(2026, 3, 2, 9, 0)

    def setUp(self):
        super().setUp()
        # the example hosts resolve to a public address (nothing leaves the machine:
        # requests.Session.send is patched as well)
        self.startPatcher(patch.object(transport, "resolve_host", return_value=["93.184.215.14"]))

    # ------------------------------------------------------------------
    # helpers
    # ------------------------------------------------------------------

    def _enqueue(self, records=None, endpoint=None, event="wo_completed", at=None):
        with freeze_time(at or self.t0):
            return self.Message._enqueue(
                records if records is not None else self.order,
                endpoint if endpoint is not None else self.endpoint,
                event=event,
            )

    def _capture_triggers(self):
        return RecordCapturer(self.env["ir.cron.trigger"].sudo(), [("cron_id", "=", self.cron.id)])

    # ------------------------------------------------------------------
    # queueing and payload
    # ------------------------------------------------------------------

    def test_enqueue_builds_payload_and_triggers_cron(self):
        with self._capture_triggers() as triggers:
            message = self._enqueue()
        self.assertEqual(len(triggers.records), 1, "queueing wakes the outbox cron")
        self.assertRecordValues(
            message,
            [
                {
                    "endpoint_id": self.endpoint.id,
                    "company_id": self.order.company_id.id,
                    "res_model": "field.work.order",
                    "res_id": self.order.id,
                    "record_name": self.order.display_name,
                    "event": "wo_completed",
                    "state": "pending",
                    "attempts": 0,
                    "next_try": self.t0,
                }
            ],
        )
        payload = json.loads(message.payload)
        self.assertEqual(payload["event"], "wo_completed")
        self.assertEqual(payload["model"], "field.work.order")
        self.assertEqual(payload["id"], self.order.id)
        self.assertEqual(payload["idempotency_key"], message.idempotency_key)
        data = payload["data"]
        self.assertEqual(data["name"], self.order.name)
        self.assertEqual(data["state"], "done")
        self.assertEqual(data["summary"], "Yearly boiler service")
        self.assertEqual(data["partner_id"]["id"], self.customer.id)
        self.assertEqual(data["partner_id"]["name"], "Bakkerij Janssens")
        self.assertEqual(data["partner_id"]["email"], "info@janssens.example.com")
        self.assertEqual(data["planned_date_start"], "2026-03-02T08:00:00Z")
        self.assertEqual([t["id"] for t in data["technician_ids"]], self.technician.ids)
        self.assertEqual(len(data["line_ids"]), 1)
        line = data["line_ids"][0]
        self.assertEqual(line["product_id"]["id"], self.material.id)
        self.assertEqual(line["quantity"], 2)
        self.assertEqual(line["line_type"], "material")
        self.assertEqual(
            [check["name"] for check in data["checklist_ids"]],
            ["Burner cleaned", "Flue gas measured"],
        )
        self.assertNotIn("s3cret", message.payload, "the credentials are never queued")

        # the payload is what was queued, whatever happens to the work order later
        queued = message.payload
        self.order.write({"summary": "Changed afterwards", "comment": "Later remark"})
        self.assertEqual(message.payload, queued)
        remote = FakeRemote()
        self._run_cron(self.cron, self.t0, remote)
        self.assertEqual(FakeRemote.body(remote.calls[0]), json.loads(queued))

    def test_enqueue_creates_all_messages_at_once(self):
        Message = self.registry["field.sync.message"]
        original_create = Message.create
        batches = []

        def create(records, vals_list):
            batches.append(len(vals_list))
            return original_create(records, vals_list)

        with self._capture_triggers() as triggers, patch.object(Message, "create", create):
            messages = self._enqueue(self.orders)
            self._enqueue(self.orders, endpoint=self.endpoint_2)
        self.assertEqual(batches, [3, 3], "one create per call")
        self.assertEqual(len(triggers.records), 1, "one trigger while one is waiting")
        self.assertEqual(messages.mapped("res_id"), self.orders.ids)
        self.assertEqual(len(set(messages.mapped("idempotency_key"))), 3)

    def test_enqueue_skips_archived_endpoint_and_other_company(self):
        self.endpoint_2.active = False
        self.assertFalse(self._enqueue(endpoint=self.endpoint_2))
        other_company = self.env["res.company"].create({"name": "Other Installer BV"})
        self.endpoint_2.write({"active": True, "company_id": other_company.id})
        self.assertFalse(self._enqueue(endpoint=self.endpoint_2))
        self.endpoint_2.company_id = False
        self.assertTrue(self._enqueue(endpoint=self.endpoint_2))
        self.assertFalse(self.Message._enqueue(self.order.browse(), self.endpoint))

    def test_enqueue_checks_the_triggering_user(self):
        # a technician whose change fires the rule queues their own work order
        message = self.Message.with_user(self.technician)._enqueue(
            self.order.with_user(self.technician), self.endpoint
        )
        self.assertEqual(json.loads(message.payload)["data"]["name"], self.order.name)
        foreign = self._planned_work_order(technician_ids=[Command.set(self.technician_2.ids)])
        with self.assertRaises(AccessError):
            self.Message.with_user(self.technician)._enqueue(
                foreign.with_user(self.technician), self.endpoint
            )

    # ------------------------------------------------------------------
    # sending
    # ------------------------------------------------------------------

    def test_sent_with_idempotency_key_and_credentials(self):
        message = self._enqueue()
        remote = FakeRemote()
        self._run_cron(self.cron, self.t0, remote)
        self.assertEqual(len(remote.calls), 1)
        request, kwargs, _answer = remote.calls[0]
        self.assertEqual(request.method, "POST")
        self.assertEqual(request.url, "https://erp.example.com/api/work-orders")
        self.assertEqual(request.headers["Idempotency-Key"], message.idempotency_key)
        self.assertEqual(request.headers["Authorization"], SECRET)
        self.assertEqual(request.headers["X-Field-Maintenance-Event"], "wo_completed")
        self.assertIn("application/json", request.headers["Content-Type"])
        self.assertEqual(kwargs["timeout"], 30)
        self.assertTrue(kwargs["stream"], "the answer is read in bounded chunks")
        self.assertFalse(kwargs["allow_redirects"])
        self.assertRecordValues(
            message,
            [{"state": "sent", "attempts": 1, "response_code": 200, "last_error": False}],
        )
        self.assertTrue(message.sent_on)
        # nothing is sent twice
        self._run_cron(self.cron, self.t0 + timedelta(hours=1), remote)
        self.assertEqual(len(remote.calls), 1)

    def test_server_error_retries_with_backoff_and_same_key(self):
        message = self._enqueue()
        remote = FakeRemote({"erp.example.com": [500, 503, 200]})
        self._run_cron(self.cron, self.t0, remote)
        self.assertEqual(message.state, "pending")
        self.assertEqual(message.attempts, 1)
        self.assertIn("500", message.last_error)
        first_delay = (message.next_try - self.t0).total_seconds()
        self.assertTrue(44 <= first_delay <= 60, first_delay)

        # not due yet: nothing is sent
        self._run_cron(self.cron, self.t0 + timedelta(seconds=30), remote)
        self.assertEqual(len(remote.calls), 1)

        t1 = message.next_try
        self._run_cron(self.cron, t1, remote)
        self.assertEqual((message.state, message.attempts), ("pending", 2))
        self.assertIn("503", message.last_error)
        second_delay = (message.next_try - t1).total_seconds()
        self.assertTrue(89 <= second_delay <= 120, second_delay)
        self.assertGreater(second_delay, first_delay)

        self._run_cron(self.cron, message.next_try, remote)
        self.assertEqual((message.state, message.attempts), ("sent", 3))
        self.assertEqual(remote.keys(), [message.idempotency_key] * 3)

    def test_timeout_and_connection_error_keep_message_pending(self):
        message = self._enqueue()
        remote = FakeRemote(
            {
                "erp.example.com": [
                    requests.exceptions.ReadTimeout("read timed out"),
                    requests.exceptions.ConnectionError("connection refused"),
                    200,
                ]
            }
        )
        self._run_cron(self.cron, self.t0, remote)
        self.assertEqual((message.state, message.attempts), ("pending", 1))
        self.assertIn("ReadTimeout", message.last_error)
        self._run_cron(self.cron, message.next_try, remote)
        self.assertEqual((message.state, message.attempts), ("pending", 2))
        self.assertIn("ConnectionError", message.last_error)
        self._run_cron(self.cron, message.next_try, remote)
        self.assertEqual(message.state, "sent")
        self.assertEqual(len(set(remote.keys())), 1)

    def test_answers(self):
        self.assertEqual(classify_status(200), SENT)
        self.assertEqual(classify_status(201), SENT)
        self.assertEqual(classify_status(409), SENT)
        for code in (400, 413, 422):
            self.assertEqual(classify_status(code), FAILED, code)
        for code in (408, 425, 500):
            self.assertEqual(classify_status(code), RETRY, code)
        for code in (301, 401, 403, 404, 429, 502, 503, 504):
            self.assertEqual(classify_status(code), RETRY_ENDPOINT, code)

    def test_conflict_is_already_received_and_bad_request_fails_at_once(self):
        received = self._enqueue()
        refused = self._enqueue(endpoint=self.endpoint_2)
        remote = FakeRemote({"erp.example.com": 409, "portal.example.com": 422})
        self._run_cron(self.cron, self.t0, remote)
        self.assertRecordValues(
            received | refused,
            [
                {"state": "sent", "attempts": 1, "response_code": 409},
                {"state": "failed", "attempts": 1, "response_code": 422},
            ],
        )
        self.assertIn("422", refused.last_error)
        self._run_cron(self.cron, self.t0 + timedelta(days=1), remote)
        self.assertEqual(len(remote.calls), 2, "a refused message is not tried again")

    def test_max_attempts_then_failed_and_retry(self):
        self.endpoint.max_attempts = 3
        message = self._enqueue()
        remote = FakeRemote({"erp.example.com": 500})
        at = self.t0
        for _attempt in range(3):
            self._run_cron(self.cron, at, remote)
            at = message.next_try
        self.assertEqual((message.state, message.attempts), ("failed", 3))
        self.assertIn("3 attempts", message.last_error)
        self._run_cron(self.cron, self.t0 + timedelta(days=3), remote)
        self.assertEqual(len(remote.calls), 3, "a failed message waits for a manager")

        # the manager retries it from the outbox
        with self._capture_triggers() as triggers, freeze_time(self.t0 + timedelta(days=3)):
            message.with_user(self.manager).action_retry()
        self.assertRecordValues(
            message,
            [{"state": "pending", "attempts": 0, "next_try": self.t0 + timedelta(days=3)}],
        )
        self.assertEqual(len(triggers.records), 1)
        remote.answers["erp.example.com"] = 200
        self._run_cron(self.cron, self.t0 + timedelta(days=3), remote)
        self.assertEqual((message.state, message.attempts), ("sent", 1))
        self.assertEqual(len(set(remote.keys())), 1, "the key never changes")

    def test_cancel(self):
        messages = self._enqueue(self.orders)
        messages[:2].with_user(self.manager).action_cancel()
        self.assertEqual(messages.mapped("state"), ["cancelled", "cancelled", "pending"])
        remote = FakeRemote()
        self._run_cron(self.cron, self.t0, remote)
        self.assertEqual(remote.keys(), [messages[2].idempotency_key])
        messages.with_user(self.manager).action_cancel()
        self.assertEqual(messages[2].state, "sent", "a sent message stays sent")

    def test_cron_sends_only_due_messages(self):
        due, later = self._enqueue(self.orders[:2])
        later.next_try = self.t0 + timedelta(hours=1)
        archived = self._enqueue(self.orders[2], endpoint=self.endpoint_2)
        self.endpoint_2.active = False
        remote = FakeRemote()
        self._run_cron(self.cron, self.t0, remote)
        self.assertEqual(remote.keys(), [due.idempotency_key])
        self.assertEqual((later.state, archived.state), ("pending", "pending"))
        self._run_cron(self.cron, self.t0 + timedelta(hours=1), remote)
        self.assertEqual(later.state, "sent")
        self.assertEqual(archived.state, "pending", "an archived endpoint receives nothing")

    def test_failing_endpoint_does_not_stop_others(self):
        down = self._enqueue(self.orders)
        up = self._enqueue(self.orders, endpoint=self.endpoint_2)
        remote = FakeRemote({"erp.example.com": requests.exceptions.ConnectionError("refused")})
        self._run_cron(self.cron, self.t0, remote)
        self.assertEqual(up.mapped("state"), ["sent"] * 3)
        self.assertEqual(down.mapped("state"), ["pending"] * 3)
        # one probe only: the others wait for the same moment without using up attempts
        self.assertEqual(len(remote.requests_to("erp.example.com")), 1)
        self.assertEqual(down.mapped("attempts"), [1, 0, 0])
        self.assertEqual(len(set(down.mapped("next_try"))), 1)
        self.assertGreater(down[0].next_try, self.t0)

    def test_work_order_events_arrive_in_order(self):
        first = self._enqueue(event="wo_state_changed")
        second = self._enqueue(event="wo_completed")
        remote = FakeRemote({"erp.example.com": [500, 200]})
        self._run_cron(self.cron, self.t0, remote)
        self.assertEqual(remote.keys(), [first.idempotency_key])
        self.assertEqual(second.state, "pending")
        self._run_cron(self.cron, first.next_try, remote)
        self.assertEqual(
            remote.keys(),
            [first.idempotency_key, first.idempotency_key, second.idempotency_key],
        )
        self.assertEqual((first | second).mapped("state"), ["sent", "sent"])

    def test_remote_down_for_hours_loses_nothing(self):
        messages = self._enqueue(self.orders) | self._enqueue(
            self.orders[0], event="wo_state_changed", at=self.t0 + timedelta(hours=2)
        )
        remote = FakeRemote({"erp.example.com": requests.exceptions.ConnectTimeout("down")})
        at = self.t0
        # the remote is down for ten hours; the cron runs every 30 minutes
        while at < self.t0 + timedelta(hours=10):
            self._run_cron(self.cron, at, remote)
            at += timedelta(minutes=30)
        self.assertEqual(messages.mapped("state"), ["pending"] * 4)
        self.assertLess(max(messages.mapped("attempts")), self.endpoint.max_attempts)
        probes = len(remote.calls)
        self.assertLess(probes, 20, "a down remote is probed, not flooded")

        remote.answers["erp.example.com"] = 200
        deadline = at + timedelta(hours=7)
        while "pending" in messages.mapped("state") and at < deadline:
            self._run_cron(self.cron, at, remote)
            at += timedelta(minutes=30)
        self.assertEqual(messages.mapped("state"), ["sent"] * 4)
        delivered = remote.keys(delivered=True)
        self.assertCountEqual(delivered, messages.mapped("idempotency_key"))
        # the two events of the first work order arrived in the order they happened
        self.assertLess(
            delivered.index(messages[0].idempotency_key),
            delivered.index(messages[3].idempotency_key),
        )

    def test_report_and_attachments_added_when_sending(self):
        self.endpoint.write({"include_report": True, "include_attachments": True})
        message = self._enqueue()
        self.env["ir.attachment"].create(
            {
                "name": "boiler.txt",
                "raw": b"flue gas 42 ppm",
                "res_model": "field.work.order",
                "res_id": self.order.id,
            }
        )
        self.assertNotIn("attachments", json.loads(message.payload))
        remote = FakeRemote()
        self._run_cron(self.cron, self.t0, remote)
        self.assertEqual(message.state, "sent")
        body = FakeRemote.body(remote.calls[0])
        self.assertEqual(body["data"]["name"], self.order.name)
        # rendered as HTML in test mode, as a PDF otherwise
        self.assertIn(body["report"]["mimetype"], ("application/pdf", "text/html"))
        self.assertTrue(body["report"]["data"])
        self.assertEqual([a["name"] for a in body["attachments"]], ["boiler.txt"])
        self.assertNotIn("report", json.loads(message.payload), "the outbox stays small")

    def test_credentials_never_logged_or_stored(self):
        message = self._enqueue()
        remote = FakeRemote({"erp.example.com": [503, 200]})
        with self.assertLogs("odoo.addons.field_maintenance", level="DEBUG") as logs:
            self._run_cron(self.cron, self.t0, remote)
            self.assertIn("503", message.last_error)
            self.assertNotIn("request_headers", message.last_error, "no remote text")
            # the answer is kept for system administrators, without the credentials
            self.assertIn("request_headers", message.last_response)
            self.assertNotIn("s3cret", message.last_error, "errors are shown to dispatchers")
            self.assertNotIn("s3cret", message.last_response)
            self._run_cron(self.cron, message.next_try, remote)
        self.assertEqual(message.state, "sent")
        self.assertNotIn("s3cret", "\n".join(logs.output))
        self.assertNotIn("s3cret", message.payload)
        for request, _kwargs, _answer in remote.calls:
            self.assertEqual(request.headers["Authorization"], SECRET)

    # ------------------------------------------------------------------
    # endpoint
    # ------------------------------------------------------------------

    def test_endpoint_configuration(self):
        Endpoint = self.env["field.sync.endpoint"]
        sent_fields = self.endpoint.field_ids.mapped("name")
        for name in ("name", "state", "partner_id", "planned_date_start", "line_ids"):
            self.assertIn(name, sent_fields)
        for url in ("erp.example.com/api", "ftp://erp.example.com/", "https://", "mailto:x@y.z"):
            with self.assertRaises(ValidationError):
                Endpoint.create({"name": "Bad", "url": url})
        with self.assertRaises(ValidationError):
            Endpoint.create({"name": "Bad", "url": "https://a.example.com", "timeout": 0})
        # a private address only once a system administrator allowed them
        with self.assertRaises(ValidationError):
            Endpoint.create({"name": "Plain", "url": "http://10.0.0.5:8080/hook"})
        self.env["ir.config_parameter"].set_param(
            "field_maintenance.sync_allow_private_targets", "True"
        )
        Endpoint.create({"name": "Plain", "url": "http://10.0.0.5:8080/hook"})

        # fewer fields: only those are sent
        self.endpoint.field_ids = self.env["ir.model.fields"]._get("field.work.order", "name")
        data = json.loads(self._enqueue().payload)["data"]
        self.assertEqual(data, {"name": self.order.name})

    def test_fixing_the_endpoint_retries_its_messages_now(self):
        message = self._enqueue()
        remote = FakeRemote({"erp.example.com": 401})
        self._run_cron(self.cron, self.t0, remote)
        self.assertEqual((message.state, message.attempts), ("pending", 1))
        self.assertGreater(message.next_try, self.t0)
        with freeze_time(self.t0 + timedelta(seconds=20)):
            self.endpoint.with_user(self.manager).auth_header_value = "Bearer new-token"
        self.assertEqual(message.next_try, self.t0 + timedelta(seconds=20))
        remote.answers["erp.example.com"] = 200
        self._run_cron(self.cron, self.t0 + timedelta(seconds=20), remote)
        self.assertEqual(message.state, "sent")
        self.assertEqual(remote.calls[-1][0].headers["Authorization"], "Bearer new-token")

    def test_test_connection(self):
        endpoint = self.endpoint.with_user(self.manager)
        remote = FakeRemote()
        with patch.object(requests.Session, "send", new=remote):
            action = endpoint.action_test_connection()
        self.assertEqual(action["params"]["type"], "success")
        request = remote.calls[0][0]
        self.assertEqual(json.loads(request.body)["event"], "ping")
        self.assertEqual(request.headers["Authorization"], SECRET)
        self.assertFalse(self.Message.search([("endpoint_id", "=", self.endpoint.id)]))

        remote.answers["erp.example.com"] = 403
        with patch.object(requests.Session, "send", new=remote):
            action = endpoint.action_test_connection()
        self.assertEqual(action["params"]["type"], "warning")
        self.assertIn("403", action["params"]["message"])
        self.assertNotIn("s3cret", action["params"]["message"])

        remote.answers["erp.example.com"] = requests.exceptions.ConnectionError("refused")
        with patch.object(requests.Session, "send", new=remote):
            action = endpoint.action_test_connection()
        self.assertEqual(action["params"]["type"], "danger")

    def test_message_counts_and_delete(self):
        messages = self._enqueue(self.orders)
        messages[0].state = "failed"
        self.assertEqual((self.endpoint.pending_count, self.endpoint.failed_count), (2, 1))
        action = self.endpoint.action_view_failed_messages()
        self.assertEqual(action["res_model"], "field.sync.message")
        self.assertEqual(action["context"]["search_default_failed"], 1)
        with self.assertRaises(UserError):
            self.endpoint.unlink()
        messages.action_cancel()
        self.endpoint.unlink()
        self.assertFalse(messages.exists())

    def test_backoff_is_capped(self):
        self.assertTrue(45 <= self.endpoint._retry_delay(1) <= 60)
        self.assertTrue(90 <= self.endpoint._retry_delay(2) <= 120)
        for attempts in (10, 15, 100):
            delay = self.endpoint._retry_delay(attempts)
            self.assertTrue(4.5 * 3600 <= delay <= 6 * 3600, delay)

    # ------------------------------------------------------------------
    # access rights
    # ------------------------------------------------------------------

    def test_access_rights(self):
        message = self._enqueue()
        # technicians see neither the endpoints nor the outbox
        with self.assertRaises(AccessError):
            self.Message.with_user(self.technician).search([])
        with self.assertRaises(AccessError):
            self.endpoint.with_user(self.technician).read(["name"])

        # dispatchers follow the outbox but cannot change it, nor read the credentials
        as_dispatcher = message.with_user(self.dispatcher)
        self.assertEqual(as_dispatcher.read(["state"])[0]["state"], "pending")
        self.assertEqual(
            self.endpoint.with_user(self.dispatcher).read(["url"])[0]["url"],
            "https://erp.example.com/api/work-orders",
        )
        with self.assertRaises(AccessError):
            self.endpoint.with_user(self.dispatcher).read(["auth_header_value"])
        with self.assertRaises(AccessError):
            as_dispatcher.action_retry()
        with self.assertRaises(AccessError):
            self.endpoint.with_user(self.dispatcher).write({"url": "https://evil.example.com"})

        # managers configure and act
        as_manager = self.endpoint.with_user(self.manager)
        self.assertEqual(as_manager.auth_header_value, SECRET)
        message.with_user(self.manager).action_cancel()
        self.assertEqual(message.state, "cancelled")

        # multi-company: messages of another company stay hidden
        other_company = self.env["res.company"].create({"name": "Other Installer BV"})
        hidden = message.copy({"idempotency_key": "other", "company_id": other_company.id})
        visible = self.Message.with_user(self.manager).search([])
        self.assertIn(message, visible)
        self.assertNotIn(hidden, visible)
