from odoo import api, fields, models

from ..models.field_maintenance_plan import INTERVAL_UNITS


class FieldMaintenancePlanPropose(models.TransientModel):
    """A technician proposes periodic maintenance from the work order, on site:
    name and interval, the rest comes from the work order; a dispatcher confirms it."""

    _name = "field.maintenance.plan.propose"
    _description = "Propose Periodic Maintenance"

    work_order_id = fields.Many2one("field.work.order", required=True, ondelete="cascade")
    name = fields.Char(required=True)
    interval_number = fields.Integer(string="Every", default=1, required=True)
    interval_unit = fields.Selection(INTERVAL_UNITS, string="Unit", default="year", required=True)
    note = fields.Text(string="Remarks for the Office")

    @api.model
    def default_get(self, fields_list):
        defaults = super().default_get(fields_list)
        order = self.env["field.work.order"].browse(defaults.get("work_order_id"))
        if order and "name" in fields_list and not defaults.get("name"):
            defaults["name"] = order.summary or order.work_type_id.name or order.name
        return defaults

    def action_propose(self):
        self.ensure_one()
        self.work_order_id._propose_maintenance_plan(
            self.name, self.interval_number, self.interval_unit, self.note
        )
        return {"type": "ir.actions.act_window_close"}
