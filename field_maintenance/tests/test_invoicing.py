from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common import BILLING, DISPATCHER, TECHNICIAN, FieldInvoicingCase


@tagged("post_install", "-at_install")
class TestInvoicing(FieldInvoicingCase):
    def test_invoice_totals_taxes_and_traceability(self):
        order = self._done_order()
        self.assertEqual(order.invoice_status, "to_invoice")
        invoice = order._create_invoices()
        self.assertRecordValues(
            invoice,
            [
                {
                    "move_type": "out_invoice",
                    "state": "draft",
                    "partner_id": self.invoice_address.id,
                    "company_id": self.company.id,
                    "journal_id": self.company_data["default_journal_sale"].id,
                    "invoice_origin": order.name,
                    "amount_untaxed": 2 * 12.5 + 1.5 * 60.0,
                }
            ],
        )
        lines = invoice.invoice_line_ids.sorted("sequence")
        self.assertRecordValues(
            lines,
            [
                {"product_id": self.material.id, "quantity": 2.0, "price_unit": 12.5},
                {"product_id": self.labour.id, "quantity": 1.5, "price_unit": 60.0},
            ],
        )
        for line in lines:
            self.assertTrue(line.name.startswith(order.name), line.name)
            self.assertEqual(line.tax_ids, self.tax)
        self.assertAlmostEqual(invoice.amount_tax, 115.0 * self.tax.amount / 100)
        self.assertAlmostEqual(invoice.amount_total, 115.0 * (1 + self.tax.amount / 100))
        self.assertEqual(order.invoice_status, "invoiced")
        self.assertEqual(order.invoice_ids, invoice)
        self.assertEqual(order.invoice_count, 1)
        self.assertEqual(order.line_ids.mapped("qty_invoiced"), [2.0, 1.5])
        self.assertEqual(order.line_ids.mapped("qty_to_invoice"), [0.0, 0.0])
        self.assertEqual(invoice.fm_work_order_ids, order)
        self.assertEqual(invoice.fm_work_order_count, 1)
        self.assertEqual(
            self.env["field.work.order"].search([("invoice_ids", "in", invoice.ids)]), order
        )
        action = invoice.action_view_fm_work_orders()
        self.assertEqual(action["res_id"], order.id)
        action = order.action_view_invoices()
        self.assertEqual(action["res_id"], invoice.id)
        self.assertIn(order.name, invoice.message_ids[:1].body)

    def test_fiscal_position_maps_taxes(self):
        tax_export = self.tax.copy({"name": "Export 0%", "amount": 0.0})
        fiscal_position = self.env["account.fiscal.position"].create(
            {"name": "Export", "tax_ids": [Command.link(tax_export.id)]}
        )
        tax_export.original_tax_ids = self.tax
        self.customer.property_account_position_id = fiscal_position
        invoice = self._done_order()._create_invoices()
        self.assertEqual(invoice.fiscal_position_id, fiscal_position)
        self.assertEqual(invoice.invoice_line_ids.tax_ids, tax_export)
        self.assertAlmostEqual(invoice.amount_tax, 0.0)

    def test_create_invoice_action_and_workflow(self):
        order = self._order(technician_ids=[Command.set(self.technician.ids)])
        self.assertEqual(order.invoice_status, "no")
        order.action_plan()
        order.action_start()
        order.action_done()
        self.assertEqual(order.invoice_status, "to_invoice")
        action = order.action_create_invoices()
        self.assertEqual(action["res_model"], "account.move")
        self.assertEqual(action["res_id"], order.invoice_ids.id)

    def test_list_action_on_a_selection(self):
        orders = self._done_order() | self._done_order(self.other_customer)
        action = self.env.ref("field_maintenance.action_server_field_work_order_create_invoices")
        self.assertEqual(action.binding_model_id.model, "field.work.order")
        result = action.with_context(
            active_model="field.work.order", active_ids=orders.ids, active_id=orders[0].id
        ).run()
        self.assertEqual(result["res_model"], "account.move")
        self.assertEqual(len(orders.invoice_ids), 2)
        self.assertEqual(set(result["domain"][0][2]), set(orders.invoice_ids.ids))

    def test_grouping_per_customer_with_sections(self):
        first = self._done_order(summary="Boiler")
        second = self._done_order(
            partner=self.contact,
            summary="Radiator",
            lines=[
                Command.create({"display_type": "line_section", "name": "Radiators"}),
                self._line(self.valve, 2.0),
                Command.create({"display_type": "line_note", "name": "Bleed next year"}),
            ],
        )
        third = self._done_order(partner=self.other_customer)
        invoices = (first | second | third)._create_invoices()
        self.assertEqual(len(invoices), 2)
        grouped = invoices.filtered(lambda move: move.partner_id == self.invoice_address)
        self.assertEqual(grouped.fm_work_order_ids, first | second)
        self.assertEqual(grouped.invoice_origin, f"{first.name}, {second.name}")
        self.assertEqual(grouped.amount_untaxed, 2 * 12.5 + 1.5 * 60 + 2 * 40)
        lines = grouped.invoice_line_ids.sorted("sequence")
        self.assertEqual(
            lines.mapped("display_type"),
            [
                "line_section",
                "product",
                "product",
                "line_section",
                "line_subsection",
                "product",
                "line_note",
            ],
        )
        self.assertEqual(lines[0].name, f"{first.name} - Boiler")
        self.assertEqual(lines[3].name, f"{second.name} - Radiator")
        self.assertEqual(lines[4].name, "Radiators")
        other = invoices - grouped
        self.assertEqual(other.partner_id, self.other_customer)
        self.assertEqual(other.invoice_line_ids.mapped("display_type"), ["product", "product"])
        self.assertEqual((first | second | third).mapped("invoice_status"), ["invoiced"] * 3)

    def test_grouping_per_work_order_setting(self):
        self.company.fm_invoice_grouping = "work_order"
        orders = self._done_order() | self._done_order() | self._done_order(self.other_customer)
        invoices = orders._create_invoices()
        self.assertEqual(len(invoices), 3)
        self.assertEqual(sorted(invoices.mapped("invoice_origin")), sorted(orders.mapped("name")))
        self.assertNotIn("line_section", invoices.invoice_line_ids.mapped("display_type"))

    def test_no_double_invoicing(self):
        order = self._done_order()
        invoice = order._create_invoices()
        with self.assertRaisesRegex(UserError, f"{order.name}.*already fully invoiced"):
            order._create_invoices()
        # work added after invoicing is invoiced on its own
        order.write({"line_ids": [self._line(self.valve, 1.0)]})
        self.assertEqual(order.invoice_status, "to_invoice")
        second = order._create_invoices()
        self.assertEqual(second.invoice_line_ids.product_id, self.valve)
        self.assertEqual(order.invoice_ids, invoice | second)
        self.assertEqual(order.invoice_status, "invoiced")
        # an invoiced line cannot be deleted
        with self.assertRaisesRegex(UserError, "Invoiced lines"):
            order.line_ids[0].unlink()

    def test_search_by_invoices(self):
        """ "Invoices is set / not set" finds the invoiced orders and the others, an order
        invoiced in part (a line added after invoicing) among the invoiced ones."""
        Order = self.env["field.work.order"]
        invoiced = self._done_order()
        invoice = invoiced._create_invoices()
        partly = self._done_order()
        partly._create_invoices()
        partly.write({"line_ids": [self._line(self.valve, 1.0)]})
        not_invoiced = self._done_order()
        orders = invoiced | partly | not_invoiced
        self.assertEqual(
            Order.search([("id", "in", orders.ids), ("invoice_ids", "!=", False)]),
            invoiced | partly,
        )
        self.assertEqual(
            Order.search([("id", "in", orders.ids), ("invoice_ids", "=", False)]), not_invoiced
        )
        self.assertEqual(
            Order.search([("id", "in", orders.ids), ("invoice_ids", "in", [invoice.id, False])]),
            invoiced | not_invoiced,
        )
        self.assertEqual(
            Order.search([("id", "in", orders.ids), ("invoice_ids.id", "=", invoice.id)]),
            invoiced,
        )
        invoice_query = self.env["account.move"]._search([("id", "=", invoice.id)])
        self.assertEqual(
            Order.search([("id", "in", orders.ids), ("invoice_ids", "any", invoice_query)]),
            invoiced,
        )

    def test_cancelled_or_deleted_draft_invoice_frees_lines(self):
        order = self._done_order()
        invoice = order._create_invoices()
        invoice.button_cancel()
        self.assertEqual(order.invoice_status, "to_invoice")
        self.assertEqual(order.line_ids.mapped("qty_invoiced"), [0.0, 0.0])
        second = order._create_invoices()
        self.assertEqual(second.amount_untaxed, 115.0)
        second.unlink()
        self.assertEqual(order.invoice_status, "to_invoice")
        self.assertEqual(order.line_ids.mapped("qty_to_invoice"), [2.0, 1.5])
        third = order._create_invoices()
        self.assertEqual(order.invoice_ids, invoice | third)

    def test_credit_note_as_in_sale(self):
        order = self._done_order()
        invoice = order._create_invoices()
        invoice.action_post()
        reversal = (
            self.env["account.move.reversal"]
            .with_context(active_model="account.move", active_ids=invoice.ids)
            .create({"reason": "Wrong customer", "journal_id": invoice.journal_id.id})
        )
        reversal.refund_moves()
        refund = order.invoice_ids - invoice
        self.assertEqual(refund.move_type, "out_refund")
        self.assertEqual(refund.fm_work_order_ids, order)
        # as for a sale order, a full credit note makes the lines invoiceable again
        self.assertEqual(order.line_ids.mapped("qty_invoiced"), [0.0, 0.0])
        self.assertEqual(order.invoice_status, "to_invoice")
        new_invoice = order._create_invoices()
        self.assertEqual(new_invoice.amount_untaxed, 115.0)
        self.assertEqual(order.invoice_ids, invoice | refund | new_invoice)
        self.assertEqual(order.invoice_status, "invoiced")

    def test_refusals_name_the_work_orders(self):
        draft = self._order()
        nothing = self._done_order(
            lines=[
                Command.create({"display_type": "line_note", "name": "Checked, all fine"}),
                Command.create({"name": "Looked at the boiler", "quantity": 1.0}),
            ]
        )
        done = self._done_order()
        with self.assertRaises(UserError) as caught:
            (draft | nothing | done)._create_invoices()
        message = str(caught.exception)
        self.assertIn(f"Work order {draft.name} cannot be invoiced: it is Draft, not done", message)
        self.assertIn(f"Work order {nothing.name} cannot be invoiced: it has no billable", message)
        self.assertNotIn(done.name, message)
        self.assertFalse(done.invoice_ids)
        self.assertEqual(nothing.invoice_status, "no")
        # automation rules skip what cannot be invoiced
        invoices = (draft | nothing | done)._create_invoices(skip_refused=True)
        self.assertEqual(invoices.fm_work_order_ids, done)

    def test_refusal_in_user_language(self):
        self.env["res.lang"]._activate_lang("nl_BE")
        draft = self._order()
        with self.assertRaisesRegex(UserError, draft.name):
            draft.with_context(lang="nl_BE")._create_invoices()

    def test_labour_from_work_type_hours(self):
        # no labour recorded: the actual hours (08:00 - 10:00) with the labour product
        order = self._done_order(work_type_id=self.work_type.id, lines=[self._line(self.valve)])
        self.assertEqual(order.invoice_status, "to_invoice")
        invoice = order._create_invoices()
        labour = invoice.invoice_line_ids.filtered(lambda line: line.product_id == self.labour)
        self.assertRecordValues(labour, [{"quantity": 2.0, "price_unit": 60.0}])
        self.assertEqual(len(order.line_ids.filtered(lambda line: line.line_type == "labour")), 1)
        # planned hours (the work order is planned for 3 hours)
        self.company.fm_labour_hours = "planned"
        order = self._done_order(work_type_id=self.work_type.id, lines=[], planned_hours=3.0)
        self.assertEqual(order.invoice_status, "to_invoice")
        invoice = order._create_invoices()
        self.assertRecordValues(
            invoice.invoice_line_ids, [{"product_id": self.labour.id, "quantity": 3.0}]
        )
        # a labour line recorded without a product gets the work type's labour product
        order = self._done_order(
            work_type_id=self.work_type.id,
            lines=[Command.create({"line_type": "labour", "name": "Hours", "quantity": 4.0})],
        )
        invoice = order._create_invoices()
        self.assertRecordValues(
            invoice.invoice_line_ids,
            [{"product_id": self.labour.id, "quantity": 4.0, "price_unit": 60.0}],
        )

    def test_access_rights(self):
        order = self._done_order()
        with self.assertRaisesRegex(AccessError, "not allowed to create invoices"):
            order.with_user(self.dispatcher)._create_invoices()
        technician = self._user(
            "fm_inv_tech2", f"{TECHNICIAN},{BILLING}", "Ilse Invoicing Technician"
        )
        with self.assertRaises(AccessError):
            # not one of their work orders
            order.with_user(technician)._create_invoices()
        accountant = self._user("fm_inv_accountant", BILLING, "Anna Accountant")
        with self.assertRaises(AccessError):
            # may read work orders, not change them
            order.with_user(accountant)._create_invoices()
        # an accountant sees where an invoice comes from
        invoice = order._create_invoices()
        self.assertEqual(invoice.with_user(accountant).fm_work_order_ids, order)
        self.assertEqual(order.with_user(accountant).invoice_ids, invoice)
        billing_dispatcher = self._user("fm_inv_billing", f"{DISPATCHER},{BILLING}", "Bea Billing")
        other = self._done_order()
        invoice = other.with_user(billing_dispatcher)._create_invoices()
        self.assertEqual(invoice.fm_work_order_ids, other)

    def test_multi_company(self):
        company_data_2 = self.setup_other_company(name="Koeltechniek NV")
        company_2 = company_data_2["company"]
        tax_2 = company_data_2["default_tax_sale"]
        (self.material | self.labour).with_company(company_2).write(
            {"taxes_id": [Command.link(tax_2.id)]}
        )
        self.env.user.company_ids |= company_2
        order_1 = self._done_order()
        order_2 = self._done_order(
            company_id=company_2.id,
            lines=[self._line(self.material, 2.0), self._line(self.labour, 1.0)],
        )
        self.assertEqual(order_2.company_id, company_2)
        both = (order_1 | order_2).with_context(allowed_company_ids=[self.company.id, company_2.id])
        invoices = both._create_invoices()
        self.assertEqual(len(invoices), 2)
        invoice_2 = invoices.filtered(lambda move: move.company_id == company_2)
        self.assertEqual(invoice_2.journal_id, company_data_2["default_journal_sale"])
        self.assertEqual(invoice_2.invoice_line_ids.tax_ids, tax_2)
        self.assertEqual(
            invoice_2.invoice_line_ids.account_id, company_data_2["default_account_revenue"]
        )
        self.assertEqual(invoice_2.fm_work_order_ids, order_2)
        self.assertEqual((invoices - invoice_2).company_id, self.company)
        # a user of the first company only cannot invoice the second company's work orders
        billing_user = self._user(
            "fm_inv_company_1", f"{DISPATCHER},{BILLING}", "Carl Company One", self.company
        )
        order_3 = self._done_order(company_id=company_2.id, lines=[self._line(self.material)])
        with self.assertRaises(AccessError):
            order_3.with_user(billing_user)._create_invoices()
        self.assertFalse(order_3.invoice_ids)

    def test_amounts_of_a_batch_in_the_currency_of_each_company(self):
        """Work orders of companies with different currencies, created and computed in one
        batch, each get their amount rounded in their own company's currency."""
        yen = self.env.ref("base.JPY")
        yen.active = True
        company_2 = self.setup_other_company(name="Koeltechniek KK", currency_id=yen.id)["company"]
        self.env.user.company_ids |= company_2
        line = {"line_type": "other", "name": "Odd amount", "quantity": 1.0, "price_unit": 10.6}
        orders = (
            self.env["field.work.order"]
            .with_context(allowed_company_ids=[self.company.id, company_2.id])
            .create(
                [
                    {
                        "partner_id": self.customer.id,
                        "company_id": company.id,
                        "line_ids": [Command.create(dict(line)), Command.create(dict(line))],
                    }
                    for company in (self.company, company_2, self.company)
                ]
            )
        )
        self.assertEqual(orders.mapped("currency_id"), self.company.currency_id | yen)
        self.assertEqual(orders.mapped("amount_untaxed"), [21.2, 22.0, 21.2])
        self.assertEqual(orders[1].line_ids.mapped("price_subtotal"), [11.0, 11.0])

    def test_query_count_does_not_grow_per_work_order(self):
        """Invoicing 20 work orders costs about as many queries as invoicing 10: the
        invoices are prepared from prefetched data and all created in one batch."""
        belgium = self.env.ref("base.be")
        customers = self.env["res.partner"].create(
            [
                {"name": f"Customer {index}", "is_company": True, "country_id": belgium.id}
                for index in range(20)
            ]
        )

        def queries(count, one_customer):
            orders = self.env["field.work.order"]
            for index in range(count):
                orders |= self._done_order(
                    customers[0 if one_customer else index],
                    lines=[
                        self._line(self.material, 2.0),
                        self._line(self.valve, 1.0),
                        self._line(self.labour, 1.5, line_type="labour"),
                    ],
                )
            self.env.invalidate_all()
            orders = orders.browse(orders.ids)
            before = self.cr.sql_log_count
            invoices = orders._create_invoices()
            self.env.flush_all()
            count_queries = self.cr.sql_log_count - before
            self.assertEqual(len(invoices), 1 if one_customer else count)
            return count_queries

        queries(2, True)  # warm up the caches (ormcache, registry) before measuring
        # one customer, one invoice: the same queries whatever the number of work orders
        ten, twenty = queries(10, True), queries(20, True)
        self.assertLessEqual(twenty - ten, 5, f"10 work orders: {ten}, 20: {twenty}")
        ten, twenty = queries(10, False), queries(20, False)
        # one invoice per customer: at most the fiscal-position lookup of each customer
        self.assertLessEqual(twenty - ten, 10 * 2, f"10 work orders: {ten}, 20: {twenty}")
