"""Outbox messages: how a manager sees them, every type of work-order field in the
payload, a report that cannot be rendered, unusual answers of the remote, addresses
endpoints may not reach."""

import io
import json
from datetime import date, datetime
from unittest.mock import patch

import requests
from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.field_maintenance.models import field_sync_endpoint_transport as transport
from odoo.addons.field_maintenance.tools.sync_http import SyncReply, forbidden_address

from .common import PNG, FieldMaintenanceCase

T0 = datetime(2026, 3, 2, 9, 0)
PUBLIC = "93.184.215.14"


def answering(status, reason=""):
    """A remote that answers ``status`` to every request (patched over
    ``requests.Session.send``); the requests are kept in its ``calls``."""
    calls = []

    def send(session, request, **kwargs):
        calls.append(request)
        response = requests.Response()
        response.status_code = status
        response.reason = reason
        response.raw = io.BytesIO(b"{}")
        response.url = request.url
        response.request = request
        return response

    send.calls = calls
    return send


@tagged("post_install", "-at_install")
class TestSyncMessages(FieldMaintenanceCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.cron = cls.env.ref("field_maintenance.ir_cron_field_sync_send")
        cls.endpoint = cls.env["field.sync.endpoint"].create(
            {"name": "Head-office ERP", "url": "https://erp.example.com/api/work-orders"}
        )
        cls.order = cls._order_in_state("done")

    def setUp(self):
        super().setUp()
        self.startPatcher(patch.object(transport, "resolve_host", return_value=[PUBLIC]))

    def _enqueue(self, order=None, endpoint=None):
        with freeze_time(T0):
            return self.env["field.sync.message"]._enqueue(
                order or self.order, endpoint or self.endpoint, event="wo_completed"
            )

    def test_how_a_manager_sees_a_message(self):
        message = self._enqueue()
        self.assertEqual(message.display_name, f"{self.order.name} → Head-office ERP")
        pretty = message.payload_pretty
        self.assertEqual(json.loads(pretty), json.loads(message.payload))
        self.assertIn('\n  "event": "wo_completed"', pretty, "indented for reading")
        action = message.with_user(self.manager).action_open_document()
        self.assertEqual(
            (action["res_model"], action["res_id"], action["views"]),
            ("field.work.order", self.order.id, [(False, "form")]),
        )

    def test_every_type_of_field_in_the_payload(self):
        """Dates, yes/no, formatted texts and empty links are sent as JSON values."""
        names = ["maintenance_due_date", "is_adhoc", "description", "site_partner_id"]
        Fields = self.env["ir.model.fields"]
        self.endpoint.field_ids = [
            Command.link(Fields._get("field.work.order", n).id) for n in names
        ]
        filled = self._order_in_state(
            "done",
            maintenance_due_date=date(2026, 4, 1),
            is_adhoc=True,
            description="<p>Burner <b>cleaned</b></p>",
            site_partner_id=self.site.id,
        )
        empty = self._order_in_state("done", partner_id=self.other_customer.id)
        empty.description = False
        data = {
            order: json.loads(self._enqueue(order).payload)["data"] for order in (filled, empty)
        }
        self.assertEqual(data[filled]["maintenance_due_date"], "2026-04-01")
        self.assertIs(data[filled]["is_adhoc"], True)
        self.assertEqual(data[filled]["description"], "<p>Burner <b>cleaned</b></p>")
        self.assertEqual(data[filled]["site_partner_id"]["id"], self.site.id)
        self.assertEqual(
            {name: data[empty][name] for name in names},
            {
                "maintenance_due_date": None,
                "is_adhoc": False,
                "description": None,
                "site_partner_id": {
                    "id": self.other_customer.id,
                    "name": "Café De Zon",
                    "ref": None,
                    "vat": None,
                    "email": None,
                },
            },
        )
        self.endpoint.field_ids = [Command.set(Fields._get("field.work.order", "work_type_id").ids)]
        no_type = self._order_in_state("done", work_type_id=False)
        self.assertEqual(json.loads(self._enqueue(no_type).payload)["data"], {"work_type_id": None})

    def test_photos_sent_with_the_files(self):
        self.endpoint.include_attachments = True
        photo = self.env["ir.attachment"].create(
            {
                "name": "leak.png",
                "datas": PNG,
                "res_model": "res.partner",
                "res_id": self.customer.id,
            }
        )
        self.order.photo_ids = [Command.link(photo.id)]
        message = self._enqueue()
        remote = answering(200, "OK")
        self._run_cron(self.cron, T0, remote)
        self.assertEqual(message.state, "sent")
        body = json.loads(remote.calls[0].body)
        self.assertEqual(
            [(a["name"], a["mimetype"], a["data"]) for a in body["attachments"]],
            [("leak.png", "image/png", PNG.decode())],
        )

    @mute_logger("odoo.addons.field_maintenance.models.field_sync_message")
    def test_report_that_cannot_be_rendered_is_retried(self):
        """A work-order report that no longer renders (e.g. a customisation that reads a
        field removed since) keeps the message pending with the reason; once the report
        is fixed, the next attempt sends it."""
        self.endpoint.include_report = True
        message = self._enqueue()
        view = self.env.ref("field_maintenance.report_work_order_document")
        arch = view.arch_db
        self.env.cr.execute(
            "UPDATE ir_ui_view SET arch_db = jsonb_build_object('en_US', %s) WHERE id = %s",
            [arch.replace(">", '><t t-out="doc.no_such_field"/>', 1), view.id],
        )
        self.env.invalidate_all()
        self.env.registry.clear_cache("templates")
        remote = answering(200, "OK")
        self._run_cron(self.cron, T0, remote)
        self.assertFalse(remote.calls, "nothing is sent without its report")
        self.assertRecordValues(message, [{"state": "pending", "attempts": 1}])
        self.assertIn("Could not prepare the message", message.last_error)
        self.assertGreater(message.next_try, T0)
        self.env.cr.execute(
            "UPDATE ir_ui_view SET arch_db = jsonb_build_object('en_US', %s) WHERE id = %s",
            [arch, view.id],
        )
        self.env.invalidate_all()
        self.env.registry.clear_cache("templates")
        self._run_cron(self.cron, message.next_try, remote)
        self.assertEqual(message.state, "sent")
        self.assertIn("report", json.loads(remote.calls[0].body))

    def test_unusual_answers_of_the_remote(self):
        """A status without a standard meaning: the error shows the code, never the
        remote's own words (text it chose)."""
        message = self._enqueue()
        self._run_cron(self.cron, T0, answering(599, "Ask <b>me</b>"))
        self.assertRecordValues(message, [{"state": "pending", "response_code": 599}])
        self.assertEqual(message.last_error, "The remote answered 599 .")
        self.assertEqual(SyncReply(599, "Ask me", "").standard_reason, "")
        self.assertEqual(SyncReply(503, "", "").standard_reason, "Service Unavailable")

    def test_addresses_endpoints_may_not_reach(self):
        for address in (
            "not an address",
            "10.0.0.1",
            "::ffff:10.0.0.1",  # IPv4-mapped
            "2002:a00:1::1",  # 6to4 of 10.0.0.1
            "2001:0:4136:e378:8000:63bf:f5ff:fffe",  # Teredo of 10.0.0.1
            "fe80::1%eth0",
        ):
            self.assertTrue(forbidden_address(address), address)
        for address in (PUBLIC, "2606:2800:220:1:248:1893:25c8:1946"):
            self.assertFalse(forbidden_address(address), address)
        message = self._enqueue()
        remote = answering(200, "OK")
        with patch.object(transport, "resolve_host", return_value=["::ffff:127.0.0.1"]):
            self._run_cron(self.cron, T0, remote)
        self.assertFalse(remote.calls)
        self.assertEqual(message.state, "pending")
        self.assertIn("private, local or reserved network", message.last_error)

    def test_host_that_does_not_resolve(self):
        """A host name that does not resolve (a typo, DNS down): the message waits and is
        tried again later, with the reason."""
        message = self._enqueue()
        remote = answering(200, "OK")
        with patch.object(transport, "resolve_host", side_effect=OSError("Name or service")):
            self._run_cron(self.cron, T0, remote)
        self.assertFalse(remote.calls)
        self.assertRecordValues(message, [{"state": "pending", "attempts": 1}])
        self.assertIn("No answer from the remote (ConnectionError)", message.last_error)
        self._run_cron(self.cron, message.next_try, remote)
        self.assertEqual(message.state, "sent")

    def test_retention_setting_that_is_not_a_number(self):
        """A retention period that is not a number (set by hand in the system parameters)
        counts as the default: 90 days."""
        self.env["ir.config_parameter"].set_param(
            "field_maintenance.sync_retention_days", "three months"
        )
        self.assertEqual(self.env["res.config.settings"].create({}).fm_sync_retention_days, 90)
        old = self._enqueue()
        recent = self._enqueue()
        (old | recent).write({"state": "sent"})
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE field_sync_message SET write_date = now() - interval '100 days' WHERE id = %s",
            [old.id],
        )
        self.env.invalidate_all()
        self.env["field.sync.message"]._gc_done_rows()
        self.assertFalse(old.exists(), "sent more than 90 days ago")
        self.assertTrue(recent.exists())
