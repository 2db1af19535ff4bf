from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestDemoData(TransactionCase):
    def _demo_records(self, model):
        data = self.env["ir.model.data"].search(
            [("module", "=", "field_maintenance"), ("model", "=", model)]
        )
        return self.env[model].browse(data.mapped("res_id")).exists()

    def test_demo_data(self):
        module = self.env["ir.module.module"].search([("name", "=", "field_maintenance")])
        orders = self._demo_records("field.work.order")
        plans = self._demo_records("field.maintenance.plan")
        if not module.demo:
            self.assertFalse(orders, "no demo work orders in a database without demo data")
            self.assertFalse(self._demo_records("field.equipment"))
            self.assertFalse(plans)
            return
        # periodic maintenance: active and cancelled plans, one overdue, next dates shown
        self.assertEqual(set(plans.mapped("state")), {"active", "cancelled"})
        self.assertTrue(plans.filtered("is_overdue"))
        self.assertTrue(all(plan.line_ids for plan in plans.filtered("auto_create_days")))
        states = {state for state, _label in orders._fields["state"].selection}
        self.assertEqual(set(orders.mapped("state")), states, "demo shows every state")
        equipment = self._demo_records("field.equipment")
        self.assertGreaterEqual(len(equipment), 3)
        technicians = self.env.ref("field_maintenance.group_field_technician").all_user_ids
        self.assertTrue(orders.technician_ids <= technicians)
        planned = orders.filtered(lambda o: o.state in ("planned", "ready", "in_progress"))
        self.assertTrue(planned)
        for order in planned:
            self.assertEqual(len(order.calendar_event_ids), 1, order.name)
            self.assertEqual(order.calendar_event_ids.start, order.planned_date_start)
        # the demo customer on the portal has work orders and installations to look at
        portal_user = self.env.ref("field_maintenance.user_portal_els")
        self.assertTrue(portal_user._is_portal())
        customer = portal_user.partner_id.commercial_partner_id
        self.assertTrue(orders.filtered(lambda o: o.commercial_partner_id == customer))
        own_equipment = equipment.filtered(lambda e: e.commercial_partner_id == customer)
        self.assertTrue(own_equipment)
        self.assertTrue(all(own_equipment.mapped("next_maintenance_date")))
