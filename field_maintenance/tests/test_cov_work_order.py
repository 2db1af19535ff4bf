"""Work orders: the map of the site, the description of the work type, hours worked,
overdue work, kanban colours, the status changed from a list, dates that do not fit."""

from datetime import datetime, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import Form, tagged

from .common import FieldMaintenanceCase

NOW = datetime(2026, 3, 2, 12, 0)


@tagged("post_install", "-at_install")
class TestWorkOrderDetails(FieldMaintenanceCase):
    def test_map_of_the_site(self):
        """The map opens at the site's coordinates when it has them, else at its address;
        a work order without any address has no map."""
        order = self._work_order(site_partner_id=self.site.id)
        action = order.action_open_map()
        self.assertEqual(action["type"], "ir.actions.act_url")
        self.assertIn("query=Industrieweg+12", action["url"])
        self.assertIn("Mariakerke", action["url"])
        self.site.write({"partner_latitude": 51.07, "partner_longitude": 3.69})
        self.assertIn("query=51.07%2C3.69", order.action_open_map()["url"])
        nowhere = self.env["res.partner"].create({"name": "No address"})
        order = self._work_order(partner_id=nowhere.id)
        self.assertFalse(order.site_map_url)
        with self.assertRaisesRegex(UserError, "has no site address"):
            order.action_open_map()

    def test_description_from_the_work_type(self):
        self.work_type.description = "<p>Clean the burner, measure the flue gas.</p>"
        order = self._work_order()
        self.assertIn("Clean the burner", str(order.description))
        own = self._work_order(description="<p>Only the pump</p>")
        self.assertIn("Only the pump", str(own.description))
        self.assertNotIn("Clean the burner", str(own.description))

    def test_hours_worked(self):
        order = self._order_in_state("ready")
        self.assertEqual(order.actual_hours, 0.0, "not started")
        with freeze_time(NOW):
            order.action_start()
        with freeze_time(NOW + timedelta(minutes=90)):
            order.invalidate_recordset(["actual_hours"])
            self.assertAlmostEqual(order.actual_hours, 1.5, msg="until now while working")
        with freeze_time(NOW + timedelta(hours=2)):
            order.action_done()
        with freeze_time(NOW + timedelta(days=3)):
            order.invalidate_recordset(["actual_hours"])
            self.assertAlmostEqual(order.actual_hours, 2.0)

    def test_overdue(self):
        """Open work orders whose planned end has passed; searchable both ways."""
        late = self._planned_work_order()  # planned 2026-03-02 08:00, 2 hours
        done = self._order_in_state("done")
        later = self._planned_work_order(planned_date_start=NOW + timedelta(days=1))
        orders = late | done | later
        with freeze_time(NOW):
            orders.invalidate_recordset(["is_overdue"])
            self.assertEqual(orders.mapped("is_overdue"), [True, False, False])
            domain = [("id", "in", orders.ids)]
            Order = self.env["field.work.order"]
            self.assertEqual(Order.search([*domain, ("is_overdue", "=", True)]), late)
            self.assertEqual(Order.search([*domain, ("is_overdue", "=", False)]), done | later)

    def test_kanban_colours(self):
        orders = (
            self._work_order()
            | self._planned_work_order()
            | self._order_in_state("done")
            | self._planned_work_order(priority="3")
            | self._order_in_state("done", priority="3")
        )
        self.assertEqual(orders.mapped("color"), [0, 4, 10, 9, 10], "emergencies stand out")

    def test_status_changed_from_a_list(self):
        """A dispatcher who changes the status in a list runs its button, with the other
        values written first; a status that does not exist is refused."""
        order = self._work_order().with_user(self.dispatcher)
        order.write(
            {
                "state": "planned",
                "planned_date_start": self.start,
                "technician_ids": [Command.set(self.technician.ids)],
            }
        )
        self.assertEqual(order.state, "planned")
        self.assertEqual(order.user_id, self.technician)
        with self.assertRaisesRegex(UserError, "cannot be planned"):
            self._work_order().with_user(self.dispatcher).write({"state": "planned"})
        with self.assertRaisesRegex(UserError, "Unknown work order status"):
            order.write({"state": "archived"})
        self.assertEqual(order.state, "planned")

    def test_dates_that_do_not_fit(self):
        order = self._order_in_state("done", times=(self.start, self.start + timedelta(hours=2)))
        with self.assertRaisesRegex(ValidationError, "cannot be completed before it was started"):
            order.write({"date_end": self.start - timedelta(hours=1)})
        with self.assertRaisesRegex(ValidationError, "planned end .* cannot be before"):
            self._planned_work_order().write({"planned_date_end": self.start - timedelta(hours=1)})

    def test_work_orders_of_a_work_type(self):
        self._work_order()
        self._work_order()
        self._work_order(work_type_id=self.signed_type.id)
        unused = self.env["field.work.type"].create({"name": "Unused"})
        self.assertEqual(
            (self.work_type | self.signed_type | unused).mapped("work_order_count"), [2, 1, 0]
        )

    def test_labour_line_gets_the_labour_product(self):
        """In the form, a line marked as labour gets the work type's labour product."""
        self.work_type.labour_product_id = self.labour
        order = self._planned_work_order()
        with Form(order) as form:
            with form.line_ids.new() as line:
                line.line_type = "labour"
                self.assertEqual(line.product_id, self.labour)
            with form.line_ids.new() as line:
                line.product_id = self.valve
                line.line_type = "labour"
                self.assertEqual(line.product_id, self.valve, "a product chosen is kept")
        self.assertEqual(order.line_ids.mapped("product_id"), self.labour | self.valve)
