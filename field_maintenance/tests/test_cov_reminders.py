"""Maintenance reminders by SMS only: customers without e-mail address, or no e-mail
template any more."""

from odoo.tests import freeze_time, tagged

from .common import SmsMock
from .test_maintenance_cron import REMINDER_MOMENT, MaintenanceCronCase


@tagged("post_install", "-at_install")
class TestReminderBySmsOnly(SmsMock, MaintenanceCronCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.fm_reminder_sms_template_id = cls.env.ref(
            "field_maintenance.sms_template_maintenance_reminder"
        )

    def _note(self, plan):
        return plan.message_ids.filtered(lambda m: "Maintenance reminder" in (m.body or ""))

    def test_customer_without_email_gets_the_sms(self):
        self.customer.write({"email": False, "phone": "+32 470 12 34 56"})
        plan = self._plan()
        with self.mockSMSGateway(), self.mock_mail_gateway(), freeze_time(REMINDER_MOMENT):
            self._run_cron(self.reminder_cron)
            self.assertFalse(self._reminders(plan), "no e-mail address: no e-mail")
            self.assertEqual(len(self._new_sms), 1)
        self.assertEqual(plan.reminder_state, "sent")
        self.assertIn("sent to Bakkerij Janssens by SMS.", self._note(plan).body)

    def test_no_email_template_any_more(self):
        """With the e-mail template deleted, the reminders go by SMS where there is a
        number, and are skipped (noted) where there is none."""
        self.env.ref("field_maintenance.mail_template_maintenance_reminder").unlink()
        self.customer.phone = "+32 470 12 34 56"
        plan = self._plan()
        no_phone = self.env["res.partner"].create({"name": "Only Mail", "email": "m@example.com"})
        skipped = self._plan(partner_id=no_phone.id, site_partner_id=no_phone.id, equipment_ids=[])
        with self.mockSMSGateway(), self.mock_mail_gateway(), freeze_time(REMINDER_MOMENT):
            self._run_cron(self.reminder_cron)
            self.assertFalse(self._reminders(plan | skipped))
            self.assertEqual(len(self._new_sms), 1)
        self.assertEqual(plan.reminder_state, "sent")
        self.assertIn("by SMS", self._note(plan).body)
        self.assertEqual(skipped.reminder_state, "skipped", "noted as without contact")
