from datetime import date

from odoo import Command
from odoo.tests import tagged

from .common import FieldPortalCase


@tagged("post_install", "-at_install")
class TestPortal(FieldPortalCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # planned: draft and cancelled work orders are not on the portal
        cls.own = cls._planned_work_order(
            summary="Brewhouse boiler service",
            internal_note="<p>Customer pays late</p>",
            line_ids=[
                Command.create({"line_type": "other", "name": "Inspection", "price_unit": 80})
            ],
        )
        cls.foreign = cls._planned_work_order(
            partner_id=cls.other_customer.id, summary="Fryer hood"
        )

    def test_customer_sees_own_work_orders_only(self):
        self._log_in_portal()
        listing = self.url_open("/my/work_orders")
        self.assertEqual(listing.status_code, 200)
        self.assertIn(self.own.name, listing.text)
        self.assertNotIn(self.foreign.name, listing.text)
        detail = self.url_open(f"/my/work_orders/{self.own.id}")
        self.assertEqual(detail.status_code, 200)
        self.assertIn("Brewhouse boiler service", detail.text)
        self.assertNotIn("Customer pays late", detail.text, "internal note stays internal")
        refused = self.url_open(f"/my/work_orders/{self.foreign.id}", allow_redirects=False)
        self.assertIn(refused.status_code, (302, 303, 403))
        self.assertNotIn("Fryer hood", refused.text)

    def test_access_token_link(self):
        self.own._portal_ensure_token()
        page = self.url_open(f"/my/work_orders/{self.own.id}?access_token={self.own.access_token}")
        self.assertEqual(page.status_code, 200)
        self.assertIn(self.own.name, page.text)
        wrong = self.url_open(
            f"/my/work_orders/{self.own.id}?access_token=not-the-token", allow_redirects=False
        )
        self.assertNotEqual(wrong.status_code, 200)

    def test_customer_sees_own_installations_and_next_maintenance(self):
        site = self.env["res.partner"].create(
            {
                "name": "Brewhouse",
                "parent_id": self.customer.id,
                "type": "delivery",
                "street": "Guido Gezellelaan 49",
                "zip": "2800",
                "city": "Mechelen",
            }
        )
        boiler = self.env["field.equipment"].create(
            {
                "name": "Brewhouse steam boiler",
                "partner_id": self.customer.id,
                "site_partner_id": site.id,
                "brand": "Viessmann",
                "model": "Vitoplex 300",
                "serial_number": "VX-300-1187",
            }
        )
        self.env["field.equipment"].create(
            {
                "name": "Fryer hood fan",
                "partner_id": self.other_customer.id,
                "serial_number": "FH-1",
            }
        )
        plan = self.env["field.maintenance.plan"].create(
            {
                "name": "Yearly boiler service",
                "partner_id": self.customer.id,
                "equipment_ids": [Command.set(boiler.ids)],
                "interval_number": 1,
                "interval_unit": "year",
                "next_date": date(2027, 4, 12),
            }
        )
        self.own.equipment_ids = boiler
        self.assertEqual(boiler.next_maintenance_date, plan.next_date)

        self._log_in_portal()
        home = self.url_open("/my/home")
        self.assertEqual(home.status_code, 200)
        self.assertIn("/my/installations", home.text)
        counters = self.make_jsonrpc_request(
            "/my/counters", {"counters": ["installation_count", "work_order_count"]}
        )
        self.assertEqual(counters, {"installation_count": 1, "work_order_count": 1})

        page = self.url_open("/my/installations")
        self.assertEqual(page.status_code, 200)
        self.assertIn("Brewhouse steam boiler", page.text)
        self.assertIn("Viessmann Vitoplex 300", page.text)
        self.assertIn("VX-300-1187", page.text)
        self.assertIn("Guido Gezellelaan 49, 2800 Mechelen", page.text)
        self.assertIn("04/12/2027", page.text, "the next maintenance date is shown")
        self.assertNotIn("Fryer hood fan", page.text, "installations of other customers")

        # the work orders of one installation
        orders = self.url_open(f"/my/work_orders?installation={boiler.id}")
        self.assertIn(self.own.name, orders.text)
        self.assertIn("Brewhouse steam boiler", orders.text)
        self.assertIn('href="/my/installations"', orders.text, "a way back to the installations")
        other_order = self._planned_work_order(summary="Office heating")
        orders = self.url_open(f"/my/work_orders?installation={boiler.id}")
        self.assertNotIn(other_order.name, orders.text)
        self.assertIn(other_order.name, self.url_open("/my/work_orders").text)

    def test_installation_filter_of_another_customer_is_ignored(self):
        foreign = self.env["field.equipment"].create(
            {"name": "Fryer hood fan", "partner_id": self.other_customer.id}
        )
        self.foreign.equipment_ids = foreign
        self._log_in_portal()
        page = self.url_open(f"/my/work_orders?installation={foreign.id}")
        self.assertEqual(page.status_code, 200)
        self.assertNotIn("Fryer hood fan", page.text)
        self.assertNotIn(self.foreign.name, page.text)
        self.assertIn(self.own.name, page.text, "the customer's own work orders, unfiltered")
