"""F-gas logbook on the portal (issue 17): the customer's own installations, and anyone
with the equipment's access token (the QR label)."""

from odoo import Command
from odoo.tests import tagged

from .common import FieldPortalCase


@tagged("post_install", "-at_install")
class TestFgasPortal(FieldPortalCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.technician.fm_fgas_certificate_number = "BE-KT-0042"
        r410a = cls.env.ref("field_maintenance.refrigerant_r410a")
        cls.equipment = cls.env["field.equipment"].create(
            {
                "name": "Cold room Janssens",
                "partner_id": cls.customer.id,
                "refrigerant_id": r410a.id,
                "refrigerant_charge_kg": 12.0,
            }
        )
        cls.foreign = cls.env["field.equipment"].create(
            {
                "name": "Cold room De Zon",
                "partner_id": cls.other_customer.id,
                "refrigerant_id": r410a.id,
                "refrigerant_charge_kg": 8.0,
            }
        )
        for equipment in cls.equipment | cls.foreign:
            order = cls._order_in_state(
                "in_progress",
                partner_id=equipment.partner_id.id,
                equipment_ids=[Command.set(equipment.ids)],
            )
            cls.env["field.fgas.log"].create(
                {
                    "equipment_id": equipment.id,
                    "work_order_id": order.id,
                    "operation": "add",
                    "quantity_kg": 0.65 if equipment == cls.equipment else 0.35,
                    "technician_id": cls.technician.id,
                }
            )

    def _url(self, equipment, token=None):
        url = f"/my/installations/{equipment.id}/fgas"
        return f"{url}?access_token={token}" if token else url

    def test_customer_sees_own_logbook_only(self):
        self._log_in_portal()
        response = self.url_open(self._url(self.equipment))
        self.assertEqual(response.status_code, 200)
        self.assertIn("Cold room Janssens", response.text)
        self.assertIn("0.650", response.text)
        self.assertIn("BE-KT-0042", response.text)
        response = self.url_open(self._url(self.foreign))
        self.assertNotIn("Cold room De Zon", response.text)
        self.assertNotIn("0.350", response.text)
        installations = self.url_open("/my/installations").text
        self.assertIn(self._url(self.equipment), installations)

    def test_customer_downloads_the_logbook_pdf(self):
        self._log_in_portal()
        response = self.url_open(f"{self._url(self.equipment)}?report_type=pdf&download=true")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(
            response.headers["Content-Disposition"],
            "attachment; filename*=UTF-8''F_gas_logbook_Cold_room_Janssens.pdf",
        )
        self.assertIn("0.650", response.text)

    def test_qr_token_opens_the_logbook(self):
        url = self.foreign._fgas_logbook_url()
        token = self.foreign.access_token
        self.assertTrue(token)
        self.assertIn(self._url(self.foreign, token), url)
        response = self.url_open(self._url(self.foreign, token))
        self.assertEqual(response.status_code, 200)
        self.assertIn("Cold room De Zon", response.text)
        # a wrong token, or another equipment's token: nothing
        for wrong in (self._url(self.foreign, "nope"), self._url(self.equipment, token)):
            with self.subTest(url=wrong):
                response = self.url_open(wrong)
                self.assertNotIn("Cold room", response.text)
