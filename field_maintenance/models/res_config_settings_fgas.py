from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"  # pylint: disable=consider-merging-classes-inherited

    fm_fgas_company_certificate = fields.Char(
        related="company_id.fm_fgas_company_certificate", readonly=False
    )
    fm_fgas_leak_loss_threshold = fields.Float(
        related="company_id.fm_fgas_leak_loss_threshold", readonly=False
    )
