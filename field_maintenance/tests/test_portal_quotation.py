"""Quotations of extra work (issue 19): a technician proposes extra work on site (and
only proposes it), sends it for approval; the customer accepts it on the portal with
name and signature (time and address recorded, PDF attached) or declines it; refused
with a wrong token, for another customer, with nothing proposed, once decided or when
the company does not use it. Only accepted extra work is invoiced."""

from odoo import Command, http
from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import PNG, FieldInvoicingCase, FieldPortalCase

SIGNATURE = PNG.decode()


@tagged("post_install", "-at_install")
class TestPortalQuotation(FieldPortalCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.fm_extra_work_portal = True
        cls.order = cls._planned_work_order(
            line_ids=[
                Command.create({"product_id": cls.material.id, "quantity": 1.0}),
                Command.create(
                    {
                        "product_id": cls.valve.id,
                        "name": "Replace thermostatic valve",
                        "quantity": 2.0,
                        "extra_work_state": "proposed",
                    }
                ),
            ]
        )
        cls.order._portal_ensure_token()
        cls.regular, cls.extra = cls.order.line_ids
        cls.foreign = cls._planned_work_order(
            partner_id=cls.other_customer.id,
            line_ids=[Command.create({"product_id": cls.valve.id, "extra_work_state": "proposed"})],
        )
        cls.foreign._portal_ensure_token()

    def _url(self, order=None, token=True):
        order = order or self.order
        return f"/my/work_orders/{order.id}" + (f"?access_token={order.access_token}" * token)

    def _accept(self, order, token=None, name="Jan Janssens", signature=SIGNATURE):
        return self.make_jsonrpc_request(
            f"/my/work_orders/{order.id}/extra_work/accept",
            {"access_token": token, "name": name, "signature": signature},
        )

    def _csrf(self):
        # the CSRF token of the test client's session, as the page's form carries it
        if not getattr(self, "session", None):
            self.authenticate(None, None)  # a visitor's session
        return http.Request.csrf_token(self)

    def _decline(self, order, token=None, csrf=True):
        data = {"csrf_token": self._csrf()} if csrf else {}
        if token:
            data["access_token"] = token
        return self.url_open(f"/my/work_orders/{order.id}/extra_work/decline", data=data)

    def test_accept_with_the_link(self):
        page = self.url_open(self._url())
        self.assertIn("Extra Work to Accept", page.text)
        self.assertIn("Replace thermostatic valve", page.text)
        self.assertIn(f"/my/work_orders/{self.order.id}/extra_work/accept", page.text)
        result = self._accept(self.order, self.order.access_token)
        self.assertTrue(result.get("force_refresh"), result)
        self.assertEqual(self.extra.extra_work_state, "accepted")
        self.assertFalse(self.regular.extra_work_state, "the other lines are no extra work")
        self.assertEqual(self.order.extra_work_signed_by, "Jan Janssens")
        self.assertTrue(self.order.extra_work_signature)
        self.assertTrue(self.order.extra_work_signed_on)
        self.assertEqual(self.order.extra_work_signed_ip, "127.0.0.1")
        self.assertFalse(self.order.signature, "the work order itself is not signed")
        message = self.order.message_ids.filtered(lambda m: "Extra work accepted" in str(m.body))
        self.assertEqual(len(message), 1)
        self.assertEqual(message.author_id, self.order.partner_id)
        self.assertEqual(len(message.attachment_ids), 1, "the work order PDF is attached")
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("field_maintenance.action_report_work_order", self.order.ids)[0]
            .decode()
        )
        self.assertIn("Extra Work Accepted", html)
        self.assertRegex(html, r"Extra work:\s*<span>Accepted</span>")
        # decided: no second answer, nothing left to accept on the page
        self.assertIn("error", self._accept(self.order, self.order.access_token, name="Other"))
        self._decline(self.order, self.order.access_token)
        self.assertEqual(self.extra.extra_work_state, "accepted")
        self.assertEqual(self.order.extra_work_signed_by, "Jan Janssens")
        page = self.url_open(self._url())
        self.assertNotIn("Extra Work to Accept", page.text)
        self.assertIn("Extra Work Accepted", page.text)

    def test_decline_with_the_link(self):
        page = self.url_open(self._url())
        self.assertIn(f"/my/work_orders/{self.order.id}/extra_work/decline", page.text)
        self.assertIn('name="csrf_token"', page.text)
        # without Odoo's CSRF token: refused
        with mute_logger("odoo.http"):
            response = self._decline(self.order, self.order.access_token, csrf=False)
        self.assertEqual(response.status_code, 400)
        self.assertEqual(self.extra.extra_work_state, "proposed")
        response = self._decline(self.order, self.order.access_token)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(self.extra.extra_work_state, "declined")
        self.assertRegex(response.text, r"Extra work:\s*<span>Declined</span>")
        self.assertNotIn("Extra Work to Accept", response.text)
        self.assertFalse(self.order.extra_work_signed_by)
        message = self.order.message_ids.filtered(lambda m: "Extra work declined" in str(m.body))
        self.assertEqual(len(message), 1)
        self.assertIn("error", self._accept(self.order, self.order.access_token))
        self.assertEqual(self.extra.extra_work_state, "declined")

    def test_refusals(self):
        self.assertIn("error", self._accept(self.order, "wrong-token"))
        self.assertIn("error", self._accept(self.order))
        self.assertIn("error", self._accept(self.order, self.foreign.access_token))
        self.assertIn("error", self._accept(self.order, self.order.access_token, name=" "))
        self.assertIn(
            "error", self._accept(self.order, self.order.access_token, signature="n0t*b64")
        )
        self._decline(self.order, "wrong-token")
        self._decline(self.order, self.foreign.access_token)
        self.assertEqual(self.extra.extra_work_state, "proposed")
        # nothing proposed
        plain = self._planned_work_order(
            line_ids=[Command.create({"product_id": self.material.id})]
        )
        plain._portal_ensure_token()
        self.assertIn("error", self._accept(plain, plain.access_token))
        self.assertNotIn("Extra Work to Accept", self.url_open(self._url(plain)).text)
        # the company does not use quotations on the portal
        self.company.fm_extra_work_portal = False
        self.assertNotIn("Extra Work to Accept", self.url_open(self._url()).text)
        self.assertIn("error", self._accept(self.order, self.order.access_token))
        self._decline(self.order, self.order.access_token)
        self.assertEqual(self.extra.extra_work_state, "proposed")
        self.assertFalse(self.order.extra_work_signed_by)
        self.company.fm_extra_work_portal = True
        # the customer's own account answers for their order, not another customer's
        self._log_in_portal()
        self.assertIn("error", self._accept(self.foreign))
        self._decline(self.foreign)
        self.assertEqual(self.foreign.line_ids.extra_work_state, "proposed")
        self.assertTrue(self._accept(self.order).get("force_refresh"))
        self.assertEqual(self.extra.extra_work_state, "accepted")


@tagged("post_install", "-at_install")
class TestExtraWork(FieldInvoicingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.fm_extra_work_portal = True
        cls.customer.email = "info@janssens.example.com"

    def test_technician_proposes_only(self):
        order = self._order(technician_ids=[Command.set(self.technician.ids)])
        self._advance(order, "in_progress")
        material, labour = order.line_ids
        as_technician = material.with_user(self.technician)
        as_technician.extra_work_state = "proposed"
        self.assertEqual(material.extra_work_state, "proposed")
        for state in ("accepted", "declined"):
            with self.subTest(state=state), self.assertRaises(UserError):
                as_technician.extra_work_state = state
            with self.subTest(state=state, create=True), self.assertRaises(UserError):
                order.with_user(self.technician).line_ids = [
                    Command.create({"product_id": self.valve.id, "extra_work_state": state})
                ]
        self.assertEqual(material.extra_work_state, "proposed")
        # a dispatcher records the customer's answer given by phone
        labour.with_user(self.dispatcher).extra_work_state = "accepted"
        self.assertEqual(labour.extra_work_state, "accepted")
        # the customer's answer stays: the technician changes nothing of a decided line
        with self.assertRaises(UserError):
            labour.with_user(self.technician).quantity = 5.0
        with self.assertRaises(UserError):
            labour.with_user(self.technician).unlink()
        labour.with_user(self.dispatcher).quantity = 2.0
        self.assertEqual(labour.quantity, 2.0)

    def test_send_for_approval(self):
        order = self._order(technician_ids=[Command.set(self.technician.ids)])
        self._advance(order, "in_progress")
        as_technician = order.with_user(self.technician)
        with self.assertRaises(UserError):
            as_technician.action_send_extra_work()  # nothing proposed
        order.line_ids[0].with_user(self.technician).extra_work_state = "proposed"
        self.assertTrue(order.extra_work_proposed)
        as_technician.action_send_extra_work()
        message = order.message_ids[0]
        self.assertEqual(message.author_id, self.technician.partner_id)
        self.assertIn(self.customer, message.partner_ids)
        self.assertIn(f"/my/work_orders/{order.id}?access_token={order.access_token}", message.body)
        self.assertIn(order.line_ids[0].name, message.body)
        self.company.fm_extra_work_portal = False
        with self.assertRaises(UserError):
            as_technician.action_send_extra_work()

    def test_only_accepted_extra_work_is_invoiced(self):
        order = self._done_order(
            lines=[
                self._line(self.material, 2.0),
                self._line(self.valve, 1.0, extra_work_state="accepted"),
                self._line(self.labour, 1.0, line_type="labour", extra_work_state="declined"),
                self._line(
                    self.travel_product,
                    1.0,
                    price_unit=30.0,
                    line_type="travel",
                    extra_work_state="proposed",
                ),
            ]
        )
        material, valve, labour, travel = order.line_ids
        self.assertEqual(material.qty_to_invoice, 2.0)
        self.assertEqual(valve.qty_to_invoice, 1.0)
        self.assertEqual(labour.qty_to_invoice, 0.0, "declined extra work")
        self.assertEqual(travel.qty_to_invoice, 0.0, "extra work without an answer")
        self.assertEqual(
            order.amount_untaxed,
            material.price_subtotal + valve.price_subtotal + travel.price_subtotal,
            "declined extra work is not in the amount",
        )
        order.action_create_invoices()
        invoice = order.invoice_ids
        self.assertEqual(
            invoice.invoice_line_ids.filtered("product_id").product_id, self.material | self.valve
        )
        # accepted later (by phone, recorded by a dispatcher): to invoice
        travel.extra_work_state = "accepted"
        self.assertEqual(travel.qty_to_invoice, 1.0)
