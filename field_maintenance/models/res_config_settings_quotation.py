from odoo import fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"  # pylint: disable=consider-merging-classes-inherited

    fm_extra_work_portal = fields.Boolean(related="company_id.fm_extra_work_portal", readonly=False)
