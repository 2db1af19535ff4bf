from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged


@tagged("post_install", "-at_install")
class TestPortal(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.customer = cls.env["res.partner"].create(
            {"name": "Brouwerij Het Anker", "is_company": True}
        )
        cls.other = cls.env["res.partner"].create({"name": "Frituur De Hoek", "is_company": True})
        cls.portal_user = new_test_user(
            cls.env,
            login="fm_portal",
            password="fm_portal_pw",
            groups="base.group_portal",
            name="Karel Anker",
        )
        cls.portal_user.partner_id.parent_id = cls.customer
        cls.own = cls.env["field.work.order"].create(
            {
                "partner_id": cls.customer.id,
                "summary": "Brewhouse boiler service",
                "internal_note": "<p>Customer pays late</p>",
                "line_ids": [
                    Command.create({"line_type": "other", "name": "Inspection", "price_unit": 80})
                ],
            }
        )
        cls.foreign = cls.env["field.work.order"].create(
            {"partner_id": cls.other.id, "summary": "Fryer hood"}
        )

    def test_customer_sees_own_work_orders_only(self):
        self.authenticate("fm_portal", "fm_portal_pw")
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
