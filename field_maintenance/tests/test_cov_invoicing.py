"""Invoicing details: labour typed by the technician with its own price and unit, labour
products sold per day, notes under a section, the work orders of a grouped invoice, and a
company without a sales journal."""

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import FieldInvoicingCase


@tagged("post_install", "-at_install")
class TestInvoicingDetails(FieldInvoicingCase):
    def test_labour_typed_with_its_own_price_and_unit(self):
        """A labour line the technician typed without product gets the work type's labour
        product on the invoice, and keeps the unit and the price typed."""
        day = self.env.ref("uom.product_uom_day")
        order = self._done_order(
            work_type_id=self.work_type.id,
            lines=[
                Command.create(
                    {
                        "line_type": "labour",
                        "name": "Weekend call-out",
                        "quantity": 1.0,
                        "product_uom_id": day.id,
                        "price_unit": 450.0,
                    }
                )
            ],
        )
        invoice = order._create_invoices()
        self.assertRecordValues(
            invoice.invoice_line_ids,
            [
                {
                    "product_id": self.labour.id,
                    "quantity": 1.0,
                    "product_uom_id": day.id,
                    "price_unit": 450.0,
                }
            ],
        )

    def test_labour_product_sold_per_day(self):
        """The hours worked are invoiced in the unit of the labour product."""
        per_day = self._product(
            name="Technician day",
            type="service",
            list_price=480.0,
            uom_id=self.env.ref("uom.product_uom_day").id,
        )
        self.work_type.labour_product_id = per_day
        order = self._done_order(work_type_id=self.work_type.id, lines=[self._line(self.valve)])
        invoice = order._create_invoices()
        labour = invoice.invoice_line_ids.filtered(lambda line: line.product_id == per_day)
        self.assertEqual(len(labour), 1)
        # two hours worked (08:00-10:00) of an eight-hour day
        self.assertAlmostEqual(labour.quantity, 2.0 / 8.0, places=3)

    def test_notes_under_a_section(self):
        """A note under a section goes with the section, before the section's lines;
        a section whose lines are all invoiced is left out."""
        order = self._done_order(
            lines=[
                Command.create({"display_type": "line_section", "name": "Radiators"}),
                Command.create({"display_type": "line_note", "name": "Bleed next year"}),
                self._line(self.valve, 2.0),
                Command.create({"display_type": "line_section", "name": "Nothing here"}),
                Command.create({"display_type": "line_note", "name": "Not invoiced"}),
            ]
        )
        invoice = order._create_invoices()
        lines = invoice.invoice_line_ids.sorted("sequence")
        self.assertEqual(
            [(line.display_type, line.name.split("\n")[0]) for line in lines][:3],
            [
                ("line_section", "Radiators"),
                ("line_note", "Bleed next year"),
                ("product", lines[2].name.split("\n")[0]),
            ],
        )
        self.assertEqual(lines[2].product_id, self.valve)
        self.assertNotIn("Nothing here", lines.mapped("name"))
        self.assertNotIn("Not invoiced", lines.mapped("name"))

    def test_work_orders_of_a_grouped_invoice(self):
        orders = self._done_order(summary="Boiler") | self._done_order(summary="Radiator")
        invoice = orders._create_invoices()
        self.assertEqual(invoice.fm_work_order_count, 2)
        action = invoice.action_view_fm_work_orders()
        self.assertEqual(self.env["field.work.order"].search(action["domain"]), orders)
        self.assertFalse(action["context"]["create"])
        # and the work orders find their invoice, or the ones without it
        WorkOrder = self.env["field.work.order"]
        other = self._done_order()
        domain = [("id", "in", (orders | other).ids)]
        self.assertEqual(WorkOrder.search([*domain, ("invoice_ids", "in", invoice.ids)]), orders)
        self.assertEqual(WorkOrder.search([*domain, ("invoice_ids", "not in", invoice.ids)]), other)

    def test_company_without_sales_journal(self):
        order = self._done_order()
        self.env["account.journal"].search(
            [("company_id", "=", self.company.id), ("type", "=", "sale")]
        ).action_archive()
        with self.assertRaisesRegex(UserError, "No journal could be found"):
            order._create_invoices()
        self.assertEqual(order.invoice_status, "to_invoice")
