from datetime import datetime

from odoo import Command
from odoo.tests import freeze_time, tagged

from .common import FieldInvoicingCase


@tagged("post_install", "-at_install")
class TestPriceAgreements(FieldInvoicingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # the pricelist feature ("Settings > Sales > Pricelists")
        cls.env.ref("base.group_user").sudo().implied_ids += cls.group_product_pricelist
        cls.agreement = cls.env["product.pricelist"].create(
            {
                "name": "Janssens 2026",
                "item_ids": [
                    Command.create(
                        {
                            "applied_on": "0_product_variant",
                            "product_id": cls.material.id,
                            "compute_price": "fixed",
                            "fixed_price": 10.0,
                            "date_start": datetime(2026, 3, 1),
                            "date_end": datetime(2026, 3, 31, 23, 59, 59),
                        }
                    ),
                    Command.create(
                        {
                            "applied_on": "0_product_variant",
                            "product_id": cls.labour.id,
                            "compute_price": "percentage",
                            "percent_price": 10.0,
                            "date_start": datetime(2026, 1, 1),
                            "date_end": datetime(2026, 12, 31, 23, 59, 59),
                        }
                    ),
                ],
            }
        )
        cls.customer.property_product_pricelist = cls.agreement
        cls.march = datetime(2026, 3, 16, 8, 0)
        cls.april = datetime(2026, 4, 13, 8, 0)

    def _prices(self, order):
        return {line.product_id: line.price_unit for line in order.line_ids}

    def test_price_inside_and_outside_validity(self):
        inside = self._order(planned_date_start=self.march, technician_ids=self.technician.ids)
        self.assertEqual(self._prices(inside), {self.material: 10.0, self.labour: 54.0})
        outside = self._order(planned_date_start=self.april)
        self.assertEqual(self._prices(outside), {self.material: 12.5, self.labour: 54.0})
        # the actual start wins over the planned one
        started = self._order(planned_date_start=self.april, date_start=self.march)
        self.assertEqual(self._prices(started)[self.material], 10.0)
        # the invoice takes the agreed prices
        self._advance(inside, "done", times=(self.march, self.march))
        invoice = inside._create_invoices()
        self.assertEqual(invoice.amount_untaxed, 2 * 10.0 + 1.5 * 54.0)

    def test_agreement_of_the_commercial_partner(self):
        # a work order for a contact of the customer gets the customer's agreement
        order = self._order(partner=self.contact, planned_date_start=self.march)
        self.assertEqual(self._prices(order)[self.material], 10.0)
        # other customers pay the list price
        other = self._order(partner=self.other_customer, planned_date_start=self.march)
        self.assertEqual(self._prices(other), {self.material: 12.5, self.labour: 60.0})

    def test_pricelists_disabled_use_list_price(self):
        self.env.ref("base.group_user").sudo().implied_ids -= self.group_product_pricelist
        self.env.ref("base.user_root").sudo().group_ids -= self.group_product_pricelist
        self.env.ref("base.user_admin").sudo().group_ids -= self.group_product_pricelist
        self.env.registry.clear_cache("groups")
        self.assertFalse(
            self.env["res.groups"]._is_feature_enabled("product.group_product_pricelist")
        )
        self.customer.invalidate_recordset()
        order = self._order(planned_date_start=self.march)
        self.assertEqual(self._prices(order), {self.material: 12.5, self.labour: 60.0})
        self.assertTrue(order.action_apply_price_agreements())
        self.assertEqual(self._prices(order), {self.material: 12.5, self.labour: 60.0})

    def test_apply_price_agreements_recomputes_open_lines(self):
        order = self._order(planned_date_start=self.april)
        self.assertEqual(self._prices(order)[self.material], 12.5)
        order.line_ids.filtered(lambda line: line.product_id == self.labour).price_unit = 75.0
        # the job moves into the period of the agreement
        order.planned_date_start = self.march
        order.action_apply_price_agreements()
        self.assertEqual(self._prices(order), {self.material: 10.0, self.labour: 54.0})
        self.assertIn("Price agreements applied", order.message_ids[:1].body)
        self.assertIn(self.material.display_name, order.message_ids[:1].body)
        # nothing changes, nothing is logged
        messages = order.message_ids
        order.action_apply_price_agreements()
        self.assertEqual(order.message_ids, messages)

    def test_invoiced_lines_keep_their_price(self):
        order = self._done_order(planned_date_start=self.march)
        order._create_invoices()
        new_line = self.env["field.work.order.line"].create(
            {"work_order_id": order.id, "product_id": self.valve.id, "price_unit": 1.0}
        )
        self.agreement.item_ids[0].fixed_price = 8.0
        (order | self._order(planned_date_start=self.march)).action_apply_price_agreements()
        self.assertEqual(self._prices(order)[self.material], 10.0)
        self.assertEqual(new_line.price_unit, 40.0)

    def test_agreement_per_company(self):
        company_data_2 = self.setup_other_company(name="Koeltechniek NV")
        company_2 = company_data_2["company"]
        self.env.user.company_ids |= company_2
        agreement_2 = self.env["product.pricelist"].create(
            {
                "name": "Janssens cooling",
                "company_id": company_2.id,
                "item_ids": [
                    Command.create(
                        {
                            "applied_on": "0_product_variant",
                            "product_id": self.material.id,
                            "compute_price": "fixed",
                            "fixed_price": 9.0,
                        }
                    )
                ],
            }
        )
        self.customer.with_company(company_2).property_product_pricelist = agreement_2
        order_1 = self._order(planned_date_start=self.march)
        order_2 = self._order(planned_date_start=self.march, company_id=company_2.id)
        self.assertEqual(self._prices(order_1)[self.material], 10.0)
        self.assertEqual(self._prices(order_2)[self.material], 9.0)

    def test_generated_maintenance_visits_get_agreed_prices(self):
        Plan = self.env["field.maintenance.plan"]
        lines = [
            Command.create({"product_id": self.material.id, "quantity": 2}),
            Command.create({"product_id": self.labour.id, "quantity": 1}),
        ]
        # a visit at a fixed time in March: the agreement of March applies
        fixed = Plan.create(
            {
                "name": "Boiler maintenance",
                "partner_id": self.contact.id,
                "interval_number": 1,
                "interval_unit": "year",
                "next_date": self.march.date(),
                "fixed_time": True,
                "visit_time": 9.0,
                "line_ids": lines,
            }
        )
        # a visit to be planned later: the prices of the day it is created
        unplanned = Plan.create(
            {
                "name": "Heat pump maintenance",
                "partner_id": self.customer.id,
                "interval_number": 1,
                "interval_unit": "year",
                "next_date": self.march.date(),
                "line_ids": lines,
            }
        )
        other = Plan.create(
            {
                "name": "Other customer",
                "partner_id": self.other_customer.id,
                "interval_number": 1,
                "interval_unit": "year",
                "next_date": self.march.date(),
                "fixed_time": True,
                "line_ids": lines,
            }
        )
        with freeze_time("2026-04-20 10:00:00"):
            orders = (fixed | unplanned | other)._generate_work_orders()
        self.assertEqual(len(orders), 3)
        self.assertEqual(
            self._prices(fixed.work_order_ids), {self.material: 10.0, self.labour: 54.0}
        )
        self.assertEqual(
            self._prices(unplanned.work_order_ids), {self.material: 12.5, self.labour: 54.0}
        )
        self.assertEqual(
            self._prices(other.work_order_ids), {self.material: 12.5, self.labour: 60.0}
        )
        self.assertEqual(fixed.work_order_ids.amount_untaxed, 2 * 10.0 + 54.0)
        # the same prices as a work order line created by hand
        by_hand = self._order(partner=self.contact, planned_date_start=self.march)
        self.assertEqual(self._prices(by_hand), self._prices(fixed.work_order_ids))
        # the cron prices the lines of all the visits up front; the lines have every
        # value that the same line added to the work order by hand gets
        for order in orders:
            generated = order.line_ids
            with freeze_time("2026-04-20 10:00:00"):
                added = self.env["field.work.order.line"].create(
                    [
                        {
                            "work_order_id": order.id,
                            "product_id": line.product_id.id,
                            "quantity": line.quantity,
                        }
                        for line in generated
                    ]
                )
            fnames = [
                "name",
                "line_type",
                "product_uom_id",
                "price_unit",
                "discount",
                "price_subtotal",
                "company_id",
                "currency_id",
                "qty_invoiced",
                "qty_to_invoice",
            ]
            self.assertEqual(
                [{fname: line[fname] for fname in fnames} for line in generated],
                [{fname: line[fname] for fname in fnames} for line in added],
            )
