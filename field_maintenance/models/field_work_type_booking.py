from odoo import fields, models


class FieldWorkType(models.Model):
    """Online booking: who may do the visits of a work type that customers book."""

    _inherit = "field.work.type"  # pylint: disable=consider-merging-classes-inherited

    booking_user_ids = fields.Many2many(
        "res.users",
        "field_work_type_booking_user_rel",
        "work_type_id",
        "user_id",
        string="Technicians (Online Booking)",
        domain="[('share', '=', False)]",
        help="Technicians whose free time customers may book for a maintenance visit of this "
        "type when its plan has no responsible. Empty: every technician of the company.",
    )
