"""E-mails of automation rules without delay: written at once, in the transaction of the
change that fires the rule, one per record, to the template's and the extra recipients."""

from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo.tests import tagged

from odoo.addons.mail.tests.common import MockEmail

from .test_automation_common import AutomationCase

NOW = datetime(2026, 3, 2, 9, 0)


@tagged("post_install", "-at_install")
class TestRuleEmailsWithoutDelay(AutomationCase, MockEmail):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mail_template = cls._mail_template()
        cls.mail_cron = cls.env.ref("mail.ir_cron_mail_scheduler_action")

    def _done(self, count=1, **vals):
        with freeze_time(NOW - timedelta(hours=2)):
            orders = self.env["field.work.order"]
            for __ in range(count):
                orders |= self._order_in_state("in_progress", **vals)
        return orders

    def test_sent_at_once_to_each_work_order_of_the_trigger(self):
        self._mail_rule(delay=0, fm_mail_extra_email="Boss <boss@janssens.example.com>")
        orders = self._done(2)
        self.env["ir.cron.trigger"].search([("cron_id", "=", self.mail_cron.id)]).unlink()
        with self.mock_mail_gateway(), self.mock_datetime_and_now(NOW):
            orders.with_user(self.technician).action_done()
            mails = self._new_mails.filtered(lambda mail: mail.res_id in orders.ids)
            self.assertEqual(len(mails), 2, "one e-mail per work order, written at once")
            self.assertEqual(
                sorted(mails.mapped("subject")), sorted(f"{o.name} is done" for o in orders)
            )
            self.assertEqual(mails.recipient_ids, self.customer)
            self.assertEqual(set(mails.mapped("email_to")), {"boss@janssens.example.com"})
            self.assertTrue(
                self.env["ir.cron.trigger"].search([("cron_id", "=", self.mail_cron.id)]),
                "the mail queue is woken up",
            )
            self.env["mail.mail"].sudo().process_email_queue(email_ids=mails.ids)
            for order in orders:
                self.assertSentEmail(
                    "office@field.example.com", [self.customer], subject=f"{order.name} is done"
                )
                self.assertSentEmail(
                    "office@field.example.com",
                    ["boss@janssens.example.com"],
                    subject=f"{order.name} is done",
                )
        self.assertFalse(self.env["field.scheduled.mail"].search([]), "nothing scheduled")

    def test_extra_recipients_added_to_the_template_addresses(self):
        """A template that writes to addresses keeps them; the extra ones are added."""
        self.mail_template.write({"partner_to": False, "email_to": "{{ object.partner_id.email }}"})
        self._mail_rule(delay=0, fm_mail_extra_email="boss@janssens.example.com")
        order = self._done()
        with self.mock_mail_gateway():
            order.action_done()
            mail = self._new_mails.filtered(lambda mail: mail.res_id == order.id)
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.email_to, "info@janssens.example.com,boss@janssens.example.com")

    def test_without_extra_recipients(self):
        self._mail_rule(delay=0)
        order = self._done()
        with self.mock_mail_gateway():
            order.action_done()
            mail = self._new_mails.filtered(lambda mail: mail.res_id == order.id)
        self.assertEqual(mail.recipient_ids, self.customer)
        self.assertFalse(mail.email_to)

    def test_defaults_of_the_screen_do_not_reach_the_email(self):
        """Completing from a screen whose context holds defaults for other models (an
        invoice type, a parent) still writes a plain e-mail on the work order, with its
        report attached."""
        template = self.env.ref("field_maintenance.mail_template_work_order")
        self._rule("wo_completed", [{"state": "fm_email", "fm_mail_template_id": template.id}])
        order = self._done()
        with self.mock_mail_gateway():
            order.with_context(default_type="out_invoice", default_parent_id=order.id).action_done()
            mail = self._new_mails.filtered(lambda mail: mail.res_id == order.id)
        self.assertEqual(len(mail), 1)
        self.assertEqual(mail.message_type, "email_outgoing")
        self.assertFalse(mail.parent_id)
        self.assertEqual(mail.attachment_ids.mapped("type"), ["binary"], "the report")

    def test_no_email_for_a_record_the_rule_does_not_match(self):
        self._mail_rule(delay=0)
        order = self._done()
        with self.mock_mail_gateway():
            order.action_cancel()
            self.assertFalse(self._new_mails.filtered(lambda mail: mail.res_id == order.id))


@tagged("post_install", "-at_install")
class TestDelayedEmailsOfTheTriggeringUser(AutomationCase, MockEmail):
    """A delayed e-mail is written, when it is due, with what the user who fired the rule
    may read then."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mail_template = cls._mail_template()
        cls.scheduler = cls.env.ref("field_maintenance.ir_cron_field_scheduled_mail")

    def _scheduled(self):
        return self.env["field.scheduled.mail"].search(
            [("template_id", "=", self.mail_template.id)]
        )

    def _complete_as(self, user):
        with freeze_time(NOW - timedelta(hours=2)):
            order = self._order_in_state("in_progress")
        with self.mock_datetime_and_now(NOW):
            order.with_user(user).action_done()
        return order

    def test_no_email_once_the_user_may_not_read_the_work_order(self):
        self._mail_rule(delay=30)
        order = self._complete_as(self.technician)
        self.assertEqual(self._scheduled().user_id, self.technician)
        # the work order is handed over to another technician meanwhile
        order.technician_ids = self.technician_2
        with self.mock_mail_gateway():
            self._run_cron(self.scheduler, at=NOW + timedelta(minutes=31), cursor_now=True)
            self.assertFalse(self._new_mails)
        self.assertRecordValues(self._scheduled(), [{"state": "sent", "mail_count": 0}])

    def test_triggering_user_deleted(self):
        self._mail_rule(delay=30)
        dispatcher = self._user("fm_dispatch_gone", "field_maintenance.group_field_user", "Gone")
        self._complete_as(dispatcher)
        dispatcher.unlink()
        with (
            self.mock_mail_gateway(),
            self.assertLogs("odoo.addons.field_maintenance.models.field_scheduled_mail", "WARNING"),
        ):
            self._run_cron(self.scheduler, at=NOW + timedelta(minutes=31), cursor_now=True)
            self.assertFalse(self._new_mails)
        scheduled = self._scheduled()
        self.assertEqual(scheduled.state, "failed")
        self.assertIn("The user who triggered the rule was deleted", scheduled.error)
