"""The buttons users press to jump between records (smart buttons), and the checks of the
forms behind them: contacts, endpoints, calendar events, maintenance of a work order."""

from datetime import datetime

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common import FieldMaintenanceCase


@tagged("post_install", "-at_install")
class TestButtons(FieldMaintenanceCase):
    def test_equipment_of_a_contact(self):
        """From a contact or its site, the equipment of the whole customer; a new one
        is for the customer."""
        boiler = self.env["field.equipment"].create(
            {"name": "Boiler", "partner_id": self.customer.id, "site_partner_id": self.site.id}
        )
        self.env["field.equipment"].create({"name": "Fryer", "partner_id": self.other_customer.id})
        action = self.site.action_view_fm_equipment()
        self.assertEqual(action["res_model"], "field.equipment")
        self.assertEqual(self.env["field.equipment"].search(action["domain"]), boiler)
        self.assertEqual(action["context"]["default_partner_id"], self.customer.id)
        self.assertEqual(self.site.fm_equipment_count, 1)
        self.assertEqual(self.customer._fm_one_line_address(), "Korenmarkt 1, 9000 Gent")
        self.assertEqual(self.env["res.partner"]._fm_one_line_address(), "")

    def test_messages_of_an_endpoint(self):
        """The counters of an endpoint open its messages of that status."""
        endpoint = self.env["field.sync.endpoint"].create(
            {"name": "ERP", "url": "https://erp.example.com/api"}
        )
        for method, state in (
            ("action_view_pending_messages", "pending"),
            ("action_view_failed_messages", "failed"),
            ("action_view_sent_messages", "sent"),
        ):
            action = getattr(endpoint.with_user(self.manager), method)()
            self.assertEqual(action["res_model"], "field.sync.message")
            self.assertEqual(action["domain"], [("endpoint_id", "=", endpoint.id)])
            self.assertEqual(action["context"][f"search_default_{state}"], 1)

    def test_endpoint_addresses_and_headers_that_do_not_fit(self):
        Endpoint = self.env["field.sync.endpoint"]
        for url in ("https://erp.example.com:port/api", "ftp://erp.example.com", "https://"):
            with self.subTest(url=url), self.assertRaisesRegex(ValidationError, "is not"):
                Endpoint.create({"name": "Bad", "url": url})
        for header in ("Authorization: Bearer", "X Api Key", "Clé"):
            with (
                self.subTest(header=header),
                self.assertRaisesRegex(ValidationError, "plain header name"),
            ):
                Endpoint.create(
                    {"name": "Bad", "url": "https://erp.example.com", "auth_header_name": header}
                )
        Endpoint.create(
            {
                "name": "Good",
                "url": "https://erp.example.com:8443/api",
                "auth_header_name": "X-Api-Key",
            }
        )

    def test_calendar_event_of_a_work_order(self):
        order = self._planned_work_order()
        action = order.action_view_calendar_event()
        self.assertEqual(action["res_model"], "calendar.event")
        self.assertEqual(action["res_id"], order.calendar_event_ids.id)
        self.assertTrue(order.calendar_event_ids)

    def test_no_maintenance_to_cancel(self):
        order = self._work_order()
        with self.assertRaisesRegex(UserError, "has no periodic maintenance to cancel"):
            order.action_cancel_maintenance_plan()

    def test_reminder_only_for_active_plans(self):
        plan = self.env["field.maintenance.plan"].create(
            {
                "name": "Yearly",
                "partner_id": self.customer.id,
                "interval_number": 1,
                "interval_unit": "year",
                "next_date": datetime(2027, 3, 15).date(),
                "equipment_ids": [Command.clear()],
            }
        )
        plan._cancel("Contract ended")
        with self.assertRaisesRegex(UserError, "only sent for active maintenance plans"):
            plan.action_send_reminder()
