from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"  # pylint: disable=consider-merging-classes-inherited

    fm_restrict_materials = fields.Boolean(
        related="company_id.fm_restrict_materials", readonly=False
    )
    fm_labour_per_technician = fields.Boolean(
        related="company_id.fm_labour_per_technician", readonly=False
    )
