from odoo import api, fields, models
from odoo.exceptions import ValidationError

from .field_scheduled_mail import DEFAULT_RETENTION_DAYS as MAIL_RETENTION_DAYS
from .field_scheduled_mail import RETENTION_PARAM as MAIL_RETENTION_PARAM
from .field_sync_endpoint import ALLOW_PRIVATE_PARAM
from .field_sync_message import DEFAULT_RETENTION_DAYS as SYNC_RETENTION_DAYS
from .field_sync_message import RETENTION_PARAM as SYNC_RETENTION_PARAM

# settings stored as system parameters: field, parameter, default. Stored here rather than
# with config_parameter=..., which deletes the parameter for 0 (0 keeps them forever).
RETENTION_SETTINGS = (
    ("fm_sync_retention_days", SYNC_RETENTION_PARAM, SYNC_RETENTION_DAYS),
    ("fm_scheduled_mail_retention_days", MAIL_RETENTION_PARAM, MAIL_RETENTION_DAYS),
)


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    # ------------------------------------------------------------------
    # Invoicing and travel costs
    # ------------------------------------------------------------------

    fm_invoice_grouping = fields.Selection(related="company_id.fm_invoice_grouping", readonly=False)
    fm_labour_hours = fields.Selection(related="company_id.fm_labour_hours", readonly=False)
    fm_travel_product_id = fields.Many2one(
        related="company_id.fm_travel_product_id", readonly=False
    )
    fm_travel_callout_fee = fields.Monetary(
        related="company_id.fm_travel_callout_fee", readonly=False
    )
    fm_travel_price_per_km = fields.Float(
        related="company_id.fm_travel_price_per_km", readonly=False
    )
    fm_travel_free_km = fields.Float(related="company_id.fm_travel_free_km", readonly=False)
    fm_travel_mode = fields.Selection(related="company_id.fm_travel_mode", readonly=False)
    fm_travel_road_factor = fields.Float(related="company_id.fm_travel_road_factor", readonly=False)

    # ------------------------------------------------------------------
    # Periodic maintenance: reminders
    # ------------------------------------------------------------------

    fm_reminder_enabled = fields.Boolean(related="company_id.fm_reminder_enabled", readonly=False)
    fm_reminder_days = fields.Integer(related="company_id.fm_reminder_days", readonly=False)
    fm_reminder_mail_template_id = fields.Many2one(
        related="company_id.fm_reminder_mail_template_id", readonly=False
    )
    fm_reminder_sms_template_id = fields.Many2one(
        related="company_id.fm_reminder_sms_template_id", readonly=False
    )

    # ------------------------------------------------------------------
    # Outbox and scheduled e-mails
    # ------------------------------------------------------------------

    fm_sync_retention_days = fields.Integer(
        string="Keep Sent Outbox Messages (days)",
        help="Sent and cancelled outbox messages are deleted after this many days; 0 keeps "
        "them forever.",
    )
    fm_scheduled_mail_retention_days = fields.Integer(
        string="Keep Sent Scheduled E-mails (days)",
        help="Scheduled e-mails of automation rules that were handed to the mail queue (or "
        "cancelled) are deleted after this many days; 0 keeps them forever.",
    )
    fm_sync_allow_private_targets = fields.Boolean(
        string="Sync Endpoints in Private Networks",
        config_parameter=ALLOW_PRIVATE_PARAM,
        help="Let sync endpoints reach addresses of private, local or reserved networks "
        "(127.0.0.1, 10.x, 192.168.x, localhost, ...). Leave it off unless a system of your "
        "own network receives the work orders: such an endpoint can reach any internal "
        "service of the server.",
    )

    @api.constrains("fm_sync_retention_days", "fm_scheduled_mail_retention_days")
    def _check_fm_retention_days(self):
        for settings in self:
            if settings.fm_sync_retention_days < 0 or settings.fm_scheduled_mail_retention_days < 0:
                raise ValidationError(
                    self.env._("The number of days to keep sent messages cannot be negative.")
                )

    @api.model
    def get_values(self):
        res = super().get_values()
        # sudo: res.config.settings is for system administrators; reads two numbers
        params = self.env["ir.config_parameter"].sudo()
        for name, param, default in RETENTION_SETTINGS:
            value = params.get_param(param)
            try:
                res[name] = int(value) if value not in (None, False, "") else default
            except ValueError:
                res[name] = default
        return res

    def set_values(self):
        res = super().set_values()
        # sudo: res.config.settings is for system administrators (execute() checks it)
        params = self.env["ir.config_parameter"].sudo()
        for name, param, _default in RETENTION_SETTINGS:
            params.set_param(param, str(self[name]))
        return res
