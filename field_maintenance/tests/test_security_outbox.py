"""Security of the outbox, the sync endpoints and the scheduled e-mails (issue 12, items 1-5
and the outbox part of item 12): each test plays the attack as the role would, through the
ORM, and checks next to it that the role can still do its job."""

import http.server
import io
import json
import socket
import threading
import time
from datetime import datetime, timedelta
from unittest.mock import patch

import requests
from freezegun import freeze_time
from lxml import etree

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged
from odoo.tests.common import _super_send
from odoo.tools import mute_logger

from odoo.addons.field_maintenance.models import field_sync_endpoint_transport as transport
from odoo.addons.field_maintenance.models.field_sync_endpoint_transport import (
    MAX_REPLY_BYTES,
    SyncTargetRefused,
)
from odoo.addons.mail.tests.common import MockEmail

from .common import MANAGER, FieldMaintenanceCase
from .test_automation_common import AutomationMixin
from .test_sync import FakeRemote

# the real resolver, kept before the tests replace it
REAL_RESOLVE_HOST = transport.resolve_host
NOW = datetime(2026, 3, 2, 9, 0)
PUBLIC_IP = "93.184.215.14"
ALLOW_PRIVATE = "field_maintenance.sync_allow_private_targets"
ATTACKER = "attacker@evil.example.com"


def addrinfo(address, port=443):
    return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port))]


class _LocalHandler(http.server.BaseHTTPRequestHandler):
    """A remote on 127.0.0.1 that accepts every message."""

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.server.bodies.append(self.rfile.read(length))
        body = b'{"ok": true}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class _EndlessReply(io.RawIOBase):
    """A reply body of ``limit`` bytes (10 MB: "endless" for an outbox); each read takes
    ``seconds`` of the fake clock."""

    def __init__(self, clock=None, seconds=0, limit=10 * 1024 * 1024):
        super().__init__()
        self.clock, self.seconds, self.limit, self.bytes_read = clock, seconds, limit, 0

    def readable(self):
        return True

    def readinto(self, buffer):
        size = min(len(buffer), self.limit - self.bytes_read)
        if self.clock is not None:
            self.clock[0] += self.seconds
        buffer[:size] = b"x" * size
        self.bytes_read += size
        return size


@tagged("post_install", "-at_install")
class TestSecurityOutbox(AutomationMixin, FieldMaintenanceCase, MockEmail):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Message = cls.env["field.sync.message"]
        cls.Endpoint = cls.env["field.sync.endpoint"]
        cls.Scheduled = cls.env["field.scheduled.mail"]
        cls.outbox_cron = cls.env.ref("field_maintenance.ir_cron_field_sync_send")
        cls.scheduled_mail_cron = cls.env.ref("field_maintenance.ir_cron_field_scheduled_mail")
        cls.sysadmin = cls._user("fm_sysadmin", f"base.group_system,{MANAGER}", "Sam Sysadmin")
        cls.company_b = cls.env["res.company"].create({"name": "Koeltechniek Noord BV"})
        cls.manager_b = cls._user("fm_manager_b", MANAGER, "Bart Manager B", cls.company_b)
        cls.mail_template = cls.env["mail.template"].create(
            {
                "name": "Work order done",
                "model_id": cls.env["ir.model"]._get_id("field.work.order"),
                "subject": "{{ object.name }} is done (written by {{ user.login }})",
                "body_html": "<p>Your work order <t t-out='object.name'/> is done.</p>",
                "partner_to": "{{ object.partner_id.id }}",
                "email_from": "office@field.example.com",
                "use_default_to": False,
            }
        )
        cls.endpoint = cls.Endpoint.create(
            {
                "name": "Head-office ERP",
                "url": "https://erp.example.com/api/work-orders",
                "auth_header_value": "Bearer s3cret-t0ken",
            }
        )
        cls.order = cls._order_in_state("done")

    def setUp(self):
        super().setUp()
        # example hosts resolve to a public address; requests.Session.send is patched in
        # the tests that send, so nothing leaves the machine
        self.resolve = self.startPatcher(
            patch.object(transport, "resolve_host", return_value=[PUBLIC_IP])
        )

    # ------------------------------------------------------------------
    # helpers
    # ------------------------------------------------------------------

    def _enqueue(self, records, endpoint):
        with freeze_time(NOW):
            return self.Message._enqueue(records, endpoint)

    def _mail_rule(self, delay=30, **action):
        return self._rule(
            "wo_completed",
            [
                {
                    "state": "fm_email",
                    "fm_mail_template_id": self.mail_template.id,
                    "fm_mail_delay": delay,
                    **action,
                }
            ],
        )

    def _complete_as(self, user):
        """An order completed by ``user`` at NOW, firing the rules."""
        with freeze_time(NOW - timedelta(hours=2)):
            order = self._order_in_state("in_progress")
        with self.mock_datetime_and_now(NOW):
            order.with_user(user).action_done()
        return order

    def _scheduled_rows(self):
        return self.Scheduled.search([("template_id", "=", self.mail_template.id)])

    def _allow_private_targets(self):
        """As a system administrator does it: Settings > Field Service."""
        settings = self.env["res.config.settings"].with_user(self.sysadmin).create({})
        settings.fm_sync_allow_private_targets = True
        settings.execute()

    def _local_server(self):
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _LocalHandler)
        server.bodies = []
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        self.addCleanup(server.server_close)
        self.addCleanup(server.shutdown)
        return server

    def _slow_server(self, seconds=8):
        """A remote on 127.0.0.1 that answers one byte every 0.2 s for ``seconds``: every
        single read is quick, the whole answer is not."""
        listener = socket.create_server(("127.0.0.1", 0))
        self.addCleanup(listener.close)

        def serve():
            try:
                conn, _address = listener.accept()
            except OSError:
                return
            with conn:
                conn.recv(65536)
                end = time.monotonic() + seconds
                try:
                    conn.sendall(b"HTTP/1.1 200 OK\r\n")
                    while time.monotonic() < end:
                        conn.sendall(b"X")
                        time.sleep(0.2)
                except OSError:
                    return

        threading.Thread(target=serve, daemon=True).start()
        return listener.getsockname()[1]

    def _open_views(self, records, user, view_types=("list", "form")):
        """Read ``records`` as ``user`` with the fields of their views, as the web client
        does when the user opens them."""
        Model = self.env[records._name].with_user(user)
        views = Model.get_views([(False, view_type) for view_type in view_types])
        fields_info = views["models"][records._name]["fields"]
        specs = {}
        for view_type in view_types:
            arch = etree.fromstring(views["views"][view_type]["arch"])
            specs[view_type] = {
                name: {"fields": {"display_name": {}}} if fields_info[name].get("relation") else {}
                for name in arch.xpath("//field[not(ancestor::field)]/@name")
            }
        if "list" in specs:
            Model.web_search_read([("id", "in", records.ids)], specs["list"])
        return records.with_user(user).web_read(specs.get("form", {}))

    @staticmethod
    def _reply(status, raw):
        def send(session, request, **kwargs):
            response = requests.Response()
            response.status_code = status
            response.reason = "Whatever"
            response.raw = raw
            response.url = request.url
            response.request = request
            return response

        return send

    # ------------------------------------------------------------------
    # 1. scheduled e-mails
    # ------------------------------------------------------------------

    def test_manager_cannot_create_or_write_scheduled_mails(self):
        """The takeover: a manager points a row at the sign-up e-mail of the administrator
        with their own address. Rows are bookkeeping: no create, no write."""
        self._mail_rule()
        order = self._complete_as(self.dispatcher)
        row = self._scheduled_rows()
        self.assertRecordValues(
            row,
            [{"user_id": self.dispatcher.id, "as_superuser": False, "state": "pending"}],
        )
        admin = self.env.ref("base.user_admin")
        signup = self.env.ref("auth_signup.set_password_email")
        forged = {
            "template_id": signup.id,
            "model": "res.users",
            "res_ids": [admin.id],
            "extra_email": ATTACKER,
        }
        with self.assertRaises(AccessError):
            self.Scheduled.with_user(self.manager).create({**forged, "scheduled_date": NOW})
        for field_name, value in [*forged.items(), ("state", "failed"), ("user_id", False)]:
            with self.subTest(field=field_name), self.assertRaises(AccessError):
                row.with_user(self.manager).write({field_name: value})
        with self.assertRaises(AccessError):
            row.with_user(self.manager).unlink()
        self.assertRecordValues(
            row,
            [
                {
                    "template_id": self.mail_template.id,
                    "model": "field.work.order",
                    "res_ids": [order.id],
                    "extra_email": False,
                    "state": "pending",
                }
            ],
        )
        # the manager follows the rows (list and form) and cancels one
        self.assertIn(row, self.Scheduled.with_user(self.manager).search([]))
        (values,) = self._open_views(row, self.manager)
        self.assertEqual(values["rule_name"], "Rule wo_completed")
        row.with_user(self.manager).action_cancel()
        self.assertEqual(row.state, "cancelled")
        with self.mock_mail_gateway():
            self._run_cron(self.scheduled_mail_cron, NOW + timedelta(minutes=31), cursor_now=True)
            self.assertFalse(self._new_mails, "a cancelled row is not sent")

    @mute_logger("odoo.addons.field_maintenance.models.field_scheduled_mail")
    def test_scheduled_mail_not_matching_its_action_is_refused(self):
        """A row changed behind the rule's back (as a manager could before) is refused
        when retried: template, model and recipients come from the rule's action."""
        self._mail_rule()
        self._complete_as(self.dispatcher)
        row = self._scheduled_rows()
        admin = self.env.ref("base.user_admin")
        row.sudo().write(
            {
                "template_id": self.env.ref("auth_signup.set_password_email").id,
                "model": "res.users",
                "res_ids": [admin.id],
                "extra_email": ATTACKER,
                "state": "failed",
            }
        )
        with self.mock_mail_gateway():
            row.with_user(self.manager).action_retry()
            self.assertEqual(row.state, "pending", "a retry only changes the state")
            self.assertFalse(self._new_mails, "nothing is sent by the retry itself")
            self._run_cron(self.scheduled_mail_cron, NOW + timedelta(minutes=31), cursor_now=True)
            self.assertFalse(self._new_mails)
        self.assertEqual(row.state, "failed")
        self.assertIn("no longer match", row.error)
        self.assertFalse(self.env["mail.mail"].search([("email_to", "ilike", ATTACKER)]))

    def test_manager_retries_failed_scheduled_mail_written_as_the_triggering_user(self):
        self._mail_rule()
        order = self._complete_as(self.dispatcher)
        row = self._scheduled_rows()
        row.sudo().write({"state": "failed", "error": "The mail server was down"})
        with self.assertRaises(AccessError):
            row.with_user(self.dispatcher).action_retry()
        with self.mock_mail_gateway():
            row.with_user(self.manager).action_retry()
            self.assertRecordValues(row, [{"state": "pending", "error": False}])
            self.assertFalse(self._new_mails)
            self._run_cron(self.scheduled_mail_cron, NOW + timedelta(minutes=31), cursor_now=True)
            self.assertRecordValues(row, [{"state": "sent", "mail_count": 1}])
            self.assertEqual(len(self._new_mails), 1)
            # rendered as the dispatcher who completed the work order, not as superuser
            self.assertEqual(
                self._new_mails.subject, f"{order.name} is done (written by fm_dispatch)"
            )
            self.assertEqual(self._new_mails.recipient_ids, self.customer)

    def test_scheduled_mail_written_without_the_rights_of_superuser(self):
        """What the template reads is read with the rights of the user who triggered the
        rule: a record of another company fails the row instead of being e-mailed."""
        other_partner = self.env["res.partner"].create(
            {"name": "Secret customer", "company_id": self.company_b.id}
        )
        self.mail_template.body_html = (
            "<p>Done. <t t-out=\"object.env['res.partner'].browse(%s).name\"/></p>"
            % other_partner.id
        )
        self._mail_rule()
        self._complete_as(self.dispatcher)
        row = self._scheduled_rows()
        with (
            self.mock_mail_gateway(),
            mute_logger(
                "odoo.addons.field_maintenance.models.field_scheduled_mail",
                "odoo.addons.mail.models.mail_render_mixin",
            ),
        ):
            self._run_cron(self.scheduled_mail_cron, NOW + timedelta(minutes=31), cursor_now=True)
            self.assertFalse(self._new_mails)
        self.assertEqual(row.state, "failed")
        self.assertFalse(self.env["mail.mail"].search([("body_html", "ilike", "Secret customer")]))

    def test_immediate_mail_written_as_the_triggering_user(self):
        """An e-mail without delay is written with the rights of the user whose change
        fired the rule: a template reading another company's customer is refused."""
        other_partner = self.env["res.partner"].create(
            {"name": "Secret customer", "company_id": self.company_b.id}
        )
        self.mail_template.body_html = (
            "<p>Done. <t t-out=\"object.env['res.partner'].browse(%s).name\"/></p>"
            % other_partner.id
        )
        rule = self._mail_rule(delay=0)
        with freeze_time(NOW - timedelta(hours=2)):
            order = self._order_in_state("in_progress")
        self.env.invalidate_all()  # the secret partner's name is read from the database
        with (
            self.mock_mail_gateway(),
            mute_logger("odoo.addons.mail.models.mail_render_mixin"),
        ):
            with self.assertRaises(UserError):
                order.with_user(self.dispatcher).action_done()
            self.assertFalse(self._new_mails)
        self.assertFalse(self.env["mail.mail"].search([("body_html", "ilike", "Secret customer")]))
        # the scheduler (time-based rules) has no user: superuser, as Odoo's own action
        with self.mock_mail_gateway():
            order = self._complete_as(self.env.user)
            mail = self._new_mails.filtered(lambda m: m.res_id == order.id)
            self.assertEqual(mail.subject, f"{order.name} is done (written by __system__)")
        # the work-order e-mail of the module, with its PDF, written as the technician who
        # completes the work order
        rule.active = False
        template = self.env.ref("field_maintenance.mail_template_work_order")
        self._rule("wo_completed", [{"state": "fm_email", "fm_mail_template_id": template.id}])
        with self.mock_mail_gateway():
            order = self._complete_as(self.technician)
            mail = self._new_mails.filtered(lambda m: m.res_id == order.id)
            self.assertEqual(len(mail), 1)
            self.assertIn(order.name, mail.subject)
            self.assertEqual(mail.recipient_ids, self.customer)
            self.assertEqual(len(mail.attachment_ids), 1, "the work-order PDF")

    # ------------------------------------------------------------------
    # 2. outbox messages
    # ------------------------------------------------------------------

    def test_manager_cannot_create_or_write_outbox_messages(self):
        message = self._enqueue(self.order, self.endpoint)
        forged = {
            "endpoint_id": self.endpoint.id,
            "company_id": self.company.id,
            "res_model": "res.partner",
            "res_id": self.customer.id,
            "idempotency_key": "forged",
            "payload": "{}",
        }
        with self.assertRaises(AccessError):
            self.Message.with_user(self.manager).create(forged)
        for field_name in ("res_model", "res_id", "payload", "state"):
            with self.subTest(field=field_name), self.assertRaises(AccessError):
                message.with_user(self.manager).write({field_name: forged.get(field_name, "sent")})
        self.assertRecordValues(
            message,
            [{"res_model": "field.work.order", "res_id": self.order.id, "state": "pending"}],
        )
        # dispatchers follow the outbox; managers cancel and retry
        for user in (self.dispatcher, self.manager):
            (values,) = self._open_views(message, user)
            self.assertNotIn("last_response", values)
        self._open_views(self.endpoint, self.dispatcher)
        with self.assertRaises(AccessError):
            message.with_user(self.dispatcher).action_cancel()
        message.with_user(self.manager).action_cancel()
        self.assertEqual(message.state, "cancelled")
        message.sudo().write({"state": "failed", "attempts": 15})
        with freeze_time(NOW):
            message.with_user(self.manager).action_retry()
        self.assertRecordValues(message, [{"state": "pending", "attempts": 0}])
        remote = FakeRemote()
        self._run_cron(self.outbox_cron, NOW, remote)
        self.assertEqual(message.state, "sent")

    @mute_logger("odoo.addons.field_maintenance.models.field_sync_message")
    def test_outbox_body_only_for_work_orders_of_the_endpoint_company(self):
        """Messages written behind the module's back (as a manager could before) about
        another document or another company are refused, and none of their files leave."""
        self.endpoint.write({"include_attachments": True})
        scan = self.env["ir.attachment"].create(
            {
                "name": "invoice-scan.pdf",
                "raw": b"%PDF confidential",
                "res_model": "res.partner",
                "res_id": self.customer.id,
            }
        )
        order_b = self.env["field.work.order"].create(
            {
                "partner_id": self.customer.id,
                "summary": "Company B job",
                "company_id": self.company_b.id,
            }
        )
        legit = self._enqueue(self.order, self.endpoint)
        forged = self.Message.sudo().create(
            [
                {
                    "endpoint_id": self.endpoint.id,
                    "company_id": self.company.id,
                    "res_model": "res.partner",
                    "res_id": self.customer.id,
                    "idempotency_key": "forged-partner",
                    "payload": "{}",
                    "next_try": NOW,
                },
                {
                    "endpoint_id": self.endpoint.id,
                    "company_id": self.company_b.id,
                    "res_model": "field.work.order",
                    "res_id": order_b.id,
                    "idempotency_key": "forged-company",
                    "payload": "{}",
                    "next_try": NOW,
                },
                {
                    "endpoint_id": self.endpoint.id,
                    "company_id": self.company.id,
                    "res_model": "field.work.order",
                    "res_id": order_b.id,
                    "idempotency_key": "forged-record-company",
                    "payload": "{}",
                    "next_try": NOW,
                },
            ]
        )
        remote = FakeRemote()
        self._run_cron(self.outbox_cron, NOW, remote)
        self.assertEqual(forged.mapped("state"), ["failed"] * 3)
        self.assertEqual(legit.state, "sent")
        self.assertEqual(remote.keys(), [legit.idempotency_key])
        for request, _kwargs, _answer in remote.calls:
            self.assertNotIn(scan.name, request.body.decode())
        # the module does not queue other models, nor other companies' work orders
        self.assertFalse(self._enqueue(self.customer, self.endpoint))
        self.assertFalse(self._enqueue(order_b, self.endpoint))

    # ------------------------------------------------------------------
    # 3. SSRF
    # ------------------------------------------------------------------

    def test_private_addresses_refused_when_saving(self):
        Endpoint = self.Endpoint.with_user(self.manager)
        for url in (
            "http://127.0.0.1:8069/web",
            "http://10.1.2.3/hook",
            "http://169.254.169.254/latest/meta-data/",
            "http://localhost:8069/",
            "http://[::1]/hook",
            "http://192.168.1.10/",
            "http://0.0.0.0/",
        ):
            with self.subTest(url=url), self.assertRaises(ValidationError):
                Endpoint.create({"name": "Internal", "url": url})
        with self.assertRaises(ValidationError):
            self.endpoint.with_user(self.manager).url = "http://169.254.169.254/"
        # a public address in the manager's company is fine
        endpoint = Endpoint.create({"name": "Portal", "url": "https://portal.example.com/hook"})
        self.assertEqual(endpoint.company_id, self.company)

    def test_host_resolving_to_private_address_refused_when_sending(self):
        """A public-looking name that resolves to 10.0.0.1 is refused when sending (with
        the real resolver, mocked at the socket level); the request never reaches requests."""
        self.resolve.side_effect = REAL_RESOLVE_HOST
        endpoint = self.Endpoint.create(
            {"name": "Sneaky", "url": "https://intranet.example.com/hook"}
        )
        message = self._enqueue(self.order, endpoint)
        remote = FakeRemote()
        with patch("socket.getaddrinfo", return_value=addrinfo("10.0.0.1")) as resolver:
            self._run_cron(self.outbox_cron, NOW, remote)
            action = endpoint.with_user(self.manager).action_test_connection()
        resolver.assert_called()
        self.assertFalse(remote.calls, "a refused target never reaches requests")
        self.assertRecordValues(message, [{"state": "pending", "attempts": 1}])
        self.assertIn("private, local or reserved", message.last_error)
        self.assertEqual(action["params"]["type"], "danger")
        self.assertIn("10.0.0.1", action["params"]["message"])

    def test_address_checked_again_on_the_connection(self):
        """The name resolves to a public address when checked and to 127.0.0.1 when
        urllib3 connects (DNS rebinding): the connection is refused, nothing is sent."""
        server = self._local_server()
        port = server.server_address[1]
        endpoint = self.Endpoint.create(
            {"name": "Rebinding", "url": f"http://rebind.example.com:{port}/hook"}
        )
        with (
            patch("socket.getaddrinfo", return_value=addrinfo("127.0.0.1", port)),
            # only to 127.0.0.1 (the name resolves there): let it through the test patch
            patch.object(requests.Session, "send", _super_send),
            self.assertRaises(SyncTargetRefused),
        ):
            endpoint._post('{"event": "ping"}', {"Content-Type": "application/json"})
        self.assertFalse(server.bodies)

    def test_sysadmin_allows_private_targets(self):
        # a manager can neither change the setting nor save a private endpoint
        with self.assertRaises(AccessError):
            self.env["res.config.settings"].with_user(self.manager).create(
                {"fm_sync_allow_private_targets": True}
            )
        with self.assertRaises(AccessError):
            self.env["ir.config_parameter"].with_user(self.manager).set_param(ALLOW_PRIVATE, "True")
        server = self._local_server()
        url = f"http://127.0.0.1:{server.server_address[1]}/hook"
        with self.assertRaises(ValidationError):
            self.Endpoint.with_user(self.manager).create({"name": "Local", "url": url})
        # the system administrator allows them
        self._allow_private_targets()
        self.assertEqual(self.env["ir.config_parameter"].get_param(ALLOW_PRIVATE), "True")
        endpoint = self.Endpoint.with_user(self.manager).create({"name": "Local", "url": url})
        message = self._enqueue(self.order, endpoint.sudo())
        self._run_cron(self.outbox_cron, NOW)
        self.assertEqual(message.state, "sent", message.last_error)
        self.assertEqual(len(server.bodies), 1)
        self.assertEqual(json.loads(server.bodies[0])["id"], self.order.id)

    def test_reply_bodies_shown_to_system_administrators_only(self):
        message = self._enqueue(self.order, self.endpoint)
        secret_page = io.BytesIO(b"<html>internal admin panel, token=abc123</html>")
        self._run_cron(self.outbox_cron, NOW, self._reply(500, secret_page))
        self.assertEqual(message.state, "pending")
        as_dispatcher = message.with_user(self.dispatcher)
        last_error = as_dispatcher.read(["last_error"])[0]["last_error"]
        self.assertIn("500", last_error)
        self.assertNotIn("abc123", last_error)
        self.assertNotIn("Whatever", last_error, "nor the remote's own reason phrase")
        with self.assertRaises(AccessError):
            as_dispatcher.read(["last_response"])
        self.assertIn("abc123", message.with_user(self.sysadmin).last_response)
        # test connection: the body for system administrators only
        for user, shown in ((self.manager, False), (self.sysadmin, True)):
            raw = io.BytesIO(b"internal admin panel, token=abc123")
            with patch.object(requests.Session, "send", self._reply(403, raw)):
                action = self.endpoint.with_user(user).action_test_connection()
            self.assertIn("403", action["params"]["message"])
            self.assertEqual("abc123" in action["params"]["message"], shown, user.login)

    def test_max_attempts_bounded(self):
        endpoint = self.endpoint.with_user(self.manager)
        with self.assertRaises(ValidationError):
            endpoint.max_attempts = 100000
        with self.assertRaises(ValidationError):
            endpoint.backoff_base = 10**9
        with self.assertRaises(ValidationError):
            endpoint.timeout = 3600
        endpoint.write({"max_attempts": 50, "backoff_base": 3600, "timeout": 300})

    @mute_logger("odoo.addons.field_maintenance.models.field_sync_message")
    def test_request_body_size_bounded(self):
        self.endpoint.write({"include_attachments": True})
        self.env["ir.attachment"].create(
            {
                "name": "big-photo.jpg",
                "raw": b"x" * 6000,
                "res_model": "field.work.order",
                "res_id": self.order.id,
            }
        )
        message = self._enqueue(self.order, self.endpoint)
        remote = FakeRemote()
        with patch.object(transport, "MAX_REQUEST_BYTES", 4000):
            self._run_cron(self.outbox_cron, NOW, remote)
        self.assertFalse(remote.calls, "a body over the limit is not sent")
        self.assertEqual(message.state, "failed")
        self.assertIn("MB", message.last_error)
        # under the limit, it goes
        with freeze_time(NOW):
            message.action_retry()
        with patch.object(transport, "MAX_REQUEST_BYTES", 40000):
            self._run_cron(self.outbox_cron, NOW, remote)
        self.assertEqual(message.state, "sent")
        self.assertEqual(len(remote.calls), 1)

    def test_reply_size_bounded(self):
        message = self._enqueue(self.order, self.endpoint)
        endless = _EndlessReply()
        self._run_cron(self.outbox_cron, NOW, self._reply(500, endless))
        self.assertEqual(message.state, "pending")
        self.assertLessEqual(endless.bytes_read, MAX_REPLY_BYTES + 8192)
        self.assertLessEqual(len(message.last_response), 1000)

    def test_total_time_of_a_request_bounded(self):
        """Every read is quick but the answer goes on: the request stops at the
        endpoint's timeout (here on a fake clock, 10 s per read, timeout 30 s)."""
        message = self._enqueue(self.order, self.endpoint)
        clock = [1000.0]
        endless = _EndlessReply(clock, seconds=10)
        with (
            freeze_time(NOW),
            # after freeze_time, which replaces the module's clock too
            patch.object(transport, "monotonic", lambda: clock[0]),
            patch.object(requests.Session, "send", new=self._reply(200, endless)),
            self.enter_registry_test_mode(),
        ):
            self.outbox_cron.method_direct_trigger()
        self.env.invalidate_all()
        self.assertRecordValues(message, [{"state": "pending", "attempts": 1}])
        self.assertIn("Timeout", message.last_error)
        self.assertLessEqual(endless.bytes_read, 4 * 8192)

    @mute_logger("urllib3.connection")
    def test_total_time_bounded_on_a_real_slow_remote(self):
        """A remote on 127.0.0.1 that answers one byte every 0.2 s: each read is quick,
        the request is nevertheless stopped after the endpoint's 1 s timeout."""
        self.env["ir.config_parameter"].set_param(ALLOW_PRIVATE, "True")
        port = self._slow_server(seconds=8)
        endpoint = self.Endpoint.create(
            {"name": "Slow", "url": f"http://127.0.0.1:{port}/hook", "timeout": 1}
        )
        start = time.monotonic()
        with self.assertRaises(requests.exceptions.Timeout):
            endpoint._post("{}", {"Content-Type": "application/json"})
        self.assertLess(time.monotonic() - start, 4)

    # ------------------------------------------------------------------
    # 4. endpoints of every company
    # ------------------------------------------------------------------

    def test_only_system_administrators_share_an_endpoint(self):
        Endpoint = self.Endpoint.with_user(self.manager)
        with self.assertRaises(ValidationError):
            Endpoint.create({"name": "All", "url": "https://all.example.com", "company_id": False})
        own = Endpoint.create({"name": "Own", "url": "https://own.example.com"})
        with self.assertRaises(ValidationError):
            own.company_id = False
        self.assertEqual(own.company_id, self.company)
        shared = self.Endpoint.with_user(self.sysadmin).create(
            {
                "name": "Group ERP",
                "url": "https://group.example.com",
                "company_id": False,
                "auth_header_value": "Bearer group-secret-token",
            }
        )
        self.assertFalse(shared.company_id)
        own.auth_header_value = "Bearer own-token"
        self.env.invalidate_all()
        # the credentials of the shared endpoint are the administrators'
        for manager in (self.manager, self.manager_b):
            with self.subTest(manager=manager.login):
                values = shared.with_user(manager).read(["auth_header_value"])[0]
                self.assertFalse(values["auth_header_value"])
        self.env.invalidate_all()
        self.assertEqual(
            own.with_user(self.manager).read(["auth_header_value"])[0]["auth_header_value"],
            "Bearer own-token",
        )
        self.assertEqual(
            shared.with_user(self.sysadmin).auth_header_value, "Bearer group-secret-token"
        )
        self.env.invalidate_all()
        # managers of any company see it but cannot redirect it
        for manager in (self.manager, self.manager_b):
            with self.subTest(manager=manager.login):
                as_manager = shared.with_user(manager)
                with self.assertRaises(UserError):
                    as_manager.url = "https://evil.example.com"
                with self.assertRaises(UserError):
                    as_manager.action_test_connection()
                with self.assertRaises(UserError):
                    as_manager.unlink()
        self.assertEqual(shared.url, "https://group.example.com")
        # a company-B manager cannot create an endpoint in company A either
        with self.assertRaises(AccessError):
            self.Endpoint.with_user(self.manager_b).create(
                {"name": "A", "url": "https://a.example.com", "company_id": self.company.id}
            )
        shared.with_user(self.sysadmin).url = "https://group2.example.com"

    # ------------------------------------------------------------------
    # 5. managers configure endpoints
    # ------------------------------------------------------------------

    def test_manager_opens_and_creates_endpoints(self):
        Endpoint = self.Endpoint.with_user(self.manager)
        defaults = Endpoint.default_get(list(Endpoint._fields))
        self.assertTrue(defaults["field_ids"], "the default fields to send")
        with Form(Endpoint) as form:
            form.name = "Refrigerant register"
            form.url = "https://register.example.com/api"
        endpoint = form.record
        self.assertEqual(endpoint.company_id, self.company)
        self.assertIn("state", endpoint.sudo().field_ids.mapped("name"))
        self.assertIn("Customer", endpoint.field_labels)
        (values,) = self._open_views(self.endpoint, self.manager)
        self.assertIn("Customer", values["field_labels"])
        self.assertNotIn("field_ids", values)
        with Form(self.endpoint.with_user(self.manager)) as form:
            form.timeout = 20
        self.assertEqual(self.endpoint.timeout, 20)
        # without access to ir.model.fields itself
        with self.assertRaises(AccessError):
            self.env["ir.model.fields"].with_user(self.manager).search([], limit=1)

    # ------------------------------------------------------------------
    # 12. killed worker, clean-up by age
    # ------------------------------------------------------------------

    def test_attempt_committed_before_the_body_is_built(self):
        """A worker killed while building the body (a huge PDF) leaves the attempt on
        record: the message is not first in line again at once."""

        class WorkerKilled(BaseException):
            pass

        first = self._enqueue(self.order, self.endpoint)
        second = self._enqueue(self._order_in_state("done"), self.endpoint)
        self.env.flush_all()
        events = []

        def commit(cron, *args, **kwargs):
            cron.env.flush_all()
            events.append("commit")
            self.env.cr.execute("SAVEPOINT fm_worker_commit")
            return float("inf")

        def body(message):
            events.append("body")
            raise WorkerKilled

        IrCron = self.registry["ir.cron"]
        Message = self.registry["field.sync.message"]
        with freeze_time(NOW):
            self.assertEqual(self.Message._due_messages(limit=1), first)
        killed = False
        with (
            freeze_time(NOW),
            patch.object(IrCron, "_commit_progress", commit),
            patch.object(Message, "_body", body),
        ):
            try:  # not assertRaises: it would roll back to before the "commit"
                first._send_one()
            except WorkerKilled:
                killed = True
        self.assertTrue(killed)
        self.assertEqual(events, ["commit", "body"], "committed before building the body")
        # the worker dies: what was not committed is lost
        self.env.cr.execute("ROLLBACK TO SAVEPOINT fm_worker_commit")
        self.env.invalidate_all()
        self.assertEqual(first.attempts, 1)
        self.assertEqual(first.last_try, NOW)
        self.assertGreater(first.next_try, NOW)
        with freeze_time(NOW + timedelta(seconds=1)):
            self.assertEqual(self.Message._due_messages(limit=1), second)

    def test_retention_settings_and_clean_up(self):
        settings = self.env["res.config.settings"].with_user(self.sysadmin).create({})
        self.assertEqual(settings.fm_sync_retention_days, 90)
        self.assertEqual(settings.fm_scheduled_mail_retention_days, 90)
        settings.write({"fm_sync_retention_days": 0, "fm_scheduled_mail_retention_days": 10})
        settings.execute()
        params = self.env["ir.config_parameter"]
        self.assertEqual(params.get_param("field_maintenance.sync_retention_days"), "0")
        self.assertEqual(params.get_param("field_maintenance.scheduled_mail_retention_days"), "10")
        settings = self.env["res.config.settings"].with_user(self.sysadmin).create({})
        self.assertEqual(
            (settings.fm_sync_retention_days, settings.fm_scheduled_mail_retention_days),
            (0, 10),
        )
        with self.assertRaises(ValidationError):
            self.env["res.config.settings"].create({"fm_scheduled_mail_retention_days": -1})

        self._mail_rule()
        self._complete_as(self.dispatcher)
        self._complete_as(self.dispatcher)
        old_sent, old_pending = self._scheduled_rows().sorted("id")
        old_sent.sudo().state = "sent"
        recent_sent = old_sent.copy({"state": "sent"})
        self.env.flush_all()
        eleven_days_ago = NOW - timedelta(days=11)
        self.env.cr.execute(
            "UPDATE field_scheduled_mail SET write_date = %s WHERE id IN %s",
            [eleven_days_ago, (old_sent.id, old_pending.id)],
        )
        message = self._enqueue(self.order, self.endpoint)
        message.state = "sent"
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE field_sync_message SET write_date = %s WHERE id = %s",
            [NOW - timedelta(days=400), message.id],
        )
        self.env.invalidate_all()
        with freeze_time(NOW):
            self.Scheduled._gc_done_rows()
            self.Message._gc_done_rows()
        self.assertFalse(old_sent.exists(), "sent more than 10 days ago")
        self.assertTrue(old_pending.exists(), "not sent yet")
        self.assertTrue(recent_sent.exists(), "sent recently")
        self.assertTrue(message.exists(), "0 keeps the outbox forever")
