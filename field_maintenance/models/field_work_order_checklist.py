from odoo import fields, models


class FieldWorkOrderChecklist(models.Model):
    _name = "field.work.order.checklist"
    _description = "Work Order Checklist Item"
    _order = "work_order_id, sequence, id"
    _check_company_auto = True

    work_order_id = fields.Many2one(
        "field.work.order", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="work_order_id.company_id", store=True)
    sequence = fields.Integer(default=10)
    name = fields.Char(string="Check", required=True)
    display_type = fields.Selection([("line_section", "Section")])
    result = fields.Selection(
        [("todo", "To Check"), ("ok", "OK"), ("fail", "Failed"), ("na", "N/A")],
        default="todo",
        required=True,
    )
    note = fields.Char()
