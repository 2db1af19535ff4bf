from odoo import Command
from odoo.tests import tagged

from .common import FieldInvoicingCase
from .test_automation_common import AutomationMixin


@tagged("post_install", "-at_install")
class TestAutomationInvoicing(AutomationMixin, FieldInvoicingCase):
    """The invoice, price-agreement and travel-cost actions call the work-order
    methods of the invoicing feature, for the whole batch."""

    def _in_progress(self, **vals):
        """A work order of ``_order`` started by the technician on the fixed day."""
        order = self._order(technician_ids=self.technician.ids, **vals)
        return self._advance(order, "in_progress", times=(self.day, False))

    def test_generate_invoice_when_reported_complete(self):
        self._rule("wo_completed", [{"state": "fm_invoice"}])
        orders = self._in_progress() | self._in_progress(partner=self.other_customer)
        empty = self._in_progress(lines=[])
        # a technician cannot invoice, the rule can; the work order without anything to
        # invoice is left out instead of refusing them all
        (orders | empty).with_user(self.technician).action_done()
        self.assertEqual(len(orders.invoice_ids), 2)
        self.assertEqual(orders.mapped("invoice_status"), ["invoiced", "invoiced"])
        self.assertFalse(empty.invoice_ids)
        self.assertEqual(set(orders.invoice_ids.mapped("state")), {"draft"})

    def test_apply_price_agreements(self):
        self._rule("wo_completed", [{"state": "fm_price_agreements"}])
        order = self._in_progress(lines=[self._line(self.material, 2.0, price_unit=1.0)])
        self.assertEqual(order.line_ids.price_unit, 1.0)
        order.action_done()
        self.assertEqual(order.line_ids.price_unit, 12.5)

    def test_added_material_gets_the_agreed_price(self):
        self.env.ref("base.group_user").sudo().implied_ids += self.group_product_pricelist
        self.customer.property_product_pricelist = self.env["product.pricelist"].create(
            {
                "name": "Janssens agreement",
                "item_ids": [
                    Command.create(
                        {
                            "applied_on": "0_product_variant",
                            "product_id": self.material.id,
                            "compute_price": "percentage",
                            "percent_price": 7.3,  # 12.5 - 7.3 % = 11.5875
                        }
                    )
                ],
            }
        )
        self._rule(
            "wo_completed",
            [
                {
                    "state": "fm_add_material",
                    "fm_material_product_id": self.material.id,
                    "fm_material_quantity": 3,
                }
            ],
        )
        agreed = self._in_progress(lines=[])
        other = self._in_progress(partner=self.other_customer, lines=[])
        (agreed | other).with_user(self.technician).action_done()
        self.env.flush_all()
        self.env.invalidate_all()  # read back from the database
        # the unit price has the digits of prices; the subtotal is that price times 3
        self.assertEqual(agreed.line_ids.mapped("price_unit"), [11.59])
        self.assertEqual(agreed.line_ids.price_subtotal, 34.77)
        self.assertEqual(agreed.amount_untaxed, 34.77)
        self.assertEqual(other.line_ids.mapped("price_unit"), [12.5])
        self.assertEqual(other.line_ids.qty_to_invoice, 3.0)

    def test_compute_travel_costs(self):
        self.company.write(
            {
                "fm_travel_product_id": self.travel_product.id,
                "fm_travel_price_per_km": 0.5,
                "fm_travel_mode": "round_trip",
                "fm_travel_free_km": 0.0,
                "fm_travel_callout_fee": 0.0,
            }
        )
        self._rule("wo_completed", [{"state": "fm_travel_costs"}])
        order = self._in_progress(travel_distance=20.0)
        order.action_done()
        travel = order.line_ids.filtered("is_travel_cost")
        self.assertEqual(len(travel), 1)
        self.assertEqual(travel.price_unit, 20.0)  # 2 x 20 km x 0.50
