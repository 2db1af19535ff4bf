from odoo import fields, models


class ResCompany(models.Model):
    """Setting of extra-work quotations: the customer accepts or declines on the portal
    the extra work a technician proposes on site."""

    _inherit = "res.company"  # pylint: disable=consider-merging-classes-inherited

    fm_extra_work_portal = fields.Boolean(
        string="Extra Work Quotations on the Portal",
        help="Technicians mark lines of a work order as extra work to be accepted; the "
        "customer accepts (with a signature) or declines them on the portal. Declined "
        "and unanswered extra work is not invoiced.",
    )
