from collections import defaultdict

from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import float_is_zero, float_round

from ..tools import assign_by_value

# The role model of lines (security/README.md): what a technician gives or changes on the
# lines of an open work order they work on. The price comes from the customer's price
# agreements; unit price and discount are for dispatchers and managers.
TECHNICIAN_LINE_FIELDS = frozenset(
    {
        "sequence",
        "display_type",
        "line_type",
        "product_id",
        "name",
        "quantity",
        "product_uom_id",
        "extra_work_state",
    }
)


class FieldWorkOrderLine(models.Model):
    _name = "field.work.order.line"
    _inherit = ["field.line.mixin", "field.company.check.mixin"]
    _description = "Work Order Line"
    _order = "work_order_id, sequence, id"
    _check_company_auto = True

    work_order_id = fields.Many2one(
        "field.work.order", required=True, index=True, ondelete="cascade"
    )
    # The stored computed fields that users cannot edit (company, subtotal, invoiced
    # quantities) are computed after the lines are inserted, for all of them at once, not
    # precomputed: a precomputed field that cannot be given in the values makes the ORM
    # build a draft record per line to compute it, a quarter of the time of creating lines
    # in batches (generated maintenance visits, materials added by automation rules).
    # _create_batch() gives the company, the subtotal and the invoiced quantity instead.
    # The company is the work order's, computed like a related field but assigned once per
    # company for a whole batch (a related field assigns record by record).
    company_id = fields.Many2one(
        "res.company", compute="_compute_company_id", store=True, index=True
    )
    currency_id = fields.Many2one(related="work_order_id.currency_id")
    state = fields.Selection(related="work_order_id.state")
    price_unit = fields.Float(
        string="Unit Price",
        digits="Product Price",
        compute="_compute_price_unit",
        store=True,
        readonly=False,
        precompute=True,
    )
    # explicit defaults: new lines get them in their values instead of one lookup per line
    # when the computes read them
    discount = fields.Float(string="Discount (%)", digits="Discount", default=0.0)
    # rounded in the currency of the work order and shown as money (widget="monetary");
    # a Float, not a Monetary field: the ORM looks the currency of a Monetary field up
    # for every line it writes, a quarter of the time of generating maintenance visits
    price_subtotal = fields.Float(string="Subtotal", compute="_compute_price_subtotal", store=True)

    _discount_range = models.Constraint(
        "CHECK (discount >= 0 AND discount <= 100)",
        "A discount must be between 0 and 100%.",
    )
    _accountable_required_fields = models.Constraint(
        "CHECK (display_type IS NOT NULL OR line_type IS NOT NULL)",
        "Missing line type on a work order line.",
    )

    @api.constrains("quantity")
    def _check_quantity(self):
        negative = self.filtered(lambda line: line.quantity < 0)
        if negative:
            raise ValidationError(
                self.env._(
                    "The quantity of a work order line cannot be negative (%(lines)s); "
                    "a return of material is a credit note.",
                    lines=", ".join(negative.mapped("name")),
                )
            )

    # ------------------------------------------------------------------
    # Access by role
    # ------------------------------------------------------------------

    def _check_technician_access(self, orders, fnames=()):
        """Technicians (not dispatchers): only the fields of TECHNICIAN_LINE_FIELDS (with a
        zero discount when creating), and only on open work orders."""
        orders._check_technician_change(
            self,
            fnames,
            TECHNICIAN_LINE_FIELDS,
            self.env._(
                "Only dispatchers can set these fields of work order lines: %(fields)s. "
                "Prices come from the customer's price agreements."
            ),
            self.env._(
                "Work orders %(orders)s are done or cancelled: only a dispatcher can "
                "change their lines."
            ),
        )

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            orders = self.env["field.work.order"].browse(
                {vals.get("work_order_id") for vals in vals_list} - {None, False}
            )
            fnames = {
                fname
                for vals in vals_list
                for fname, value in vals.items()
                if fname != "work_order_id" and not (fname == "discount" and not value)
            }
            self._check_technician_access(orders, fnames)
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            self._check_technician_access(self.work_order_id, vals)
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_closed_order(self):
        if not self.env.su:
            self._check_technician_access(self.work_order_id)

    @api.depends("product_id", "product_uom_id")
    def _compute_price_unit(self):
        # price agreements: the customer's pricelist at the work order date (see
        # _pricelist_prices); invoiced lines and the travel-cost line keep their price
        lines = self.filtered(
            lambda line: (
                line.product_id and not line.is_travel_cost and not line._origin.qty_invoiced
            )
        )
        prices = lines._pricelist_prices()
        for line in lines:
            line.price_unit = prices[line]

    @api.depends("work_order_id.company_id")
    def _compute_company_id(self):
        assign_by_value(self, "company_id", [line.work_order_id.company_id.id for line in self])

    @api.depends("quantity", "price_unit", "discount", "display_type")
    def _compute_price_subtotal(self):
        currencies = {}  # company: currency, read once per batch
        rounded = {}  # lines of a batch mostly share their subtotal
        subtotals = []
        for line in self:
            if line.display_type:
                subtotals.append(0.0)
                continue
            company = line.work_order_id.company_id
            if company not in currencies:
                currencies[company] = company.currency_id
            subtotals.append(
                self._subtotal(
                    currencies[company], line.quantity, line.price_unit, line.discount, rounded
                )
            )
        assign_by_value(self, "price_subtotal", subtotals)

    @api.model
    def _subtotal(self, currency, quantity, price_unit, discount, rounded):
        """Subtotal of a line, rounded in ``currency``; ``rounded`` caches the rounding
        of the values of a batch."""
        subtotal = quantity * price_unit * (1 - (discount or 0.0) / 100.0)
        if not currency:
            return subtotal
        key = (currency, subtotal)
        if key not in rounded:
            rounded[key] = currency.round(subtotal)
        return rounded[key]

    @api.model
    def _create_batch(self, vals_list):
        """Create lines (not sections or notes) on many work orders at once, e.g. the
        material of an automation rule: ``create()``, with the company, the subtotal and
        the invoiced quantity (none yet) given instead of computed and written after the
        insert. Each of ``vals_list`` gives ``work_order_id``, ``quantity`` and
        ``price_unit``."""
        orders = self.env["field.work.order"].browse({vals["work_order_id"] for vals in vals_list})
        companies = {order.id: order.company_id for order in orders}
        currencies = {company: company.currency_id for company in companies.values()}
        rounded = {}
        # the values as the lines hold them (rounded to the digits of their fields),
        # converted once per distinct value
        held = {}

        def as_held(fname, value):
            if (fname, value) not in held:
                held[fname, value] = self._fields[fname].convert_to_cache(value, self)
            return held[fname, value]

        given_list = []
        for vals in vals_list:
            company = companies[vals["work_order_id"]]
            given_list.append(
                {
                    **vals,
                    "company_id": company.id,
                    "price_subtotal": self._subtotal(
                        currencies[company],
                        as_held("quantity", vals["quantity"]),
                        as_held("price_unit", vals["price_unit"]),
                        as_held("discount", vals.get("discount", 0.0)),
                        rounded,
                    ),
                    "qty_invoiced": 0.0,
                }
            )
        lines = self.create(given_list)
        # the given values are the computed ones: no second computation, no update
        for fname in ("company_id", "price_subtotal", "qty_invoiced"):
            self.env.remove_to_compute(self._fields[fname], lines)
        return lines

    @api.onchange("line_type")
    def _onchange_line_type(self):
        if (
            self.line_type == "labour"
            and not self.product_id
            and self.work_order_id.work_type_id.labour_product_id
        ):
            self.product_id = self.work_order_id.work_type_id.labour_product_id

    # ------------------------------------------------------------------
    # Invoicing
    # ------------------------------------------------------------------

    invoice_line_ids = fields.Many2many(
        "account.move.line",
        "field_work_order_line_invoice_rel",
        "work_order_line_id",
        "invoice_line_id",
        string="Invoice Lines",
        readonly=True,
        copy=False,
        groups="account.group_account_invoice,account.group_account_readonly",
    )
    # rounded to the "Product Unit" precision by their computes, once per batch: named
    # digits would make the ORM look the precision up for every value it converts (a
    # tenth of the time of creating lines), and these two fields are not shown
    qty_invoiced = fields.Float(
        string="Invoiced Quantity",
        compute="_compute_qty_invoiced",
        store=True,
        copy=False,
    )
    qty_to_invoice = fields.Float(
        string="Quantity to Invoice",
        compute="_compute_qty_to_invoice",
        store=True,
        copy=False,
    )
    is_travel_cost = fields.Boolean(
        string="Travel Costs",
        readonly=True,
        default=False,
        help="Line added by 'Compute travel costs'; computing them again updates this line.",
    )

    @api.depends(
        "invoice_line_ids.move_id.state",
        "invoice_line_ids.move_id.move_type",
        "invoice_line_ids.quantity",
        "invoice_line_ids.product_uom_id",
    )
    def _compute_qty_invoiced(self):
        """Quantity on customer invoices minus credit notes, cancelled ones excluded (as
        sale computes the invoiced quantity of order lines)."""
        precision = self.env["decimal.precision"].precision_get("Product Unit")
        # lines on no invoice (lines being created, most lines of a batch): at once
        invoiced = self.filtered(lambda line: line._origin and line.invoice_line_ids)
        (self - invoiced).qty_invoiced = 0.0
        for line in invoiced:
            quantity = 0.0
            for invoice_line in line.invoice_line_ids:
                move = invoice_line.move_id
                if move.state == "cancel" or invoice_line.display_type != "product":
                    continue
                line_qty = invoice_line.quantity
                if invoice_line.product_uom_id and line.product_uom_id:
                    line_qty = invoice_line.product_uom_id._compute_quantity(
                        line_qty, line.product_uom_id, round=False
                    )
                if move.move_type == "out_invoice":
                    quantity += line_qty
                elif move.move_type == "out_refund":
                    quantity -= line_qty
            line.qty_invoiced = float_round(quantity, precision_digits=precision)

    @api.depends(
        "quantity",
        "qty_invoiced",
        "display_type",
        "product_id",
        "price_unit",
        "line_type",
        "product_uom_id",
        "is_travel_cost",
        "work_order_id.state",
        "work_order_id.line_ids.is_travel_cost",
        "work_order_id.work_type_id.labour_product_id",
    )
    def _compute_qty_to_invoice(self):
        precision = self.env["decimal.precision"].precision_get("Product Unit")
        billable = self.filtered(
            lambda line: line.work_order_id.state == "done" and line._is_billable()
        )
        (self - billable).qty_to_invoice = 0.0  # at once: most lines of a batch
        for line in billable:
            line.qty_to_invoice = float_round(
                line.quantity - line.qty_invoiced, precision_digits=precision
            )

    def _is_distance_record(self):
        """Travel line in a length unit: kilometres recorded by the technician."""
        self.ensure_one()
        if self.display_type or self.is_travel_cost or self.line_type != "travel":
            return False
        # the id of the XML id is cached (ormcache); env.ref() would check with a query
        # that the record exists, once per line when a batch computes what to invoice
        km_id = self.env["ir.model.data"]._xmlid_to_res_id(
            "uom.product_uom_km", raise_if_not_found=False
        )
        km = self.env["uom.uom"].browse(km_id)
        return bool(km and self.product_uom_id and self.product_uom_id._has_common_reference(km))

    def _is_billable(self):
        """Whether the line goes on the invoice: lines with a product or a price, except
        the kilometres already charged through the travel-cost line of the work order."""
        self.ensure_one()
        precision = self.env["decimal.precision"].precision_get("Product Unit")
        if self.display_type or float_is_zero(self.quantity, precision_digits=precision):
            return False
        if self._is_distance_record() and any(
            line.is_travel_cost for line in self.work_order_id.line_ids
        ):
            return False
        product = self.product_id
        if not product and self.line_type == "labour":
            product = self.work_order_id.work_type_id.labour_product_id
        return bool(product) or not self.currency_id.is_zero(self.price_unit)

    def _pricelist_prices(self):
        """Unit prices of lines with a product, from the pricelist of the customer (its
        commercial partner) in the work order's company, at the work order date, in the
        work order currency and the unit of the line. Without a pricelist (pricelists
        disabled) the sales price of the product is used.

        :return: {line: price}
        """
        now = fields.Datetime.now()
        requests = [
            line.work_order_id._price_request(
                line.product_id, line.quantity, line.product_uom_id, now
            )
            for line in self
        ]
        return dict(zip(self, self._prices(requests), strict=True))

    @api.model
    def _prices(self, requests):
        """Unit prices of products for customers, as on their work-order lines (see
        _pricelist_prices), for a whole batch at once: each pricelist is read once per
        customer and company, and asked once per date, quantity and unit for all its
        products.

        :param requests: list of ``(company, customer, date, product, quantity, unit)``
        :return: list of prices, in the order of ``requests``
        """
        Pricelist = self.env["product.pricelist"]
        Company = self.env["res.company"]
        # keys of ids, not records: thousands of requests share a few of them
        pricelists = {}  # (customer id, company id): pricelist id
        groups = defaultdict(list)  # pricing key: indexes of the requests
        for index, (company, partner, date, product, quantity, uom) in enumerate(requests):
            customer_key = (partner.id, company.id)
            if customer_key not in pricelists:
                commercial = partner.commercial_partner_id
                pricelists[customer_key] = (
                    commercial.with_company(company).property_product_pricelist.id
                    if commercial
                    else False
                )
            key = (
                company.id,
                pricelists[customer_key],
                date,
                quantity or 1.0,
                (uom or product.uom_id).id,
            )
            groups[key].append(index)
        prices = [0.0] * len(requests)
        for (company_id, pricelist_id, date, quantity, uom_id), indexes in groups.items():
            company = Company.browse(company_id)
            # each product once: the requests of a batch share a few products
            products = self.env["product.product"].browse(
                dict.fromkeys(requests[index][3].id for index in indexes)
            )
            results = (
                Pricelist.with_company(company)
                .browse(pricelist_id)
                ._compute_price_rule(
                    products,
                    quantity,
                    currency=company.currency_id,
                    uom=self.env["uom.uom"].browse(uom_id),
                    date=date,
                )
            )
            for index in indexes:
                prices[index] = results[requests[index][3].id][0]
        return prices

    def _prepare_invoice_line(self, with_sections=False):
        """Values of the invoice line of this line (as sale's _prepare_invoice_line): the
        quantity still to invoice, the work order reference in the label; taxes and
        accounts are left to the invoice (product and fiscal position)."""
        self.ensure_one()
        order = self.work_order_id
        if self.display_type:
            display_type = self.display_type
            if with_sections and display_type == "line_section":
                display_type = "line_subsection"
            return {
                "display_type": display_type,
                "name": self.name,
                "fm_work_order_line_ids": [Command.link(self.id)],
            }
        product = self.product_id
        if not product and self.line_type == "labour":
            product = order.work_type_id.labour_product_id
        return {
            "display_type": "product",
            "name": f"{order.name} - {self.name}",
            "product_id": product.id,
            "product_uom_id": (self.product_uom_id or product.uom_id).id,
            "quantity": self.qty_to_invoice,
            "discount": self.discount,
            "price_unit": self.price_unit,
            "fm_work_order_line_ids": [Command.link(self.id)],
        }

    @api.ondelete(at_uninstall=False)
    def _unlink_except_invoiced(self):
        # sudo: only whether the lines are on a valid invoice is read (users without
        # invoicing rights may not read invoice lines), to refuse their deletion
        invoiced = self.filtered(
            lambda line: line.sudo().invoice_line_ids.move_id.filtered(
                lambda move: move.state != "cancel"
            )
        )
        if invoiced:
            raise UserError(
                self.env._(
                    "Invoiced lines of work orders cannot be deleted: %(lines)s. Cancel or "
                    "delete their invoice first, or add a correcting line.",
                    lines=", ".join(
                        f"{line.work_order_id.name} - {line.name}" for line in invoiced
                    ),
                )
            )
