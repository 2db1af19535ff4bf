from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import FieldInvoicingCase


@tagged("post_install", "-at_install")
class TestTravelCosts(FieldInvoicingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.km = cls.env.ref("uom.product_uom_km")
        cls.company.write(
            {
                "fm_travel_product_id": cls.travel_product.id,
                "fm_travel_callout_fee": 25.0,
                "fm_travel_price_per_km": 0.5,
                "fm_travel_free_km": 10.0,
                "fm_travel_mode": "round_trip",
                "fm_travel_road_factor": 1.3,
            }
        )
        # Gent (company) and Brussels (site)
        cls.company.partner_id.write({"partner_latitude": 51.0543, "partner_longitude": 3.7174})
        cls.site = cls.env["res.partner"].create(
            {
                "name": "Shop Brussels",
                "type": "delivery",
                "parent_id": cls.customer.id,
                "partner_latitude": 50.8503,
                "partner_longitude": 4.3517,
            }
        )

    def _travel_lines(self, order):
        return order.line_ids.filtered("is_travel_cost")

    def test_recorded_distance_round_trip(self):
        order = self._order(travel_distance=24.0)
        order.action_compute_travel_costs()
        line = self._travel_lines(order)
        # 25.00 + (2 x 24 - 10) km x 0.50
        self.assertRecordValues(
            line,
            [
                {
                    "product_id": self.travel_product.id,
                    "line_type": "travel",
                    "quantity": 1.0,
                    "price_unit": 44.0,
                }
            ],
        )
        self.assertIn("round trip 2 × 24.0 km = 48.0 km", line.name)
        self.assertIn("10.0 km free", line.name)
        self.assertIn("Travel costs", order.message_ids[:1].body)
        # computing again updates the same line
        order.travel_distance = 30.0
        order.action_compute_travel_costs()
        order.action_compute_travel_costs()
        self.assertEqual(self._travel_lines(order), line)
        self.assertEqual(line.price_unit, 50.0)

    def test_one_way(self):
        self.company.fm_travel_mode = "one_way"
        order = self._order(travel_distance=24.0)
        order.action_compute_travel_costs()
        # 25.00 + (24 - 10) km x 0.50
        self.assertEqual(self._travel_lines(order).price_unit, 32.0)
        self.assertIn("one way 24.0 km", self._travel_lines(order).name)

    def test_free_kilometres_only_call_out_fee(self):
        order = self._order(travel_distance=4.0)
        order.action_compute_travel_costs()
        self.assertEqual(self._travel_lines(order).price_unit, 25.0)

    def test_kilometres_recorded_on_travel_lines(self):
        per_km = self._create_product(
            name="Kilometre allowance", type="service", lst_price=0.4, uom_id=self.km.id
        )
        order = self._done_order(
            lines=[
                self._line(self.material, 2.0),
                self._line(per_km, 20.0, line_type="travel"),
                # metres recorded on a second trip
                Command.create(
                    {
                        "line_type": "travel",
                        "name": "Second trip",
                        "quantity": 5000.0,
                        "product_uom_id": self.env.ref("uom.product_uom_meter").id,
                    }
                ),
            ]
        )
        kilometres = order.line_ids.filtered(lambda line: line.product_id == per_km)
        self.assertEqual(kilometres.qty_to_invoice, 20.0)
        order.action_compute_travel_costs()
        # 25 km one way: 25.00 + (50 - 10) km x 0.50
        self.assertEqual(self._travel_lines(order).price_unit, 45.0)
        self.assertIn("kilometres recorded by the technician", order.message_ids[:1].body)
        # the recorded kilometres are charged through the travel line only
        self.assertEqual(kilometres.qty_to_invoice, 0.0)
        invoice = order._create_invoices()
        self.assertEqual(invoice.invoice_line_ids.product_id, self.material | self.travel_product)
        self.assertEqual(invoice.amount_untaxed, 2 * 12.5 + 45.0)

    def test_estimated_from_coordinates(self):
        order = self._order(site_partner_id=self.site.id)
        order.action_compute_travel_costs()
        line = self._travel_lines(order)
        self.assertTrue(line)
        # Gent - Brussels is about 50 km as the crow flies, 65 km with the road factor
        distance = (line.price_unit - 25.0) / 0.5 / 2 + 5
        self.assertAlmostEqual(distance, 65.0, delta=2.0)
        self.assertIn("estimated", order.message_ids[:1].body)
        self.assertIn("road factor 1.30", order.message_ids[:1].body)
        # the recorded distance takes precedence over the estimate
        order.travel_distance = 20.0
        order.action_compute_travel_costs()
        self.assertEqual(self._travel_lines(order), line)
        self.assertEqual(line.price_unit, 40.0)

    def test_no_distance_no_line_and_the_reason(self):
        order = self._order()  # the customer's address has no coordinates
        order.action_compute_travel_costs()
        self.assertFalse(self._travel_lines(order))
        body = order.message_ids[:1].body
        self.assertIn(f"No travel line was added to work order {order.name}", body)
        self.assertIn(self.customer.display_name, body)
        # an earlier travel line is removed when the distance is no longer known
        order.travel_distance = 12.0
        order.action_compute_travel_costs()
        self.assertTrue(self._travel_lines(order))
        order.travel_distance = 0.0
        order.action_compute_travel_costs()
        self.assertFalse(self._travel_lines(order))
        # without the company's coordinates nothing is estimated either
        self.company.partner_id.write({"partner_latitude": 0.0, "partner_longitude": 0.0})
        order.site_partner_id = self.site
        order.action_compute_travel_costs()
        self.assertFalse(self._travel_lines(order))
        self.assertIn(self.company.partner_id.display_name, order.message_ids[:1].body)

    def test_invoiced_travel_line_is_not_recomputed(self):
        order = self._done_order(travel_distance=24.0)
        order.action_compute_travel_costs()
        order._create_invoices()
        order.travel_distance = 50.0
        order.action_compute_travel_costs()
        self.assertEqual(self._travel_lines(order).price_unit, 44.0)
        self.assertIn("already invoiced", order.message_ids[:1].body)
        self.assertEqual(order.invoice_status, "invoiced")

    def test_refusals(self):
        order = self._order(travel_distance=10.0)
        cancelled = self._order(travel_distance=10.0)
        cancelled.action_cancel()
        with self.assertRaisesRegex(UserError, cancelled.name):
            (order | cancelled).action_compute_travel_costs()
        self.company.fm_travel_product_id = False
        with self.assertRaisesRegex(UserError, f"{order.name}.*travel product"):
            order.action_compute_travel_costs()
        self.assertFalse(self._travel_lines(order))

    def test_batch_of_work_orders(self):
        orders = (
            self._order(travel_distance=24.0)
            | self._order(site_partner_id=self.site.id)
            | self._order()
        )
        orders.action_compute_travel_costs()
        self.assertEqual([bool(self._travel_lines(order)) for order in orders], [True, True, False])

    def test_settings(self):
        settings = self.env["res.config.settings"].create(
            {"fm_travel_free_km": 5.0, "fm_travel_mode": "one_way", "fm_travel_road_factor": 1.4}
        )
        settings.execute()
        self.assertRecordValues(
            self.company,
            [{"fm_travel_free_km": 5.0, "fm_travel_mode": "one_way", "fm_travel_road_factor": 1.4}],
        )
        arch = self.env["res.config.settings"].get_view(view_type="form")["arch"]
        self.assertIn('name="fm_travel_product_id"', arch)
