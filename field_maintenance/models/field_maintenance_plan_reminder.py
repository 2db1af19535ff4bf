import logging
from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain

from ..tools import (
    call_with_fallback,
    due_date_in_bounds,
    lead_days_in_bounds,
    local_to_utc,
)

_logger = logging.getLogger(__name__)

# local hour (in the plan's time zone) at which the reminder of a due date is sent
REMINDER_HOUR = 8.0
# fields of a plan that change when (or whether) its reminder is due
REMINDER_FIELDS = {"next_date", "reminder_days", "send_reminder", "state", "company_id", "user_id"}


class FieldMaintenancePlan(models.Model):
    """Reminders of periodic maintenance: an e-mail (and an SMS when configured) asks the
    customer, a number of days before the due date, to get in touch to schedule the
    visit. A cron sends them in batch, woken up at the moment a reminder falls due."""

    _inherit = "field.maintenance.plan"  # pylint: disable=consider-merging-classes-inherited

    send_reminder = fields.Boolean(
        string="Remind Customer",
        default=True,
        help="Send the customer a reminder by e-mail (and SMS when configured) before the "
        "due date, asking to get in touch to schedule the visit.",
    )
    reminder_days = fields.Integer(
        string="Reminder Lead Time",
        default=lambda self: self.env.company.fm_reminder_days,
        help="Days before the due date the reminder is sent.",
    )
    reminder_date = fields.Date(compute="_compute_reminder_date", store=True)
    reminder_datetime = fields.Datetime(
        string="Reminder Time", compute="_compute_reminder_date", store=True, index=True
    )
    reminder_sent_for = fields.Date(
        readonly=True,
        copy=False,
        help="Due date of the last reminder sent.",
    )
    reminder_skipped_for = fields.Date(
        readonly=True,
        copy=False,
        help="Due date for which no reminder could be sent (no e-mail address).",
    )
    reminder_state = fields.Selection(
        [
            ("pending", "Not sent"),
            ("sent", "Sent"),
            ("skipped", "No contact"),
        ],
        string="Reminder",
        compute="_compute_reminder_state",
        store=True,
        index=True,
    )

    @api.depends(
        "next_date",
        "reminder_days",
        "user_id.tz",
        "company_id.partner_id.tz",
        "company_id.resource_calendar_id.tz",
    )
    def _compute_reminder_date(self):
        for plan in self:
            # out of bounds (refused by _check_plan, which runs after the computes): no
            # reminder rather than an overflow
            if not (due_date_in_bounds(plan.next_date) and lead_days_in_bounds(plan.reminder_days)):
                plan.reminder_date = plan.reminder_datetime = False
                continue
            reminder_date = plan.next_date - timedelta(days=plan.reminder_days)
            plan.reminder_date = reminder_date
            plan.reminder_datetime = local_to_utc(reminder_date, REMINDER_HOUR, plan._get_tz())

    @api.depends("next_date", "reminder_sent_for", "reminder_skipped_for")
    def _compute_reminder_state(self):
        for plan in self:
            if plan.next_date and plan.reminder_sent_for == plan.next_date:
                plan.reminder_state = "sent"
            elif plan.next_date and plan.reminder_skipped_for == plan.next_date:
                plan.reminder_state = "skipped"
            else:
                plan.reminder_state = "pending"

    @api.model_create_multi
    def create(self, vals_list):
        plans = super().create(vals_list)
        plans._schedule_reminder_trigger()
        return plans

    def write(self, vals):
        result = super().write(vals)
        if REMINDER_FIELDS & set(vals):
            self._schedule_reminder_trigger()
        return result

    def _get_reminder_mail_template(self):
        self.ensure_one()
        return self.company_id.fm_reminder_mail_template_id or self.env.ref(
            "field_maintenance.mail_template_maintenance_reminder", raise_if_not_found=False
        )

    def _schedule_reminder_trigger(self):
        """Wake the reminder cron up when a reminder falls due, not at its next daily run."""
        cron = self.env.ref(
            "field_maintenance.ir_cron_maintenance_plan_reminder", raise_if_not_found=False
        )
        if not cron:
            return
        now = fields.Datetime.now()
        moments = {
            max(plan.reminder_datetime, now)
            for plan in self
            if plan.state == "active"
            and plan.send_reminder
            and plan.reminder_state == "pending"
            and plan.reminder_datetime
            and plan.company_id.fm_reminder_enabled
            and plan.next_date >= fields.Date.context_today(plan)
        }
        if moments:
            # sudo: only wakes the module's reminder cron earlier; it selects its plans itself
            cron.sudo()._trigger(sorted(moments))

    def _send_reminder_mails(self, template):
        """Render and queue the reminder e-mails in batch (one plan at a time when the
        batch fails).

        :return: (plans whose e-mail was queued, {plan: error})
        """
        _results, sent, errors = call_with_fallback(
            self, lambda plans: template.send_mail_batch(plans.ids)
        )
        return sent, errors

    def _send_reminder_sms(self, template):
        """Queue the reminder SMS in batch (one plan at a time when the batch fails); the
        SMS composer logs them on the chatter.

        :return: (plans whose SMS was queued, {plan: error})
        """
        _results, sent, errors = call_with_fallback(
            self,
            lambda plans: plans._message_sms_schedule_mass(template=template, mass_keep_log=True),
        )
        return sent, errors

    def _send_reminders(self):
        """Send the reminder of the current due date of each plan: an e-mail to the
        customer and, when an SMS template is set in the settings, an SMS. Plans whose
        customer has no e-mail address (nor mobile number for SMS) are skipped with a note
        on their chatter. Each plan's reminder is logged on its chatter.

        :return: plans whose reminder was sent
        """
        sent_mail = sent_sms = skipped = self.browse()
        errors = {}
        for company, plans in self.grouped("company_id").items():
            plans = plans.with_company(company)
            mail_template = plans[:1]._get_reminder_mail_template()
            sms_template = company.fm_reminder_sms_template_id
            mail_plans = plans.filtered(lambda plan: plan.partner_id.email_normalized)
            if not mail_template:
                mail_plans = plans.browse()
            sms_plans = plans.browse()
            if sms_template:
                numbers = plans._sms_get_recipients_info()
                sms_plans = plans.browse(
                    [plan_id for plan_id, info in numbers.items() if info and info["sanitized"]]
                )
            done, mail_errors = mail_plans._send_reminder_mails(mail_template)
            sent_mail |= done
            done, sms_errors = sms_plans._send_reminder_sms(sms_template)
            sent_sms |= done
            for plan, error in (*mail_errors.items(), *sms_errors.items()):
                _logger.warning("Maintenance reminder of plan %s failed: %s", plan.id, error)
            errors.update(mail_errors)
            errors.update(sms_errors)
            skipped |= plans - mail_plans - sms_plans
        sent = (sent_mail | sent_sms).with_env(self.env)
        skipped = skipped.with_env(self.env)
        sent._write_per_date("reminder_sent_for")
        skipped._write_per_date("reminder_skipped_for")
        if sent_mail or sent_sms:
            # sudo: only wakes the mail queue up to send what was queued
            self.env.ref("mail.ir_cron_mail_scheduler_action").sudo()._trigger()
        bodies = {}
        for plan in sent:
            if plan in sent_mail and plan in sent_sms:
                channel = self.env._("by e-mail and SMS")
            elif plan in sent_mail:
                channel = self.env._("by e-mail")
            else:
                channel = self.env._("by SMS")
            bodies[plan.id] = self.env._(
                "Maintenance reminder for the visit due on %(date)s sent to %(customer)s "
                "%(channel)s.",
                date=plan._format_date(plan.next_date),
                customer=plan.partner_id.display_name,
                channel=channel,
            )
        for plan in skipped:
            bodies[plan.id] = self.env._(
                "No maintenance reminder sent for the visit due on %(date)s: customer "
                "%(customer)s has no e-mail address.",
                date=plan._format_date(plan.next_date),
                customer=plan.partner_id.display_name,
            )
        for plan, error in errors.items():
            if plan not in sent:
                bodies[plan.id] = self.env._(
                    "The maintenance reminder for the visit due on %(date)s could not be "
                    "sent: %(error)s",
                    date=plan._format_date(plan.next_date),
                    error=str(error),
                )
        if bodies:
            self.browse(list(bodies))._message_log_batch(
                {plan_id: Markup("<p>%s</p>") % body for plan_id, body in bodies.items()}
            )
        return sent

    def action_send_reminder(self):
        """Send the reminder of the current due date now (again)."""
        active = self.filtered(lambda plan: plan.state == "active")
        if not active:
            raise UserError(self.env._("Reminders are only sent for active maintenance plans."))
        active.write({"reminder_sent_for": False, "reminder_skipped_for": False})
        active._send_reminders()
        return True

    @api.model
    def _reminder_due_domain(self):
        return Domain(
            [
                ("state", "=", "active"),
                ("send_reminder", "=", True),
                ("reminder_state", "=", "pending"),
                ("reminder_datetime", "<=", fields.Datetime.now()),
                ("next_date", ">=", fields.Date.context_today(self)),
                ("company_id.fm_reminder_enabled", "=", True),
            ]
        )

    @api.model
    def _cron_send_reminders(self, batch_size=None):
        """Daily, and at the moment a reminder falls due (see _schedule_reminder_trigger)."""
        self._run_in_batches(
            self._reminder_due_domain(), "_send_reminders", batch_size or self._cron_batch_size()
        )
