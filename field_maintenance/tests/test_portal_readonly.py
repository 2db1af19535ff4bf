"""Read-only portal routes (issue 18): the GET pages and report downloads of the portal
are declared ``readonly`` so that a deployment with ``db_replica_host`` serves them from
the replica, and they really render on a read-only cursor (a write would make Odoo run
the request again on the primary). A page that has to create a token first (the access
token of a work order, the booking token of a plan) asks for the primary until it has it.

In test mode Odoo gives a ``readonly`` route a read-only test cursor (``SET TRANSACTION
READ ONLY``); the cursors a request opens are recorded as Odoo's own
``web.tests.test_assets`` does."""

from unittest.mock import patch

from odoo import Command
from odoo.tests import freeze_time, tagged

from .common import FieldPortalCase
from .test_portal_booking import BookingFixtures

# a read-only route that writes all the same is run again on the primary, with this warning
RETRY_WARNING = "retrying with a read/write cursor"


@tagged("post_install", "-at_install")
class TestPortalReadonly(BookingFixtures, FieldPortalCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_booking()
        cls.company.fm_public_request_enabled = True
        cls.equipment = cls.env["field.equipment"].create(
            {
                "name": "Cold room Janssens",
                "partner_id": cls.customer.id,
                "refrigerant_id": cls.env.ref("field_maintenance.refrigerant_r410a").id,
                "refrigerant_charge_kg": 12.0,
            }
        )
        cls.equipment._portal_ensure_token()
        cls.plan.equipment_ids = cls.equipment
        cls.order = cls._planned_work_order(
            summary="Cold room service", equipment_ids=[Command.set(cls.equipment.ids)]
        )
        cls.order._portal_ensure_token()
        # the links of the customer's plans (the boiler's, with a new due date from its
        # installation, and the leak check plan of the F-gas installation)
        cls.plans = cls.env["field.maintenance.plan"].search([("partner_id", "=", cls.customer.id)])
        cls.plans._booking_ensure_token()
        cls.token = cls.plan.sudo().booking_token

    def _routing(self, path, method="GET"):
        rule, _args = (
            self.env["ir.http"].routing_map().bind("").match(path, method=method, return_rule=True)
        )
        return rule.endpoint.routing

    def _open(self, url, **kwargs):
        """The response to ``url`` and whether each cursor the request opened was read-only
        (Odoo opens a read-only one first, then a read/write one for a read/write route or
        to run a read-only route again that tried to write)."""
        opened = []
        cursor = self.registry.cursor

        def recording_cursor(readonly=False):
            cr = cursor(readonly=readonly)
            opened.append(cr.readonly)
            return cr

        with patch.object(self.registry, "cursor", recording_cursor):
            response = self.url_open(url, **kwargs)
        return response, opened

    def _assert_readonly_page(self, url, text):
        with self.assertNoLogs("odoo.http", "WARNING"):
            response, opened = self._open(url)
        self.assertEqual(response.status_code, 200, url)
        self.assertIn(text, response.text, url)
        self.assertEqual(opened, [True], f"{url}: served on a read-only cursor only")

    def _assert_primary_page(self, url, text):
        with self.assertNoLogs("odoo.http", "WARNING"):
            response, opened = self._open(url)
        self.assertEqual(response.status_code, 200, url)
        self.assertIn(text, response.text, url)
        self.assertEqual(opened, [True, False], f"{url}: served on the primary")

    def test_routes_are_declared_readonly(self):
        plan, order, equipment = self.plan.id, self.order.id, self.equipment.id
        for path in (
            "/my/work_orders",
            "/my/work_orders/page/2",
            "/my/installations",
            f"/my/work_orders/{order}",
            f"/my/installations/{equipment}/fgas",
            f"/my/maintenance/{plan}/book",
            "/my/service_request",
            "/service_request",
        ):
            readonly = self._routing(path)["readonly"]
            self.assertTrue(readonly is True or callable(readonly), path)
        # positive control: the routes that write are read/write
        for path in (
            f"/my/maintenance/{plan}/book",
            f"/my/maintenance/{plan}/cancel",
            "/my/service_request",
            "/service_request",
            f"/my/work_orders/{order}/extra_work/decline",
        ):
            self.assertIs(self._routing(path, "POST")["readonly"], False, path)
        self.assertIs(self._routing(f"/my/work_orders/{order}/sign", "POST")["readonly"], False)

    def test_customer_pages_render_on_a_readonly_cursor(self):
        self._log_in_portal()
        self.url_open("/my")  # the session's device trace (written once) is not measured
        order, equipment = self.order, self.equipment
        self._assert_readonly_page("/my/work_orders", order.name)
        self._assert_readonly_page("/my/installations", "Cold room Janssens")
        self._assert_readonly_page(f"/my/work_orders/{order.id}", "Cold room service")
        self._assert_readonly_page(
            f"/my/work_orders/{order.id}?report_type=html", "Cold room service"
        )
        # the PDF (rendered as HTML in test mode): not stored as an attachment
        self._assert_readonly_page(
            f"/my/work_orders/{order.id}?report_type=pdf&download=true", order.name
        )
        self._assert_readonly_page(f"/my/installations/{equipment.id}/fgas", "Cold room")
        self._assert_readonly_page(
            f"/my/installations/{equipment.id}/fgas?report_type=html", "Cold room Janssens"
        )
        self._assert_readonly_page("/my/service_request", "Cold room Janssens")

    @freeze_time("2027-03-20 10:00:00")
    def test_visitor_pages_render_on_a_readonly_cursor(self):
        plan, equipment = self.plan, self.equipment
        self._assert_readonly_page(
            f"/my/maintenance/{plan.id}/book?access_token={self.token}", "08:00"
        )
        self._assert_readonly_page(
            f"/my/installations/{equipment.id}/fgas?access_token={equipment.access_token}",
            "Cold room Janssens",
        )
        self._assert_readonly_page("/service_request", 'name="description"')
        self._assert_readonly_page(
            f"/my/work_orders/{self.order.id}?access_token={self.order.access_token}",
            "Cold room service",
        )

    @freeze_time("2027-03-20 10:00:00")
    def test_page_after_booking_reads_the_primary(self):
        # right after booking (the redirect): the customer's own change, from the primary
        self._assert_primary_page(
            f"/my/maintenance/{self.plan.id}/book?access_token={self.token}&booked=1", "08:00"
        )

    def test_pages_that_create_a_token_use_the_primary_once(self):
        self._log_in_portal()
        self.url_open("/my")
        order = self._planned_work_order(summary="Fryer hood service")
        self.assertFalse(order.access_token)
        # the list links the work order with its token: created on the primary, once
        self._assert_primary_page("/my/work_orders", order.name)
        self.assertTrue(order.access_token)
        self._assert_readonly_page("/my/work_orders", order.name)
        # the work order's page: the same for its first visit
        order.access_token = False
        self._assert_primary_page(f"/my/work_orders/{order.id}", "Fryer hood service")
        self.assertTrue(order.access_token)
        self._assert_readonly_page(f"/my/work_orders/{order.id}", "Fryer hood service")
        # a report needs no token
        order.access_token = False
        self._assert_readonly_page(f"/my/work_orders/{order.id}?report_type=html", order.name)
        self.assertFalse(order.access_token)
        # My Installations links the plan's booking page with its token
        self.plan.sudo().booking_token = False
        self._assert_primary_page("/my/installations", "Cold room Janssens")
        self.assertTrue(self.plan.sudo().booking_token)
        self._assert_readonly_page("/my/installations", "Cold room Janssens")
