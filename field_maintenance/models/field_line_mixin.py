from odoo import api, fields, models


class FieldLineMixin(models.AbstractModel):
    """What a line of material, labour or travel is, wherever it is kept: the lines of a
    work order and the template lines of a maintenance plan, which become lines of the
    work orders it generates (``_line_values``)."""

    _name = "field.line.mixin"
    _description = "Field Service Line"

    # the fields a line is copied with, from a plan to its work orders and back
    _line_copied_fields = (
        "sequence",
        "display_type",
        "line_type",
        "product_id",
        "name",
        "quantity",
        "product_uom_id",
    )

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

    @api.depends("product_id")
    def _compute_name(self):
        descriptions = {}  # lines of a batch share a few products
        for line in self:
            product = line.product_id
            if product:
                if product not in descriptions:
                    descriptions[product] = self._product_description(product)
                line.name = descriptions[product]
            elif not line.name:
                line.name = False

    @api.model
    def _product_description(self, product):
        """Description of a line of ``product``, as on quotations."""
        return product.get_product_multiline_description_sale()

    @api.depends("product_id")
    def _compute_product_uom_id(self):
        for line in self:
            if line.product_id:
                line.product_uom_id = line.product_id.uom_id

    def _line_values(self):
        """Values of a line of another kind copying this one (``_line_copied_fields``)."""
        self.ensure_one()
        values = {}
        for fname in self._line_copied_fields:
            value = self[fname]
            values[fname] = value.id if isinstance(value, models.BaseModel) else value
        return values
