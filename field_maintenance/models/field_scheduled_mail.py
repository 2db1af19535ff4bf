import logging

from odoo import api, fields, models
from odoo.tools import email_split

_logger = logging.getLogger(__name__)

CRON_XMLID = "field_maintenance.ir_cron_field_scheduled_mail"


class FieldScheduledMail(models.Model):
    """E-mails of an automation rule that are sent some minutes after the rule ran.

    The "Send E-mail" action of a rule with a delay does not write the e-mails
    when the rule runs: it records here, once for all the records of the
    trigger, which template goes to which records and when. At that moment the
    e-mails are written with the records as they are then (a work order
    rescheduled meanwhile shows its new date; a deleted one gets nothing) and
    handed to the mail queue. A status change of a thousand work orders thus
    costs one row here instead of a thousand rendered e-mails in the user's
    transaction."""

    _name = "field.scheduled.mail"
    _description = "Scheduled E-mails of Automation Rules"
    _order = "scheduled_date desc, id desc"
    _rec_name = "template_id"

    action_id = fields.Many2one("ir.actions.server", ondelete="cascade", readonly=True)
    rule_id = fields.Many2one(related="action_id.base_automation_id", string="Rule")
    template_id = fields.Many2one(
        "mail.template", string="E-mail Template", required=True, ondelete="cascade"
    )
    model = fields.Char(required=True, readonly=True)
    res_ids = fields.Json(string="Record IDs", required=True, readonly=True)
    record_count = fields.Integer(string="Records", compute="_compute_record_count")
    extra_email = fields.Char(string="Extra Recipients", readonly=True)
    scheduled_date = fields.Datetime(string="Send At", required=True, index=True, readonly=True)
    state = fields.Selection(
        [("pending", "Scheduled"), ("sent", "Queued for Sending"), ("failed", "Failed")],
        default="pending",
        required=True,
        index=True,
        readonly=True,
    )
    error = fields.Text(readonly=True)
    mail_count = fields.Integer(string="E-mails", readonly=True)

    @api.depends("res_ids")
    def _compute_record_count(self):
        for scheduled in self:
            scheduled.record_count = len(scheduled.res_ids or [])

    @api.model
    def _fm_schedule(self, action, records, scheduled_date):
        """Send the e-mails of ``action`` to ``records`` at ``scheduled_date``."""
        scheduled = self.sudo().create(
            {
                "action_id": action.id,
                "template_id": action.fm_mail_template_id.id,
                "model": records._name,
                "res_ids": records.ids,
                "extra_email": action.fm_mail_extra_email or False,
                "scheduled_date": scheduled_date,
            }
        )
        cron = self.env.ref(CRON_XMLID, raise_if_not_found=False)
        if cron:
            cron.sudo()._trigger(scheduled_date)
        return scheduled

    @api.model
    def _fm_send_mails(self, template, records, extra_email=False):
        """Write the e-mails of ``template`` for ``records`` in one batch, with the
        extra recipients, and trigger the mail queue. Returns the mail.mail records."""
        mails = template.send_mail_batch(records.ids)
        extra = ",".join(email_split(extra_email or ""))
        if extra and mails:
            without_to = mails.filtered(lambda mail: not mail.email_to)
            if without_to:
                without_to.write({"email_to": extra})
            for mail in mails - without_to:
                mail.email_to = f"{mail.email_to},{extra}"
        cron = self.env.ref("mail.ir_cron_mail_scheduler_action", raise_if_not_found=False)
        if cron and mails:
            cron.sudo()._trigger()
        return mails

    def _fm_send(self):
        """Write the e-mails of ``self`` (due) and hand them to the mail queue."""
        for scheduled in self:
            try:
                with self.env.cr.savepoint():
                    records = self.env[scheduled.model].browse(scheduled.res_ids).exists()
                    mails = self._fm_send_mails(
                        scheduled.template_id, records, scheduled.extra_email
                    )
                    scheduled.write({"state": "sent", "mail_count": len(mails), "error": False})
            except Exception as error:  # noqa: BLE001 - one failure must not stop the others
                _logger.warning(
                    "Scheduled e-mails %s could not be written: %s", scheduled.id, error
                )
                scheduled.write({"state": "failed", "error": str(error)})

    def action_retry(self):
        """Managers: send failed e-mails again, now."""
        self.check_access("write")
        failed = self.filtered(lambda scheduled: scheduled.state == "failed")
        failed.sudo()._fm_send()
        return True

    @api.model
    def _cron_send_due(self, batch_size=50):
        """Cron: write the due e-mails, ``batch_size`` schedules at a time, committing
        after each batch; triggered for the moment of each schedule."""
        cron = self.env["ir.cron"]
        domain = [("state", "=", "pending"), ("scheduled_date", "<=", fields.Datetime.now())]
        Scheduled = self.sudo()
        cron._commit_progress(remaining=Scheduled.search_count(domain))
        while scheduled := Scheduled.search(domain, order="scheduled_date, id", limit=batch_size):
            scheduled._fm_send()
            if not cron._commit_progress(len(scheduled)):
                break
