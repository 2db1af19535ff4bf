from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError


class FieldMaintenancePlanCancel(models.TransientModel):
    """Ask why future maintenance is cancelled (e.g. the installation was replaced)."""

    _name = "field.maintenance.plan.cancel"
    _description = "Cancel Future Maintenance"

    plan_ids = fields.Many2many(
        "field.maintenance.plan",
        string="Maintenance Plans",
        required=True,
        domain=[("state", "=", "active")],
    )
    reason = fields.Text(
        required=True,
        help="Why no more visits are planned, e.g. the installation was replaced or the "
        "customer ended the maintenance contract.",
    )

    @api.model
    def default_get(self, fields_list):
        defaults = super().default_get(fields_list)
        context = self.env.context
        if "plan_ids" in fields_list and not defaults.get("plan_ids"):
            active_ids = context.get("active_ids") or (
                [context["active_id"]] if context.get("active_id") else []
            )
            if context.get("active_model") == "field.maintenance.plan":
                defaults["plan_ids"] = active_ids
            elif context.get("active_model") == "field.work.order":
                orders = self.env["field.work.order"].browse(active_ids)
                defaults["plan_ids"] = orders.maintenance_plan_id.ids
        return defaults

    @api.constrains("reason")
    def _check_reason(self):
        for wizard in self:
            if not (wizard.reason or "").strip():
                raise ValidationError(
                    self.env._("Give the reason why the maintenance is cancelled.")
                )

    def action_confirm(self):
        self.ensure_one()
        plans = self.plan_ids.filtered(lambda plan: plan.state == "active")
        if not plans:
            raise UserError(self.env._("The selected maintenance plans are already cancelled."))
        plans.check_access("write")
        plans._cancel(self.reason)
        return {"type": "ir.actions.act_window_close"}
