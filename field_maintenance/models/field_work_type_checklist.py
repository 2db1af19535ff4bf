from odoo import fields, models


class FieldWorkTypeChecklist(models.Model):
    _name = "field.work.type.checklist"
    _description = "Work Type Checklist Item"
    _order = "sequence, id"

    work_type_id = fields.Many2one("field.work.type", required=True, index=True, ondelete="cascade")
    sequence = fields.Integer(default=10)
    name = fields.Char(string="Check", required=True, translate=True)
    display_type = fields.Selection(
        [("line_section", "Section")],
        help="A section groups the checks that follow it.",
    )
