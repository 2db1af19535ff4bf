from odoo import fields, models


class FieldWorkType(models.Model):
    """What a work order of this type needs before it can be reported complete:
    the technician sees every missing item when reporting complete; those required here
    block the completion (see field_work_order_completion.py)."""

    _inherit = "field.work.type"  # pylint: disable=consider-merging-classes-inherited

    checklist_required = fields.Boolean(
        string="Checklist Complete Required",
        help="Every check must have a result (OK, Failed or N/A) before a work order of "
        "this type can be reported complete.",
    )
    hours_required = fields.Boolean(
        help="Time (a timer or a labour line) must be recorded before a work order of this "
        "type can be reported complete.",
    )
    signature_drawn_required = fields.Boolean(
        string="Drawn Signature Required",
        help="The customer's signature must be drawn on the screen: a signature typed from "
        "the name is refused. Implies that a signature is required.",
    )
