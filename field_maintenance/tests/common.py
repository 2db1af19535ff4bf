from datetime import datetime

from odoo import Command
from odoo.tests import TransactionCase, new_test_user


class FieldMaintenanceCase(TransactionCase):
    """Users of each group, a customer with a site address and a work type."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company = cls.env.company
        cls.technician = new_test_user(
            cls.env,
            login="fm_tech",
            groups="field_maintenance.group_field_technician",
            name="Tom Technician",
        )
        cls.technician_2 = new_test_user(
            cls.env,
            login="fm_tech2",
            groups="field_maintenance.group_field_technician",
            name="Tina Technician",
        )
        cls.dispatcher = new_test_user(
            cls.env,
            login="fm_dispatch",
            groups="field_maintenance.group_field_user",
            name="Dirk Dispatcher",
        )
        cls.manager = new_test_user(
            cls.env,
            login="fm_manager",
            groups="field_maintenance.group_field_manager",
            name="Mia Manager",
        )
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "Bakkerij Janssens",
                "is_company": True,
                "email": "info@janssens.example.com",
                "phone": "+32 9 123 45 67",
                "street": "Korenmarkt 1",
                "zip": "9000",
                "city": "Gent",
                "country_id": cls.env.ref("base.be").id,
            }
        )
        cls.site = cls.env["res.partner"].create(
            {
                "name": "Atelier",
                "type": "delivery",
                "parent_id": cls.customer.id,
                "street": "Industrieweg 12",
                "zip": "9030",
                "city": "Mariakerke",
            }
        )
        cls.other_customer = cls.env["res.partner"].create({"name": "Café De Zon"})
        cls.work_type = cls.env["field.work.type"].create(
            {
                "name": "Boiler service",
                "default_duration": 2.0,
                "checklist_template_ids": [
                    Command.create({"name": "Burner cleaned", "sequence": 1}),
                    Command.create({"name": "Flue gas measured", "sequence": 2}),
                ],
            }
        )
        cls.signed_type = cls.env["field.work.type"].create(
            {
                "name": "Installation",
                "signature_required": True,
            }
        )
        cls.material = cls.env["product.product"].create(
            {
                "name": "Gasket set",
                "type": "consu",
                "list_price": 12.5,
            }
        )
        cls.start = datetime(2026, 3, 2, 8, 0)

    @classmethod
    def _work_order(cls, **vals):
        values = {
            "partner_id": cls.customer.id,
            "summary": "Yearly boiler service",
            "work_type_id": cls.work_type.id,
        }
        values.update(vals)
        return cls.env["field.work.order"].create(values)

    @classmethod
    def _planned_work_order(cls, **vals):
        values = {
            "planned_date_start": cls.start,
            "technician_ids": [Command.set(cls.technician.ids)],
        }
        values.update(vals)
        order = cls._work_order(**values)
        order.action_plan()
        return order

    @classmethod
    def _order_in_state(cls, state, **vals):
        if state == "draft":
            return cls._work_order(**vals)
        order = cls._planned_work_order(**vals)
        steps = {
            "planned": [],
            "ready": ["action_ready"],
            "in_progress": ["action_start"],
            "done": ["action_start", "action_done"],
            "cancelled": ["action_cancel"],
        }[state]
        for step in steps:
            getattr(order, step)()
        return order
