from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    """Settings of customer self-service (see res_company_self_service.py)."""

    _inherit = "res.config.settings"  # pylint: disable=consider-merging-classes-inherited

    fm_booking_enabled = fields.Boolean(related="company_id.fm_booking_enabled", readonly=False)
    fm_booking_mode = fields.Selection(related="company_id.fm_booking_mode", readonly=False)
    fm_booking_change_hours = fields.Integer(
        related="company_id.fm_booking_change_hours", readonly=False
    )
    fm_public_request_enabled = fields.Boolean(
        related="company_id.fm_public_request_enabled", readonly=False
    )
    fm_request_rate_limit = fields.Integer(
        related="company_id.fm_request_rate_limit", readonly=False
    )
