import math

from odoo import api, fields, models
from odoo.exceptions import ValidationError

# largest quantity of a template line, in its unit
MAX_QUANTITY = 1_000_000


class FieldMaintenancePlanLine(models.Model):
    """Template line of a maintenance plan: copied into each work order of the plan."""

    _name = "field.maintenance.plan.line"
    _inherit = ["field.line.mixin"]
    _description = "Maintenance Plan Line"
    _order = "plan_id, sequence, id"
    _check_company_auto = True

    plan_id = fields.Many2one(
        "field.maintenance.plan",
        string="Maintenance Plan",
        required=True,
        index=True,
        ondelete="cascade",
    )
    company_id = fields.Many2one(related="plan_id.company_id", store=True, index=True)
    # a product in use is archived, not deleted (see product.product)
    product_id = fields.Many2one(ondelete="restrict")

    @api.model
    def _check_line_vals(self, vals):
        """Refuse a quantity that is negative, absurdly large or not a number, before the
        ORM rounds it (which would overflow on an infinite one)."""
        if "quantity" not in vals:
            return
        try:
            quantity = float(vals["quantity"] or 0.0)
        except (TypeError, ValueError):
            return  # not a number: the ORM refuses it
        if not (math.isfinite(quantity) and 0 <= quantity <= MAX_QUANTITY):
            raise ValidationError(
                self.env._(
                    "The quantity of a line of a maintenance plan must be from 0 to %(max)s.",
                    max=MAX_QUANTITY,
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._check_line_vals(vals)
        return super().create(vals_list)

    def write(self, vals):
        self._check_line_vals(vals)
        return super().write(vals)

    @api.constrains("quantity")
    def _check_quantity(self):
        for line in self:
            line._check_line_vals({"quantity": line.quantity})

    @api.model
    def _prepare_from_work_order_line(self, order_line):
        """Values of a template line copying a line of a work order."""
        return order_line._line_values()

    def _prepare_work_order_line_vals(self):
        """Values of the work-order line made from this template line."""
        return self._line_values()
