from odoo import api, fields, models


class AccountMove(models.Model):
    _inherit = "account.move"

    fm_work_order_ids = fields.Many2many(
        "field.work.order",
        string="Work Orders",
        compute="_compute_fm_work_order_ids",
    )
    fm_work_order_count = fields.Integer(
        string="Work Order Count",
        compute="_compute_fm_work_order_ids",
    )

    @api.depends("line_ids.fm_work_order_line_ids")
    def _compute_fm_work_order_ids(self):
        for move in self:
            orders = move.line_ids.fm_work_order_line_ids.work_order_id
            move.fm_work_order_ids = orders
            move.fm_work_order_count = len(orders)

    def action_view_fm_work_orders(self):
        self.ensure_one()
        orders = self.fm_work_order_ids
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "field_maintenance.action_field_work_order"
        )
        if len(orders) == 1:
            action.update({"views": [(False, "form")], "view_mode": "form", "res_id": orders.id})
        else:
            action["domain"] = [("id", "in", orders.ids)]
        action["context"] = {"create": False}
        return action
