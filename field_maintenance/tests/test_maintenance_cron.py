import re
from datetime import date, datetime
from unittest.mock import patch

from psycopg2 import IntegrityError

from odoo import Command
from odoo.tests import freeze_time, tagged
from odoo.tools import mute_logger

from odoo.addons.field_maintenance.models.field_maintenance_plan_generation import (
    FieldMaintenancePlan,
)
from odoo.addons.mail.models.mail_template import MailTemplate
from odoo.addons.mail.tests.common import MockEmail

from .common import SmsMock
from .test_maintenance_plan import MaintenancePlanCase

# 15 March 2027 - 30 days = 13 February 2027, 08:00 in Brussels (CET) = 07:00 UTC
DUE = date(2027, 3, 15)
REMINDER_MOMENT = "2027-02-13 07:00:30"


class MaintenanceCronCase(MaintenancePlanCase, MockEmail):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.company.email = "office@installateur.example.com"
        cls.env.company.phone = "+32 9 222 33 44"
        cls.reminder_cron = cls.env.ref("field_maintenance.ir_cron_maintenance_plan_reminder")
        cls.generate_cron = cls.env.ref("field_maintenance.ir_cron_maintenance_plan_generate")
        cls.template = cls.env.ref("field_maintenance.mail_template_maintenance_reminder")

    def _reminders(self, plans):
        return self._new_mails.filtered(
            lambda mail: mail.model == "field.maintenance.plan" and mail.res_id in plans.ids
        )


@tagged("post_install", "-at_install")
class TestMaintenanceReminder(MaintenanceCronCase):
    def test_reminder_sent_once_at_its_time(self):
        plan = self._plan()
        self.assertEqual(plan.reminder_date, date(2027, 2, 13))
        self.assertEqual(plan.reminder_datetime, datetime(2027, 2, 13, 7, 0))
        with self.mock_mail_gateway():
            with freeze_time("2027-02-13 06:59:00"):
                self._run_cron(self.reminder_cron)
            self.assertFalse(self._reminders(plan), "not before its time")
            with freeze_time(REMINDER_MOMENT):
                self._run_cron(self.reminder_cron)
                self._run_cron(self.reminder_cron)
            with freeze_time("2027-02-20 07:00:00"):
                self._run_cron(self.reminder_cron)
        mail = self._reminders(plan)
        self.assertEqual(len(mail), 1, "one reminder per plan and due date")
        self.assertEqual(mail.recipient_ids, self.customer)
        self.assertEqual(mail.state, "outgoing")
        self.assertIn("03/15/2027", mail.subject)
        self.assertIn("Gas boiler Vaillant ecoTEC plus", mail.body_html)
        self.assertIn("+32 9 222 33 44", mail.body_html, "how to get in touch")
        self.assertIn("Industrieweg 12", mail.body_html, "the site")
        self.assertEqual(plan.reminder_state, "sent")
        self.assertEqual(plan.reminder_sent_for, DUE)
        self.assertTrue(
            plan.message_ids.filtered(lambda m: "reminder" in (m.body or "").lower()),
            "the reminder is logged on the chatter",
        )

    def test_next_due_date_gets_its_own_reminder(self):
        plan = self._plan()
        with self.mock_mail_gateway():
            with freeze_time(REMINDER_MOMENT):
                self._run_cron(self.reminder_cron)
            with freeze_time("2027-03-15 10:00:00"):
                self._visit(plan)
            self.assertEqual(plan.next_date, date(2028, 3, 15))
            self.assertEqual(plan.reminder_state, "pending")
            with freeze_time("2028-02-14 07:00:30"):
                self._run_cron(self.reminder_cron)
        self.assertEqual(len(self._reminders(plan)), 2)
        self.assertEqual(plan.reminder_sent_for, date(2028, 3, 15))

    def test_reminder_language(self):
        self.env["res.lang"]._activate_lang("nl_BE")
        self.env["res.lang"]._activate_lang("fr_BE")
        self.template.with_context(lang="nl_BE").write(
            {
                "subject": "Uw onderhoud is gepland op {{ format_date(object.next_date) }}",
                "body_html": '<p>Beste <t t-out="object.partner_id.name"/>, het periodiek '
                'onderhoud is voorzien op <t t-out="format_date(object.next_date)"/>.</p>',
            }
        )
        self.template.with_context(lang="fr_BE").write(
            {
                "subject": "Votre entretien est prévu le {{ format_date(object.next_date) }}",
                "body_html": "<p>Cher client, l'entretien périodique est prévu le "
                '<t t-out="format_date(object.next_date)"/>.</p>',
            }
        )
        dutch = self.env["res.partner"].create(
            {"name": "Bakkerij Peeters", "email": "peeters@example.com", "lang": "nl_BE"}
        )
        french = self.env["res.partner"].create(
            {"name": "Boulangerie Dubois", "email": "dubois@example.com", "lang": "fr_BE"}
        )
        english = self.env["res.partner"].create(
            {"name": "Bakery Smith", "email": "smith@example.com", "lang": "en_US"}
        )
        plans = (
            self._plan(partner_id=dutch.id, site_partner_id=dutch.id, equipment_ids=[])
            | self._plan(partner_id=french.id, site_partner_id=french.id, equipment_ids=[])
            | self._plan(partner_id=english.id, site_partner_id=english.id, equipment_ids=[])
        )
        with self.mock_mail_gateway(), freeze_time(REMINDER_MOMENT):
            self._run_cron(self.reminder_cron)
        mails = {mail.recipient_ids: mail for mail in self._reminders(plans)}
        self.assertIn("Uw onderhoud is gepland op 15/03/2027", mails[dutch].subject)
        self.assertIn("Beste Bakkerij Peeters", mails[dutch].body_html)
        self.assertIn("Votre entretien est prévu le 15/03/2027", mails[french].subject)
        self.assertIn("entretien périodique", mails[french].body_html)
        self.assertIn("03/15/2027", mails[english].subject)
        self.assertIn("The periodic maintenance of", mails[english].body_html)

    def test_no_email_address_is_skipped_with_note(self):
        no_email = self.env["res.partner"].create({"name": "Frituur Zonder Mail"})
        skipped = self._plan(partner_id=no_email.id, site_partner_id=no_email.id, equipment_ids=[])
        plan = self._plan()
        with self.mock_mail_gateway(), freeze_time(REMINDER_MOMENT):
            self._run_cron(self.reminder_cron)
            self._run_cron(self.reminder_cron)
        self.assertFalse(self._reminders(skipped))
        self.assertEqual(len(self._reminders(plan)), 1, "the others are sent")
        self.assertEqual(skipped.reminder_state, "skipped")
        notes = skipped.message_ids.filtered(lambda m: "no e-mail address" in (m.body or ""))
        self.assertEqual(len(notes), 1, "noted once, not at every run")

    def test_failure_on_one_plan_does_not_stop_the_others(self):
        bad = self._plan(name="Broken")
        good = self._plan(name="Fine")
        send_mail_batch = MailTemplate.send_mail_batch

        def failing(template, res_ids, *args, **kwargs):
            if bad.id in res_ids:
                raise ValueError("rendering failed")
            return send_mail_batch(template, res_ids, *args, **kwargs)

        with (
            self.mock_mail_gateway(),
            freeze_time(REMINDER_MOMENT),
            patch.object(MailTemplate, "send_mail_batch", autospec=True, side_effect=failing),
            mute_logger("odoo.addons.field_maintenance.models.field_maintenance_plan_reminder"),
        ):
            self._run_cron(self.reminder_cron)
        self.assertEqual(len(self._reminders(good)), 1)
        self.assertEqual(good.reminder_state, "sent")
        self.assertFalse(self._reminders(bad))
        self.assertEqual(bad.reminder_state, "pending", "tried again at the next run")
        self.assertTrue(bad.message_ids.filtered(lambda m: "rendering failed" in (m.body or "")))

    def test_batches(self):
        plans = self.Plan
        for index in range(7):
            plans |= self._plan(name=f"Plan {index}")
        self.env["ir.config_parameter"].set_param("field_maintenance.cron_batch_size", 3)
        with self.mock_mail_gateway(), freeze_time(REMINDER_MOMENT):
            self._run_cron(self.reminder_cron)
        self.assertEqual(len(self._reminders(plans)), 7)
        self.assertEqual(set(plans.mapped("reminder_state")), {"sent"})

    def test_batch_rendering(self):
        """The e-mails of a batch are rendered and created together."""
        plans = self._plan() | self._plan(name="Other")
        with (
            self.mock_mail_gateway(),
            freeze_time(REMINDER_MOMENT),
            patch.object(
                MailTemplate, "send_mail_batch", autospec=True, wraps=MailTemplate.send_mail_batch
            ) as send_mail_batch,
        ):
            self._run_cron(self.reminder_cron)
        self.assertEqual(send_mail_batch.call_count, 1)
        self.assertEqual(sorted(send_mail_batch.call_args.args[1]), sorted(plans.ids))

    def test_cancelled_or_disabled_plans_get_no_reminder(self):
        cancelled = self._plan()
        cancelled._cancel("Installation replaced")
        opted_out = self._plan(send_reminder=False)
        overdue = self._plan(next_date=date(2027, 2, 1))
        with self.mock_mail_gateway(), freeze_time(REMINDER_MOMENT):
            self._run_cron(self.reminder_cron)
        self.assertFalse(self._reminders(cancelled | opted_out | overdue))
        plan = self._plan()
        self.env.company.fm_reminder_enabled = False
        with self.mock_mail_gateway(), freeze_time(REMINDER_MOMENT):
            self._run_cron(self.reminder_cron)
        self.assertFalse(self._reminders(plan), "reminders disabled in the settings")

    def test_cron_triggered_at_reminder_time(self):
        Trigger = self.env["ir.cron.trigger"]
        with freeze_time("2027-01-01 10:00:00"):
            plan = self._plan()
        triggers = Trigger.search([("cron_id", "=", self.reminder_cron.id)])
        self.assertIn(datetime(2027, 2, 13, 7, 0), triggers.mapped("call_at"))
        # moving the due date wakes the cron up for the new moment (summer time: 06:00 UTC)
        with freeze_time("2027-01-01 10:00:00"):
            plan.next_date = date(2027, 5, 31)
        triggers = Trigger.search([("cron_id", "=", self.reminder_cron.id)])
        self.assertIn(datetime(2027, 5, 1, 6, 0), triggers.mapped("call_at"))
        # a reminder already due is sent as soon as possible
        with freeze_time("2027-05-20 10:00:00"):
            plan.next_date = date(2027, 6, 1)
            triggers = Trigger.search([("cron_id", "=", self.reminder_cron.id)])
            self.assertIn(datetime(2027, 5, 20, 10, 0), triggers.mapped("call_at"))

    def test_send_reminder_now(self):
        plan = self._plan()
        with self.mock_mail_gateway():
            plan.action_send_reminder()
        self.assertEqual(len(self._reminders(plan)), 1)
        self.assertEqual(plan.reminder_state, "sent")


@tagged("post_install", "-at_install")
class TestMaintenanceReminderSMS(SmsMock, MaintenanceCronCase):
    def test_sms_reminder(self):
        self.env["res.lang"]._activate_lang("nl_BE")
        sms_template = self.env.ref("field_maintenance.sms_template_maintenance_reminder")
        sms_template.with_context(lang="nl_BE").body = (
            "{{ object.company_id.name }}: uw onderhoud is voorzien op "
            "{{ format_date(object.next_date) }}."
        )
        self.env.company.fm_reminder_sms_template_id = sms_template
        self.customer.write({"phone": "+32 470 12 34 56", "lang": "nl_BE"})
        no_phone = self.env["res.partner"].create(
            {"name": "Alleen Mail", "email": "mail@example.com"}
        )
        plan = self._plan()
        mail_only = self._plan(
            partner_id=no_phone.id, site_partner_id=no_phone.id, equipment_ids=[]
        )
        with self.mockSMSGateway(), freeze_time(REMINDER_MOMENT):
            self._run_cron(self.reminder_cron)
        number = self.customer._phone_format(fname="phone") or self.customer.phone
        self.assertSMSOutgoing(
            self.customer, number, content="uw onderhoud is voorzien op 15/03/2027"
        )
        self.assertEqual(len(self._new_sms), 1, "only customers with a mobile number")
        self.assertEqual(plan.reminder_state, "sent")
        self.assertEqual(mail_only.reminder_state, "sent")
        self.assertTrue(plan.message_ids.filtered(lambda m: "by e-mail and SMS" in (m.body or "")))


@tagged("post_install", "-at_install")
class TestMaintenanceGeneration(MaintenanceCronCase):
    def test_one_work_order_per_due_date(self):
        plan = self._plan(auto_create_days=14, user_id=self.technician.id)
        self.assertEqual(plan.auto_create_date, date(2027, 3, 1))
        with freeze_time("2027-02-28 12:00:00"):
            self._run_cron(self.generate_cron)
        self.assertFalse(plan.work_order_ids, "not before its time")
        for moment in ("2027-03-01 00:30:00", "2027-03-01 12:00:00", "2027-03-10 12:00:00"):
            with freeze_time(moment):
                self._run_cron(self.generate_cron)
        order = plan.work_order_ids
        self.assertEqual(len(order), 1, "the cron ran three times, one work order")
        self.assertEqual(order.state, "draft")
        self.assertEqual(order.maintenance_due_date, DUE)
        self.assertEqual(order.partner_id, self.customer)
        self.assertEqual(order.site_partner_id, self.site)
        self.assertEqual(order.equipment_ids, self.equipment)
        self.assertEqual(order.work_type_id, self.work_type)
        self.assertEqual(order.technician_ids, self.technician)
        self.assertEqual(order.summary, plan.name)
        self.assertEqual(order.line_ids.mapped("product_id"), self.material | self.filter_product)
        self.assertEqual(order.line_ids[0].price_unit, 12.5)
        self.assertEqual(order.amount_untaxed, 2 * 12.5 + 8.0)
        self.assertEqual(len(order.checklist_ids), 2)
        self.assertFalse(order.planned_date_start, "to be planned by the dispatcher")
        self.assertRegex(order.name, r"^WO/\d{4}/\d{5}$")
        # the visit is done: the next due date gets its own work order
        order.write(
            {
                "planned_date_start": datetime(2027, 3, 14, 8, 0),
                "technician_ids": [Command.set(self.technician.ids)],
            }
        )
        order.action_plan()
        order.action_start()
        order.action_done()
        self.assertEqual(plan.next_date, date(2028, 3, 15))
        with freeze_time("2028-03-01 12:00:00"):
            self._run_cron(self.generate_cron)
            self._run_cron(self.generate_cron)
        self.assertEqual(len(plan.work_order_ids), 2)
        self.assertEqual(
            plan.work_order_ids.mapped("maintenance_due_date"), [DUE, date(2028, 3, 15)]
        )

    def test_references_follow_the_sequence(self):
        plans = self._plan() | self._plan() | self._plan()
        plans.auto_create_days = 14
        WorkOrder = self.env["field.work.order"].with_context(active_test=False)
        last_id = WorkOrder.search([], order="id desc", limit=1).id or 0
        with freeze_time("2027-03-05 12:00:00"):
            before = self.env["ir.sequence"].next_by_code("field.work.order")
            self._run_cron(self.generate_cron)
            after = self.env["ir.sequence"].next_by_code("field.work.order")
        # the run also makes the visits of other plans due then (e.g. demo data)
        generated = WorkOrder.search([("id", ">", last_id)])
        self.assertLessEqual(plans.work_order_ids, generated)

        def number(name):
            return int(re.search(r"(\d+)$", name).group(1))

        first = number(before)
        # consecutive references after the one drawn before, none skipped or reused
        self.assertEqual(
            sorted(number(name) for name in generated.mapped("name")),
            list(range(first + 1, first + 1 + len(generated))),
        )
        self.assertEqual(number(after), first + len(generated) + 1)
        # same prefix and padding as the sequence gives one by one
        prefix = re.sub(r"\d+$", "", before)
        width = len(before) - len(prefix)
        for name in plans.work_order_ids.mapped("name"):
            self.assertRegex(name, rf"^{re.escape(prefix)}\d{{{width}}}$")

    def test_unique_index_when_two_workers_run_at_once(self):
        """Another worker (or a dispatcher) created the work order of the due date after
        this worker looked for existing ones: the unique index refuses the duplicate and
        the other plans of the batch are still handled."""
        raced = self._plan(auto_create_days=14)
        other = self._plan(auto_create_days=14, name="Other")
        concurrent = self.env["field.work.order"].create(
            {"maintenance_plan_id": raced.id, "maintenance_due_date": DUE}
        )
        with (
            freeze_time("2027-03-05 12:00:00"),
            patch.object(
                FieldMaintenancePlan, "_existing_visit_plan_ids", autospec=True, return_value=set()
            ),
            mute_logger("odoo.sql_db"),
        ):
            self._run_cron(self.generate_cron)
        self.assertEqual(raced.work_order_ids, concurrent, "no duplicate")
        self.assertEqual(len(other.work_order_ids), 1)
        self.assertEqual(raced.generated_for, DUE, "not retried")
        # the index itself
        with self.assertRaises(IntegrityError), mute_logger("odoo.sql_db"), self.cr.savepoint():
            self.env["field.work.order"].create(
                {"maintenance_plan_id": raced.id, "maintenance_due_date": DUE}
            )

    def test_existing_work_order_is_not_duplicated(self):
        plan = self._plan(auto_create_days=14)
        scheduled = (
            self.env["field.work.order"]
            .with_context(**plan.action_schedule()["context"])
            .create({"planned_date_start": datetime(2027, 2, 20, 8, 0)})
        )
        with freeze_time("2027-03-05 12:00:00"):
            self._run_cron(self.generate_cron)
        self.assertEqual(plan.work_order_ids, scheduled)

    def test_failure_on_one_plan_does_not_stop_the_others(self):
        bad = self._plan(auto_create_days=14, name="Broken")
        good = self._plan(auto_create_days=14, name="Fine")
        prepare = FieldMaintenancePlan._prepare_work_order_vals

        def broken(plan, **kwargs):
            vals = prepare(plan, **kwargs)
            if plan == bad:
                vals["partner_id"] = False
            return vals

        with (
            freeze_time("2027-03-05 12:00:00"),
            patch.object(
                FieldMaintenancePlan, "_prepare_work_order_vals", autospec=True, side_effect=broken
            ),
            mute_logger(
                "odoo.sql_db",
                "odoo.addons.field_maintenance.models.field_maintenance_plan_generation",
            ),
        ):
            self._run_cron(self.generate_cron)
        self.assertEqual(len(good.work_order_ids), 1)
        self.assertFalse(bad.work_order_ids)
        self.assertTrue(bad.auto_create_pending, "tried again at the next run")
        self.assertTrue(
            bad.message_ids.filtered(lambda m: "could not be created" in (m.body or ""))
        )

    def test_cancelled_plan_generates_nothing(self):
        plan = self._plan(auto_create_days=14)
        plan._cancel("Installation replaced")
        manual = self._plan()
        with freeze_time("2027-03-05 12:00:00"):
            self._run_cron(self.generate_cron)
        self.assertFalse(plan.work_order_ids)
        self.assertFalse(manual.work_order_ids, "auto_create_days 0: scheduled manually")

    def test_weekly_fixed_time_across_daylight_saving(self):
        plan = self._plan(
            interval_unit="week",
            next_date=date(2026, 3, 23),
            auto_create_days=2,
            fixed_time=True,
            visit_time=8.0,
            user_id=self.technician.id,
        )
        with freeze_time("2026-03-21 12:00:00"):
            self._run_cron(self.generate_cron)
        first = plan.work_order_ids
        self.assertEqual(first.planned_date_start, datetime(2026, 3, 23, 7, 0), "08:00 CET")
        with freeze_time("2026-03-23 10:00:00"):
            first.action_plan()
            first.action_start()
            first.action_done()
        self.assertEqual(plan.next_date, date(2026, 3, 30))
        with freeze_time("2026-03-28 12:00:00"):
            self._run_cron(self.generate_cron)
        second = plan.work_order_ids - first
        self.assertEqual(second.planned_date_start, datetime(2026, 3, 30, 6, 0), "08:00 CEST")

    def test_queries_per_generated_work_order(self):
        """Generation is batched: the number of queries hardly grows with the plans."""

        def queries(count):
            plans = self.Plan
            for index in range(count):
                plans |= self._plan(name=f"Plan {index}", auto_create_days=14)
            self.env.flush_all()
            self.env.invalidate_all()
            with freeze_time("2027-03-05 12:00:00"):
                start = self.cr.sql_log_count
                plans._generate_work_orders()
                self.env.flush_all()
                used = self.cr.sql_log_count - start
            self.assertEqual(len(plans.work_order_ids), count)
            plans.work_order_ids.unlink()
            plans.unlink()
            return used

        ten, thirty = queries(10), queries(30)
        self.assertLessEqual(thirty - ten, 2 * 20, f"10 plans: {ten} queries, 30 plans: {thirty}")
