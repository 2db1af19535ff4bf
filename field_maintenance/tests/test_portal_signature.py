"""Online signing of a work order on the portal (issue 19): name, time and network
address recorded, the signed PDF attached; refused with a wrong token, for another
customer's work order, a draft, or a work order signed already."""

from odoo.tests import tagged

from .common import PNG, FieldPortalCase

# the widget sends the drawing as base64 text
SIGNATURE = PNG.decode()


@tagged("post_install", "-at_install")
class TestPortalSignature(FieldPortalCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.order = cls._planned_work_order(summary="Boiler service")
        cls.order._portal_ensure_token()
        cls.foreign = cls._planned_work_order(partner_id=cls.other_customer.id)
        cls.foreign._portal_ensure_token()

    def _sign(self, order, token=None, name="Jan Janssens", signature=SIGNATURE):
        return self.make_jsonrpc_request(
            f"/my/work_orders/{order.id}/sign",
            {"access_token": token, "name": name, "signature": signature},
        )

    def test_sign_with_the_link(self):
        page = self.url_open(
            f"/my/work_orders/{self.order.id}?access_token={self.order.access_token}"
        )
        self.assertIn("Sign online", page.text)
        self.assertIn(f"/my/work_orders/{self.order.id}/sign", page.text)
        result = self._sign(self.order, self.order.access_token)
        self.assertTrue(result.get("force_refresh"), result)
        self.assertTrue(self.order.signature)
        self.assertEqual(self.order.signed_by, "Jan Janssens")
        self.assertTrue(self.order.signed_on)
        self.assertEqual(self.order.signed_ip, "127.0.0.1")
        message = self.order.message_ids.filtered(lambda m: "Signed online" in str(m.body))
        self.assertEqual(len(message), 1)
        self.assertEqual(message.author_id, self.order.partner_id)
        self.assertEqual(len(message.attachment_ids), 1, "the signed work order is attached")
        # once signed: no second signature
        self.assertIn("error", self._sign(self.order, self.order.access_token, name="Other"))
        self.assertEqual(self.order.signed_by, "Jan Janssens")
        page = self.url_open(
            f"/my/work_orders/{self.order.id}?access_token={self.order.access_token}"
        )
        self.assertNotIn("Sign online", page.text)

    def test_refusals(self):
        self.assertIn("error", self._sign(self.order, "wrong-token"))
        self.assertIn("error", self._sign(self.order))
        self.assertIn("error", self._sign(self.order, self.foreign.access_token))
        self.assertIn("error", self._sign(self.order, self.order.access_token, name=" "))
        self.assertIn("error", self._sign(self.order, self.order.access_token, signature="n0t*b64"))
        draft = self._work_order()
        draft._portal_ensure_token()
        self.assertIn("error", self._sign(draft, draft.access_token))
        self.assertFalse((self.order | draft).filtered("signature"))
        # the customer's own account signs their order, not another customer's
        self._log_in_portal()
        self.assertIn("error", self._sign(self.foreign))
        self.assertFalse(self.foreign.signature)
        self.assertTrue(self._sign(self.order).get("force_refresh"))
        self.assertEqual(self.order.signed_by, "Jan Janssens")
