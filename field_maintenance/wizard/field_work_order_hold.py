from odoo import fields, models

from ..models.field_work_order_hold import HOLD_REASONS


class FieldWorkOrderHold(models.TransientModel):
    """Why a work order is put on hold."""

    _name = "field.work.order.hold"
    _description = "Put Work Order On Hold"

    work_order_ids = fields.Many2many("field.work.order", required=True)
    reason = fields.Selection(HOLD_REASONS, required=True, default="parts")
    note = fields.Char(string="Details", help="e.g. which part, ordered when, expected when.")

    def action_confirm(self):
        self.ensure_one()
        self.work_order_ids._hold(self.reason, self.note)
        return {"type": "ir.actions.act_window_close"}
