from odoo import fields, models


class ResCompany(models.Model):
    """Settings of the technician's day: materials technicians pick, and how
    the recorded time becomes labour lines on the invoice."""

    _inherit = "res.company"  # pylint: disable=consider-merging-classes-inherited

    fm_restrict_materials = fields.Boolean(
        string="Only Work-Order Products",
        help="Technicians pick materials among the products marked 'Can be used on work "
        "orders' only; otherwise among all products that can be sold.",
    )
    fm_labour_per_technician = fields.Boolean(
        string="Labour Line per Technician",
        help="Invoice the recorded hours with one labour line per technician instead of one "
        "line with the total.",
    )
