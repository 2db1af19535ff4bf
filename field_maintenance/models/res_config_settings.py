from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    # ------------------------------------------------------------------
    # Invoicing and travel costs (issue 3)
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
    # Periodic maintenance: reminders (issue 4)
    # ------------------------------------------------------------------

    fm_reminder_enabled = fields.Boolean(related="company_id.fm_reminder_enabled", readonly=False)
    fm_reminder_days = fields.Integer(related="company_id.fm_reminder_days", readonly=False)
    fm_reminder_mail_template_id = fields.Many2one(
        related="company_id.fm_reminder_mail_template_id", readonly=False
    )
    fm_reminder_sms_template_id = fields.Many2one(
        related="company_id.fm_reminder_sms_template_id", readonly=False
    )
