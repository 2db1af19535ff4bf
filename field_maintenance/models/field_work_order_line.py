from odoo import api, fields, models


class FieldWorkOrderLine(models.Model):
    _name = "field.work.order.line"
    _description = "Work Order Line"
    _order = "work_order_id, sequence, id"
    _check_company_auto = True

    work_order_id = fields.Many2one(
        "field.work.order", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="work_order_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="work_order_id.currency_id")
    state = fields.Selection(related="work_order_id.state")
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
        string="Product",
        check_company=True,
        index="btree_not_null",
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
    price_unit = fields.Float(
        string="Unit Price",
        digits="Product Price",
        compute="_compute_price_unit",
        store=True,
        readonly=False,
        precompute=True,
    )
    discount = fields.Float(string="Discount (%)", digits="Discount")
    price_subtotal = fields.Monetary(
        string="Subtotal", compute="_compute_price_subtotal", store=True, precompute=True
    )

    _discount_range = models.Constraint(
        "CHECK (discount >= 0 AND discount <= 100)",
        "A discount must be between 0 and 100%.",
    )
    _accountable_required_fields = models.Constraint(
        "CHECK (display_type IS NOT NULL OR line_type IS NOT NULL)",
        "Missing line type on a work order line.",
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

    @api.depends("product_id", "product_uom_id")
    def _compute_price_unit(self):
        for line in self:
            if not line.product_id:
                continue
            price = line.product_id.lst_price
            if line.product_uom_id and line.product_uom_id != line.product_id.uom_id:
                price = line.product_id.uom_id._compute_price(price, line.product_uom_id)
            line.price_unit = price

    @api.depends("quantity", "price_unit", "discount", "display_type")
    def _compute_price_subtotal(self):
        for line in self:
            if line.display_type:
                line.price_subtotal = 0.0
                continue
            subtotal = line.quantity * line.price_unit * (1 - (line.discount or 0.0) / 100.0)
            line.price_subtotal = line.currency_id.round(subtotal) if line.currency_id else subtotal

    @api.onchange("line_type")
    def _onchange_line_type(self):
        if (
            self.line_type == "labour"
            and not self.product_id
            and self.work_order_id.work_type_id.labour_product_id
        ):
            self.product_id = self.work_order_id.work_type_id.labour_product_id
