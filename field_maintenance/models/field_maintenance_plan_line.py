import math

from odoo import api, fields, models
from odoo.exceptions import ValidationError

# largest quantity of a template line, in its unit
MAX_QUANTITY = 1_000_000


class FieldMaintenancePlanLine(models.Model):
    """Template line of a maintenance plan: copied into each work order of the plan."""

    _name = "field.maintenance.plan.line"
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
    sequence = fields.Integer(default=10)
    display_type = fields.Selection(
        [("line_section", "Section"), ("line_note", "Note")],
        help="Technical field for UX purpose.",
    )
    line_type = fields.Selection(
        [
            ("material", "Material"),
            ("labour", "Labour"),
            ("travel", "Travel"),
            ("other", "Other"),
        ],
        string="Type",
        default="material",
        required=True,
    )
    product_id = fields.Many2one(
        "product.product",
        check_company=True,
        index="btree_not_null",
        # a product in use is archived, not deleted (see product.product)
        ondelete="restrict",
    )
    name = fields.Text(
        string="Description",
        compute="_compute_name",
        store=True,
        readonly=False,
        precompute=True,
        required=True,
    )
    quantity = fields.Float(default=1.0, digits="Product Unit")
    product_uom_id = fields.Many2one(
        "uom.uom",
        string="Unit",
        compute="_compute_product_uom_id",
        store=True,
        readonly=False,
        precompute=True,
    )

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

    @api.depends("product_id")
    def _compute_name(self):
        for line in self:
            if line.product_id:
                line.name = line.product_id.get_product_multiline_description_sale()
            elif not line.name:
                line.name = False

    @api.depends("product_id")
    def _compute_product_uom_id(self):
        for line in self:
            if line.product_id:
                line.product_uom_id = line.product_id.uom_id

    @api.model
    def _prepare_from_work_order_line(self, order_line):
        """Values of a template line copying a line of a work order."""
        return {
            "sequence": order_line.sequence,
            "display_type": order_line.display_type,
            "line_type": order_line.line_type,
            "product_id": order_line.product_id.id,
            "name": order_line.name,
            "quantity": order_line.quantity,
            "product_uom_id": order_line.product_uom_id.id,
        }

    def _prepare_work_order_line_vals(self):
        """Values of the work-order line made from this template line."""
        self.ensure_one()
        return {
            "sequence": self.sequence,
            "display_type": self.display_type,
            "line_type": self.line_type,
            "product_id": self.product_id.id,
            "name": self.name,
            "quantity": self.quantity,
            "product_uom_id": self.product_uom_id.id,
        }
