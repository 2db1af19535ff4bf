from collections import defaultdict

from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.fields import Domain
from odoo.tools import float_compare, float_is_zero, format_amount
from odoo.tools.query import Query

from ..tools import assign_by_value


class FieldWorkOrder(models.Model):
    """Invoicing: the amounts of the lines, customer invoices of done work orders (with a
    labour line from the planned or worked hours), the invoice status, and the customer's
    price agreements (pricelists) applied to the lines."""

    _inherit = "field.work.order"  # pylint: disable=consider-merging-classes-inherited

    amount_untaxed = fields.Monetary(
        string="Untaxed Amount", compute="_compute_amounts", store=True
    )
    labour_hours = fields.Float(string="Hours Worked", compute="_compute_amounts", store=True)
    invoice_ids = fields.Many2many(
        "account.move",
        string="Invoices",
        compute="_compute_invoice_ids",
        search="_search_invoice_ids",
        groups="account.group_account_invoice,account.group_account_readonly",
    )
    invoice_count = fields.Integer(
        compute="_compute_invoice_ids",
        groups="account.group_account_invoice,account.group_account_readonly",
    )
    invoice_status = fields.Selection(
        [
            ("no", "Nothing to Invoice"),
            ("to_invoice", "To Invoice"),
            ("invoiced", "Fully Invoiced"),
        ],
        compute="_compute_invoice_status",
        store=True,
        index=True,
        copy=False,
    )

    @api.depends(
        "line_ids.price_subtotal",
        "line_ids.quantity",
        "line_ids.line_type",
        "line_ids.display_type",
    )
    def _compute_amounts(self):
        totals, hours = {}, []
        for order in self:
            order_total = order_hours = 0.0
            for line in order.line_ids:
                if line.display_type:
                    continue
                order_total += line.price_subtotal
                if line.line_type == "labour":
                    order_hours += line.quantity
            totals[order.id] = order_total
            hours.append(order_hours)
        # amounts in the currency of each company (see assign_by_value)
        for orders in self.grouped("company_id").values():
            assign_by_value(orders, "amount_untaxed", [totals[id_] for id_ in orders._ids])
        assign_by_value(self, "labour_hours", hours)

    @api.depends("line_ids.invoice_line_ids.move_id")
    def _compute_invoice_ids(self):
        for order in self:
            invoices = order.line_ids.invoice_line_ids.move_id.filtered(
                lambda move: move.move_type in ("out_invoice", "out_refund")
            )
            order.invoice_ids = invoices
            order.invoice_count = len(invoices)

    def _search_invoice_ids(self, operator, value):
        """The orders with (some of) these customer invoices; ``False`` in the values: the
        orders with no customer invoice at all (as sale orders' ``invoice_ids``: "a line
        without invoice" would also find orders invoiced in part)."""
        if operator in Domain.NEGATIVE_OPERATORS:
            return NotImplemented
        invoice_types = ("out_invoice", "out_refund")
        if operator in ("any", "any!"):  # a path (invoice_ids.name, ...): a domain or query
            invoices = Domain("id", "in", value) if isinstance(value, Query) else Domain(value)
        elif operator == "in":
            invoices = Domain("id", "in", [id_ for id_ in value if id_])
        else:
            return NotImplemented
        domain = Domain(
            "line_ids.invoice_line_ids.move_id",
            # any!: as asked, without the access rules of the lines and invoices
            "any!" if operator == "any!" else "any",
            invoices & Domain("move_type", "in", invoice_types),
        )
        if operator == "in" and False in value:
            domain |= Domain(
                "line_ids",
                "not any",
                [("invoice_line_ids.move_id.move_type", "in", invoice_types)],
            )
        return domain

    @api.depends(
        "state",
        "line_ids.qty_to_invoice",
        "line_ids.qty_invoiced",
        "line_ids.line_type",
        "line_ids.display_type",
        "work_type_id.labour_product_id",
        "planned_hours",
        "date_start",
        "date_end",
        "company_id.fm_labour_hours",
    )
    def _compute_invoice_status(self):
        """As on sale orders: 'to_invoice' when a billable line (or the hours of the work
        type's labour product) remains to be invoiced, 'invoiced' when everything billable
        is on an invoice, even a draft one, 'no' otherwise and before the work is done."""
        precision = self.env["decimal.precision"].precision_get("Product Unit")
        statuses = []
        for order in self:
            status = "no"
            if order.state == "done":
                lines = order.line_ids.filtered(lambda line: not line.display_type)
                if order._needs_labour_line() or any(
                    float_compare(line.qty_to_invoice, 0.0, precision_digits=precision) > 0
                    for line in lines
                ):
                    status = "to_invoice"
                elif any(
                    not float_is_zero(line.qty_invoiced, precision_digits=precision)
                    for line in lines
                ):
                    status = "invoiced"
            statuses.append(status)
        assign_by_value(self, "invoice_status", statuses)

    def _price_date(self, default=None):
        """Date of the price agreements that apply: when the work was (or is planned to be)
        done, else ``default`` (now)."""
        self.ensure_one()
        return self.date_start or self.planned_date_start or default or fields.Datetime.now()

    def _price_request(self, product, quantity, uom, now=None):
        """What prices ``quantity`` ``uom`` of ``product`` on this work order with the
        customer's price agreements: a request of field.work.order.line._prices()."""
        self.ensure_one()
        return (
            self.company_id or self.env.company,
            self.partner_id,
            self._price_date(now),
            product,
            quantity,
            uom,
        )

    def _labour_hours_to_invoice(self):
        self.ensure_one()
        if self.company_id.fm_labour_hours == "planned":
            hours = self.planned_hours
        else:
            hours = self.actual_hours
        return round(hours or 0.0, 2)

    def _labour_hours_split(self):
        """The labour lines invoicing adds: a list of (description or False, hours); one
        line with all the hours here, one per technician with the recorded time (see
        field_work_order_timer.py)."""
        self.ensure_one()
        return [(False, self._labour_hours_to_invoice())]

    def _needs_labour_line(self):
        """Whether invoicing adds a labour line: the work type has a labour product and the
        technician recorded no labour line."""
        self.ensure_one()
        return bool(
            self.state == "done"
            and self.work_type_id.labour_product_id
            and not any(
                line.line_type == "labour" and not line.display_type for line in self.line_ids
            )
            and self._labour_hours_to_invoice() > 0
        )

    def _prepare_labour_lines(self):
        """Before invoicing, give labour lines without a product the work type's labour
        product and add a labour line with the planned or actual hours (company setting)
        to the work orders whose technician recorded none."""
        hour = self.env.ref("uom.product_uom_hour", raise_if_not_found=False)
        to_create = []
        for order in self:
            product = order.work_type_id.labour_product_id
            if not product:
                continue
            for line in order.line_ids.filtered(
                lambda line: (
                    line.line_type == "labour"
                    and not line.display_type
                    and not line.product_id
                    and line.qty_to_invoice > 0
                )
            ):
                vals = {"product_id": product.id, "name": line.name}
                if line.product_uom_id:
                    vals["product_uom_id"] = line.product_uom_id.id
                if not order.currency_id.is_zero(line.price_unit):
                    vals["price_unit"] = line.price_unit
                line.write(vals)
            if order._needs_labour_line():
                uom = product.uom_id
                sequence = max(order.line_ids.mapped("sequence") or [0]) + 1
                for name, hours in order._labour_hours_split():
                    if hour and uom != hour and uom._has_common_reference(hour):
                        hours = hour._compute_quantity(hours, uom, round=False)
                    vals = {
                        "work_order_id": order.id,
                        "line_type": "labour",
                        "product_id": product.id,
                        "product_uom_id": uom.id,
                        "quantity": hours,
                        "sequence": sequence,
                    }
                    if name:
                        vals["name"] = name
                    to_create.append(vals)
        if to_create:
            self.env["field.work.order.line"].create(to_create)

    def _invoice_refusal(self):
        """Translated reason why the work order cannot be invoiced, or None."""
        self.ensure_one()
        if self.state != "done":
            state = dict(self._fields["state"]._description_selection(self.env))[self.state]
            return self.env._(
                "Work order %(order)s cannot be invoiced: it is %(state)s, not done.",
                order=self.name,
                state=state,
            )
        if self.invoice_status == "invoiced":
            return self.env._(
                "Work order %s cannot be invoiced: it is already fully invoiced.", self.name
            )
        if self.invoice_status != "to_invoice":
            return self.env._(
                "Work order %s cannot be invoiced: it has no billable lines (materials, "
                "hours, travel or other lines with a product or a price).",
                self.name,
            )
        return None

    def _check_invoice_access(self):
        self.check_access("write")
        if not self.env["account.move"].has_access("create"):
            raise AccessError(
                self.env._(
                    "You are not allowed to create invoices, so work orders %(orders)s "
                    "cannot be invoiced. Ask a colleague with invoicing rights.",
                    orders=", ".join(self.mapped("name")),
                )
            )

    def action_create_invoices(self):
        """Create draft customer invoices for the selected done work orders and open them."""
        invoices = self._create_invoices()
        return self.action_view_invoices(invoices)

    def _create_invoices(self, skip_refused=False):
        """Create one draft customer invoice per customer (invoice address of the commercial
        partner) and company, or per work order (company setting), with all the moves of a
        company in one create.

        :param skip_refused: leave out the work orders that cannot be invoiced instead of
            refusing them all (automation rules)
        :return: the invoices (account.move)
        """
        self._check_invoice_access()
        refusals = {}
        for order in self:
            reason = order._invoice_refusal()
            if reason:
                refusals[order] = reason
        if refusals and not skip_refused:
            raise UserError("\n".join(refusals.values()))
        orders = self.filtered(lambda order: order not in refusals)
        Move = self.env["account.move"]
        if not orders:
            return Move
        orders._prepare_labour_lines()
        invoices = Move
        for company, company_orders in orders.grouped("company_id").items():
            company_orders = company_orders.with_company(company)
            vals_list, origins = company_orders._prepare_invoices_vals()
            moves = (
                Move.with_company(company)
                .with_context(default_move_type="out_invoice")
                .create(vals_list)
            )
            moves._message_log_batch(
                bodies={
                    move.id: self.env._(
                        "This invoice was created from work orders %s.",
                        Markup(", ").join(order._get_html_link() for order in move_orders),
                    )
                    for move, move_orders in zip(moves, origins, strict=True)
                }
            )
            invoices |= moves
        return invoices

    def _prepare_invoices_vals(self):
        """Values of the invoices of work orders of one company (self.env.company).

        :return: (list of account.move values, list of the work orders of each invoice)
        """
        company = self.env.company
        Journal = self.env["account.journal"]
        journal = Journal.search(
            [*Journal._check_company_domain(company), ("type", "=", "sale")], limit=1
        )
        if not journal:
            raise UserError(Journal._build_no_journal_error_msg(company.display_name, ["sale"]))
        FiscalPosition = self.env["account.fiscal.position"]
        per_work_order = company.fm_invoice_grouping == "work_order"
        # without analytic distribution models, skip their lookup (one query per invoice
        # line): the computed distribution would be empty anyway.
        # sudo: only whether such a model exists is read, nothing is shown
        no_analytic_models = not (
            self.env["account.analytic.distribution.model"]
            .sudo()
            .search_count([("company_id", "in", [company.id, False])], limit=1)
        )
        invoice_partners = {}
        fiscal_positions = {}
        groups = defaultdict(list)
        for order in self.sorted(lambda order: (order.name, order.id)):
            commercial = order.partner_id.commercial_partner_id
            if commercial not in invoice_partners:
                invoice_partners[commercial] = commercial.browse(
                    commercial.address_get(["invoice"])["invoice"]
                )
            partner = invoice_partners[commercial]
            site = order.site_partner_id or partner
            if (partner, site) not in fiscal_positions:
                fiscal_positions[partner, site] = FiscalPosition._get_fiscal_position(
                    partner, delivery=site
                )
            key = (partner, fiscal_positions[partner, site], order if per_work_order else None)
            groups[key].append(order)
        vals_list = []
        origins = []
        for (partner, fiscal_position, _order), order_list in groups.items():
            orders = self.browse([order.id for order in order_list]).with_prefetch(
                self._prefetch_ids
            )
            sites = orders.site_partner_id
            line_vals = orders._prepare_invoice_lines_vals(with_sections=len(orders) > 1)
            currency = orders[:1].currency_id or company.currency_id
            for sequence, vals in enumerate(line_vals, start=1):
                vals["sequence"] = sequence
                if vals["display_type"] != "product":
                    continue
                if no_analytic_models:
                    vals["analytic_distribution"] = False
                if currency == company.currency_id:
                    # the journal amount of the line as account computes it from the price
                    # without included taxes (credit, hence negative): it spares account two
                    # writes per line, and account's tax sync still corrects it when a tax
                    # is included in the price
                    subtotal = currency.round(
                        vals["quantity"] * vals["price_unit"] * (1 - vals["discount"] / 100.0)
                    )
                    vals["balance"] = vals["amount_currency"] = -subtotal
            vals_list.append(
                {
                    "move_type": "out_invoice",
                    "company_id": company.id,
                    "journal_id": journal.id,
                    "partner_id": partner.id,
                    "partner_shipping_id": sites.id if len(sites) == 1 else partner.id,
                    "fiscal_position_id": fiscal_position.id,
                    "currency_id": currency.id,
                    "invoice_origin": ", ".join(orders.mapped("name")),
                    "invoice_line_ids": [Command.create(vals) for vals in line_vals],
                }
            )
            origins.append(orders)
        return vals_list, origins

    def _prepare_invoice_lines_vals(self, with_sections=False):
        """Invoice line values of the lines still to invoice, with the sections and notes
        that introduce them (as sale does), under a section per work order when several
        work orders share the invoice."""
        precision = self.env["decimal.precision"].precision_get("Product Unit")
        result = []
        for order in self:
            order_vals = []
            pending = []
            for line in order.line_ids:
                if line.display_type == "line_section":
                    pending = [line]
                    continue
                if line.display_type == "line_note":
                    if pending:
                        pending.append(line)
                    else:
                        order_vals.append(line._prepare_invoice_line(with_sections))
                    continue
                if float_compare(line.qty_to_invoice, 0.0, precision_digits=precision) <= 0:
                    continue
                order_vals.extend(held._prepare_invoice_line(with_sections) for held in pending)
                pending = []
                order_vals.append(line._prepare_invoice_line(with_sections))
            if not any(vals["display_type"] == "product" for vals in order_vals):
                continue
            if with_sections:
                title = " - ".join(filter(None, [order.name, order.summary]))
                result.append({"display_type": "line_section", "name": title})
            result.extend(order_vals)
        return result

    def action_view_invoices(self, invoices=None):
        invoices = self.invoice_ids if invoices is None else invoices
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_move_out_invoice_type"
        )
        if len(invoices) == 1:
            action["views"] = [(self.env.ref("account.view_move_form").id, "form")]
            action["view_mode"] = "form"
            action["res_id"] = invoices.id
        else:
            action["domain"] = [("id", "in", invoices.ids)]
        action["context"] = {"default_move_type": "out_invoice", "create": False}
        return action

    def action_apply_price_agreements(self):
        """Recompute the prices of the open lines (not invoiced yet) of the work orders from
        the customer's pricelist at the work order date; logs what changed."""
        self.check_access("write")
        precision = self.env["decimal.precision"].precision_get("Product Unit")
        lines = self.filtered(lambda order: order.state != "cancelled").line_ids.filtered(
            lambda line: (
                line.product_id
                and not line.display_type
                and not line.is_travel_cost
                and float_is_zero(line.qty_invoiced, precision_digits=precision)
            )
        )
        prices = lines._pricelist_prices()
        changes = defaultdict(list)
        for line in lines:
            price = prices[line]
            if line.currency_id.compare_amounts(price, line.price_unit):
                changes[line.work_order_id].append(
                    self.env._(
                        "%(product)s: %(old)s → %(new)s",
                        product=line.product_id.display_name,
                        old=format_amount(self.env, line.price_unit, line.currency_id),
                        new=format_amount(self.env, price, line.currency_id),
                    )
                )
                line.price_unit = price
        self._log_batch(
            {
                order.id: Markup("<br/>").join([self.env._("Price agreements applied:"), *messages])
                for order, messages in changes.items()
            }
        )
        return True

    def _log_batch(self, bodies):
        """Log notes on work orders, for the methods that checked write access."""
        if bodies:
            self.browse(list(bodies))._message_log_batch(bodies=bodies)
