import logging
from collections import defaultdict

from markupsafe import Markup

from odoo import SUPERUSER_ID, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import email_split

from ..tools import rule_trigger

_logger = logging.getLogger(__name__)

CRON_XMLID = "field_maintenance.ir_cron_field_scheduled_mail"
RETENTION_PARAM = "field_maintenance.scheduled_mail_retention_days"
DEFAULT_RETENTION_DAYS = 90


class FieldScheduledMail(models.Model):
    """E-mails of an automation rule that are sent some minutes after the rule ran.

    The "Send E-mail" action of a rule with a delay does not write the e-mails
    when the rule runs: it records here, once for all the records of the
    trigger, which template goes to which records and when. At that moment the
    e-mails are written with the records as they are then (a work order
    rescheduled meanwhile shows its new date; a deleted one gets nothing) and
    handed to the mail queue. A status change of a thousand work orders thus
    costs one row here instead of a thousand rendered e-mails in the user's
    transaction.

    Security: the rows are bookkeeping of the module. Nobody may create or write
    them (managers only read them, and retry or cancel them, which changes their
    state and nothing else). What is sent is derived again from the rule's action
    when the e-mails are due: a row whose template, model or extra recipients no
    longer match its action is refused. See ``_send_mails`` for the user the
    e-mails are written as.
    """

    _name = "field.scheduled.mail"
    _inherit = ["field.bookkeeping.mixin"]
    _retention_param = RETENTION_PARAM
    _retention_default = DEFAULT_RETENTION_DAYS
    _description = "Scheduled E-mails of Automation Rules"
    _order = "scheduled_date desc, id desc"
    _rec_name = "template_id"

    action_id = fields.Many2one("ir.actions.server", ondelete="cascade", readonly=True)
    rule_id = fields.Many2one(related="action_id.base_automation_id", string="Automation Rule")
    # managers may not read automation rules and server actions (system administrators
    # only): they see the rule's name
    rule_name = fields.Char(
        string="Rule", compute="_compute_rule_name", store=True, compute_sudo=True
    )
    template_id = fields.Many2one(
        "mail.template",
        string="E-mail Template",
        required=True,
        ondelete="cascade",
        readonly=True,
    )
    model = fields.Char(required=True, readonly=True)
    res_ids = fields.Json(string="Record IDs", required=True, readonly=True)
    record_count = fields.Integer(string="Records", compute="_compute_record_count")
    extra_email = fields.Char(string="Extra Recipients", readonly=True)
    user_id = fields.Many2one(
        "res.users",
        string="Triggered By",
        ondelete="set null",
        readonly=True,
        help="The e-mails are written as this user, with what this user may read.",
    )
    as_superuser = fields.Boolean(
        string="Triggered by the System",
        readonly=True,
        help="The rule was triggered by the scheduler (time-based rules) or by a portal "
        "user: the e-mails are written as superuser, as Odoo's own e-mail actions of "
        "automation rules.",
    )
    scheduled_date = fields.Datetime(string="Send At", required=True, index=True, readonly=True)
    state = fields.Selection(
        [
            ("pending", "Scheduled"),
            ("sent", "Queued for Sending"),
            ("failed", "Failed"),
            ("cancelled", "Cancelled"),
        ],
        default="pending",
        required=True,
        index=True,
        readonly=True,
    )
    error = fields.Text(readonly=True)
    mail_count = fields.Integer(string="E-mails", readonly=True)

    @api.depends("action_id.base_automation_id.name")
    def _compute_rule_name(self):
        for scheduled in self:
            scheduled.rule_name = scheduled.action_id.base_automation_id.name

    @api.depends("res_ids")
    def _compute_record_count(self):
        for scheduled in self:
            res_ids = scheduled.res_ids
            scheduled.record_count = len(res_ids) if isinstance(res_ids, list) else 0

    # ------------------------------------------------------------------
    # Who writes the e-mails
    # ------------------------------------------------------------------

    @api.model
    def _trigger_user(self):
        """The internal user who triggered the running rule, or an empty recordset when
        the rule was triggered by the scheduler (time-based rules, crons) or by a portal
        or public user.

        The user counts even when the change ran as superuser: action methods write the
        status with sudo() after their own checks, on behalf of the user who clicked.
        Portal and public users only act through controllers that run as superuser on
        what they may change: their e-mails are written as superuser."""
        trigger = rule_trigger(self.env.context)
        uid = trigger.uid if trigger else self.env.uid
        if not uid or uid == SUPERUSER_ID:
            return self.env["res.users"]
        user = self.env["res.users"].browse(uid)
        return user if user._is_internal() else self.env["res.users"]

    # ------------------------------------------------------------------
    # Scheduling and sending
    # ------------------------------------------------------------------

    @api.model
    def _schedule(self, action, records, scheduled_date):
        """Send the e-mails of ``action`` to ``records`` at ``scheduled_date``, written
        then as the user who triggered the rule now."""
        user = self._trigger_user()
        # sudo: users cannot create these rows (bookkeeping); every value comes from the
        # rule's action (editable by system administrators only) and from the records the
        # rule runs on, already filtered on what the triggering user may read
        scheduled = self.sudo().create(
            {
                "action_id": action.id,
                "template_id": action.fm_mail_template_id.id,
                "model": records._name,
                "res_ids": records.ids,
                "extra_email": action.fm_mail_extra_email or False,
                "user_id": user.id,
                "as_superuser": not user,
                "scheduled_date": scheduled_date,
            }
        )
        scheduled._trigger_cron(scheduled_date)
        return scheduled

    @api.model
    def _trigger_cron(self, at=None):
        cron = self.env.ref(CRON_XMLID, raise_if_not_found=False)
        if cron:
            # sudo: only wakes the scheduler up; what it sends is checked when it runs
            cron.sudo()._trigger(at)

    @api.model
    def _send_mails(self, template, records, extra_email=False, user=None):
        """Write the e-mails of ``template`` for ``records`` in one batch, with the
        extra recipients, and trigger the mail queue. Returns the mail.mail records.

        :param user: the user the e-mails are written as; ``None``: the user who
            triggered the running rule (see ``_trigger_user``); an empty recordset:
            superuser.

        Why the e-mails are written as the triggering user: the template (subject,
        body, recipients, attached reports) is content users can edit. Members of "Mail
        Template Editor" (system administrators by default, any group an administrator
        adds) write its placeholders and code; other employees edit the static parts of
        the templates they created. Rendered as superuser, placeholders would read any
        record of the database into an e-mail. Rendered as the user whose change fired
        the rule, the e-mail shows at most what this user can read, whoever wrote the
        template; records this user cannot read get no e-mail, and a template that reads
        beyond the user's rights fails with a UserError (the row of a delayed e-mail is
        marked failed with it).

        As superuser only when no internal user triggered the rule (the scheduler and
        time-based rules, portal or public users acting through controllers that run as
        superuser), where there is no user to write them as. This is what Odoo's own
        "Send E-mail" action of automation rules always does, and here it is limited to
        the template that a system administrator chose for the action: the caller passes
        the template of the action (an e-mail without delay) or that of a scheduled row
        verified to match its action exactly (``_verified_values``); a row never
        chooses the template, the model or the recipients itself, and nobody but the
        module writes rows.
        """
        if user is None:
            user = self._trigger_user()
        if user:
            template = template.with_user(user)
            records = records.with_user(user)._filtered_access("read")
        if not records:
            return self.env["mail.mail"]
        try:
            mails = template.send_mail_batch(records.ids)
        except AccessError as error:
            # sudo: the name of the rule's template, for the message only
            raise UserError(
                self.env._(
                    "The e-mail %(template)s of an automation rule reads data that %(user)s "
                    "may not read; it was not sent. Ask an administrator to check the "
                    "template.\n%(error)s",
                    template=template.sudo().name,
                    user=user.name,
                    error=error,
                )
            ) from error
        extra = ",".join(email_split(extra_email or ""))
        if extra and mails:
            # mails is the sudo recordset created by send_mail_batch; the extra
            # addresses come from the rule's action, configured by administrators
            without_to = mails.filtered(lambda mail: not mail.email_to)
            if without_to:
                without_to.write({"email_to": extra})
            for mail in mails - without_to:
                mail.email_to = f"{mail.email_to},{extra}"
        if mails:
            self._log_mails_in_chatter(mails)
            cron = self.env.ref("mail.ir_cron_mail_scheduler_action", raise_if_not_found=False)
            if cron:
                # sudo: only wakes the mail queue up
                cron.sudo()._trigger()
        return mails

    @api.model
    def _log_mails_in_chatter(self, mails):
        """A note in the chatter of each record that a rule e-mailed: subject and
        recipients, so that the office sees what the customer received (e-mails written
        by send_mail_batch are not messages of the record)."""
        by_model = defaultdict(dict)
        for mail in mails:
            if not (mail.model and mail.res_id):
                continue
            recipients = ", ".join(
                filter(None, [*mail.recipient_ids.mapped("email_formatted"), mail.email_to])
            )
            by_model[mail.model][mail.res_id] = Markup("<p>%s</p>") % self.env._(
                "E-mail sent by an automation rule: %(subject)s, to %(recipients)s.",
                subject=mail.subject or "",
                recipients=recipients or self.env._("nobody"),
            )
        for model, bodies in by_model.items():
            records = self.env[model].browse(list(bodies))
            if hasattr(records, "_message_log_batch"):
                # the records the user who triggered the rule may read (see above);
                # the note says only what was sent to whom
                records._message_log_batch(bodies=bodies)

    def _verified_values(self):
        """Template, records and extra recipients of ``self`` as its rule's action says
        now. Raises a UserError when the row does not match its action."""
        self.ensure_one()
        action = self.action_id
        template = action.fm_mail_template_id
        model = action.model_id.model
        if (
            not action
            or action.state != "fm_email"
            or not template
            or template != self.template_id
            or template.model != model
            or self.model != model
            or (action.fm_mail_extra_email or False) != (self.extra_email or False)
        ):
            raise UserError(
                self.env._(
                    "These e-mails no longer match the Send E-mail action of their rule (its "
                    "template, model or extra recipients were changed, or the action was "
                    "deleted): they are not sent."
                )
            )
        res_ids = self.res_ids
        if not isinstance(res_ids, list) or not all(
            isinstance(res_id, int) and not isinstance(res_id, bool) for res_id in res_ids
        ):
            raise UserError(self.env._("The records of these e-mails are not valid."))
        if not self.as_superuser and not self.user_id:
            raise UserError(
                self.env._(
                    "The user who triggered the rule was deleted: these e-mails are not sent."
                )
            )
        records = self.env[model].browse(res_ids).exists()
        return template, records, action.fm_mail_extra_email or False

    def _send(self):
        """Write the e-mails of ``self`` (due) and hand them to the mail queue. Called by
        the scheduler as superuser."""
        for scheduled in self:
            try:
                with self.env.cr.savepoint():
                    template, records, extra_email = scheduled._verified_values()
                    user = self.env["res.users"] if scheduled.as_superuser else scheduled.user_id
                    mails = self._send_mails(template, records, extra_email, user=user)
                    scheduled.write({"state": "sent", "mail_count": len(mails), "error": False})
            except Exception as error:  # noqa: BLE001 - one failure must not stop the others
                _logger.warning(
                    "Scheduled e-mails %s could not be written: %s", scheduled.id, error
                )
                scheduled.write({"state": "failed", "error": str(error)})

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def _manager_refusal(self):
        return self.env._("Only Field Service managers can retry or cancel scheduled e-mails.")

    def action_retry(self):
        """Managers: schedule failed e-mails again, for now. Only the state changes; the
        scheduler writes them as described in ``_send_mails`` (what is sent is checked
        against the rule's action when they are due)."""
        if self._write_state_as_manager(("failed",), {"state": "pending", "error": False}):
            self._trigger_cron()
        return True

    def action_cancel(self):
        """Managers: do not send e-mails that are scheduled or failed."""
        self._write_state_as_manager(("pending", "failed"), {"state": "cancelled"})
        return True

    @api.model
    def _cron_send_due(self, batch_size=50):
        """Cron: write the due e-mails, ``batch_size`` schedules at a time, committing
        after each batch; triggered for the moment of each schedule."""
        cron = self.env["ir.cron"]
        domain = [("state", "=", "pending"), ("scheduled_date", "<=", fields.Datetime.now())]
        # sudo: the scheduler processes every company's rows; each row is verified
        # against its action and written as its triggering user in _send
        Scheduled = self.sudo()
        cron._commit_progress(remaining=Scheduled.search_count(domain))
        while scheduled := Scheduled.search(domain, order="scheduled_date, id", limit=batch_size):
            scheduled._send()
            if not cron._commit_progress(len(scheduled)):
                break
