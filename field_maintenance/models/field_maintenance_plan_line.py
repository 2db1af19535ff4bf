from odoo import api, fields, models


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
    product_id = fields.Many2one("product.product", check_company=True, index="btree_not_null")
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
