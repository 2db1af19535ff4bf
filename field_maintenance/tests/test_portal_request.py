"""Service requests on the portal and through the public form (issue 19): a draft work
order with the customer's installation, site and photos, acknowledged by e-mail; the
refusals (other customer's installation, wrong files, no CSRF token, form disabled, rate
limit) and the "service requested" rule trigger."""

import base64
import re
from unittest.mock import patch

from odoo.tests import tagged
from odoo.tools import mute_logger

from ..controllers import portal_request
from .common import PNG, FieldPortalCase


@tagged("post_install", "-at_install")
class TestServiceRequest(FieldPortalCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.boiler = cls.env["field.equipment"].create(
            {"name": "Gas boiler Vaillant", "partner_id": cls.customer.id}
        )
        cls.foreign_boiler = cls.env["field.equipment"].create(
            {"name": "Fryer hood", "partner_id": cls.other_customer.id}
        )
        cls.photo = base64.b64decode(PNG)

    def _csrf(self, url):
        page = self.url_open(url)
        self.assertEqual(page.status_code, 200)
        return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)

    def _requests(self):
        return self.env["field.work.order"].search(
            [("self_service_origin", "in", ("portal_request", "public_request"))]
        )

    def test_portal_customer_requests_service(self):
        self._log_in_portal()
        page = self.url_open("/my/service_request")
        self.assertIn("Gas boiler Vaillant", page.text)
        self.assertNotIn("Fryer hood", page.text, "only the customer's own installations")
        response = self.url_open(
            "/my/service_request",
            data={
                "csrf_token": self._csrf("/my/service_request"),
                "description": "Boiler shows error F28\n<script>alert(1)</script>",
                "equipment_id": self.boiler.id,
                "site_id": self.site.id,
            },
            files={"photos": ("boiler.png", self.photo, "image/png")},
        )
        self.assertEqual(response.status_code, 200)
        order = self._requests()
        self.assertEqual(len(order), 1)
        self.assertIn(order.name, response.text)
        self.assertEqual(order.state, "draft")
        self.assertEqual(order.self_service_origin, "portal_request")
        self.assertEqual(order.partner_id, self.portal_user.partner_id)
        self.assertEqual(order.commercial_partner_id, self.customer)
        self.assertEqual(order.equipment_ids, self.boiler)
        self.assertEqual(order.site_partner_id, self.site)
        self.assertEqual(order.summary, "Boiler shows error F28")
        self.assertNotIn("<script>", str(order.description), "the text is escaped")
        self.assertEqual(order.photo_ids.mimetype, "image/png")
        acknowledgement = order.message_ids.filtered(
            lambda message: self.portal_user.partner_id in message.partner_ids
        )
        self.assertTrue(acknowledgement, "acknowledged to the customer")
        self.assertIn(order.name, str(acknowledgement.body))

    def test_portal_refusals(self):
        self._log_in_portal()
        csrf = self._csrf("/my/service_request")
        base = {"csrf_token": csrf, "description": "Leak"}
        # another customer's installation
        response = self.url_open(
            "/my/service_request", data={**base, "equipment_id": self.foreign_boiler.id}
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("one of your installations", response.text)
        # another customer's address
        response = self.url_open(
            "/my/service_request", data={**base, "site_id": self.other_customer.id}
        )
        self.assertEqual(response.status_code, 400)
        # not a photo, whatever its name
        response = self.url_open(
            "/my/service_request",
            data=base,
            files={"photos": ("evil.png", b"<html><script>1</script></html>", "image/png")},
        )
        self.assertEqual(response.status_code, 400)
        self.assertIn("is not a photo", response.text)
        # too large
        with patch.object(portal_request, "MAX_PHOTO_BYTES", 10):
            response = self.url_open(
                "/my/service_request",
                data=base,
                files={"photos": ("big.png", self.photo, "image/png")},
            )
        self.assertEqual(response.status_code, 400)
        self.assertIn("too large", response.text)
        # no description, no CSRF token
        self.assertEqual(
            self.url_open("/my/service_request", data={"csrf_token": csrf}).status_code, 400
        )
        with mute_logger("odoo.http"):  # Odoo logs the missing CSRF token
            response = self.url_open("/my/service_request", data={"description": "Leak"})
        self.assertEqual(response.status_code, 400)
        self.assertFalse(self._requests(), "nothing created")
        # the public is sent to log in
        self.authenticate(None, None)
        response = self.url_open("/my/service_request", allow_redirects=False)
        self.assertIn(response.status_code, (302, 303))

    def test_public_form(self):
        self.company.fm_public_request_enabled = False
        self.assertEqual(self.url_open("/service_request").status_code, 404)
        self.company.fm_public_request_enabled = True
        self.company.fm_request_rate_limit = 2
        data = {
            "name": "Piet Peeters",
            "email": "piet@example.com",
            "phone": "",
            "street": "Veldstraat 3",
            "zip": "9000",
            "city": "Gent",
            "description": "No hot water",
        }
        for _attempt in range(2):
            response = self.url_open(
                "/service_request", data={**data, "csrf_token": self._csrf("/service_request")}
            )
            self.assertEqual(response.status_code, 200)
        orders = self._requests()
        self.assertEqual(len(orders), 2)
        self.assertEqual(set(orders.mapped("self_service_origin")), {"public_request"})
        self.assertEqual(orders[0].partner_id.name, "Piet Peeters")
        self.assertNotEqual(orders[0].partner_id, orders[1].partner_id, "never an existing contact")
        self.assertTrue(orders[0].request_ip)
        # the third within the hour from the same address
        response = self.url_open(
            "/service_request", data={**data, "csrf_token": self._csrf("/service_request")}
        )
        self.assertEqual(response.status_code, 429)
        self.assertEqual(len(self._requests()), 2)
        # without the CSRF token
        self.company.fm_request_rate_limit = 10
        with mute_logger("odoo.http"):  # Odoo logs the missing CSRF token
            self.assertEqual(self.url_open("/service_request", data=data).status_code, 400)
        self.assertEqual(len(self._requests()), 2)

    def test_rule_trigger_service_requested(self):
        rule = self._priority_rule("Service requested", "wo_service_requested", "2")
        self.assertEqual(rule.trigger, "on_create")
        self.assertEqual(self._work_order().priority, "0", "an office work order")
        self._log_in_portal()
        self.url_open(
            "/my/service_request",
            data={"csrf_token": self._csrf("/my/service_request"), "description": "Noise"},
        )
        self.assertEqual(self._requests().priority, "2")
