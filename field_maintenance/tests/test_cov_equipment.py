"""Equipment: warranty, service history, the work orders of an installation, what
technicians and dispatchers may change."""

from datetime import date, datetime, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import Form, tagged

from .common import FieldMaintenanceCase

TODAY = date(2026, 3, 2)


@tagged("post_install", "-at_install")
class TestEquipment(FieldMaintenanceCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Equipment = cls.env["field.equipment"]
        cls.boiler = cls.Equipment.create(
            {"name": "Wall boiler", "partner_id": cls.customer.id, "site_partner_id": cls.site.id}
        )

    def test_under_warranty(self):
        """Under warranty until its last day included; search both ways agrees."""
        ending_today, expired, none = self.Equipment.create(
            [
                {"name": "A", "partner_id": self.customer.id, "warranty_end_date": TODAY},
                {
                    "name": "B",
                    "partner_id": self.customer.id,
                    "warranty_end_date": TODAY - timedelta(days=1),
                },
                {"name": "C", "partner_id": self.customer.id},
            ]
        )
        all_three = ending_today | expired | none
        with freeze_time(TODAY):
            self.assertEqual(all_three.mapped("under_warranty"), [True, False, False])
            domain = [("id", "in", all_three.ids)]
            self.assertEqual(
                self.Equipment.search([*domain, ("under_warranty", "=", True)]), ending_today
            )
            self.assertEqual(
                self.Equipment.search([*domain, ("under_warranty", "=", False)]), expired | none
            )
            self.assertEqual(
                self.Equipment.search([*domain, ("under_warranty", "!=", True)]), expired | none
            )
        with freeze_time(TODAY + timedelta(days=1)):
            ending_today.invalidate_recordset(["under_warranty"])
            self.assertFalse(ending_today.under_warranty)
            self.assertFalse(
                self.Equipment.search([*domain, ("under_warranty", "=", True)]), "expired since"
            )

    def test_service_history(self):
        """The number of work orders of an installation and the end of its last service."""
        other = self.Equipment.create({"name": "Boiler 2", "partner_id": self.customer.id})
        equipment = [Command.set(self.boiler.ids)]
        first = self._order_in_state(
            "done",
            times=(datetime(2025, 3, 3, 8, 0), datetime(2025, 3, 3, 10, 0)),
            equipment_ids=equipment,
        )
        last = self._order_in_state(
            "done",
            times=(datetime(2026, 2, 2, 8, 0), datetime(2026, 2, 2, 11, 0)),
            equipment_ids=[Command.set((self.boiler | other).ids)],
        )
        self._order_in_state("planned", equipment_ids=equipment)
        self.assertRecordValues(
            self.boiler | other,
            [
                {"work_order_count": 3, "last_service_date": datetime(2026, 2, 2, 11, 0)},
                {"work_order_count": 1, "last_service_date": datetime(2026, 2, 2, 11, 0)},
            ],
        )
        fresh = self.Equipment.create({"name": "New", "partner_id": self.customer.id})
        self.assertRecordValues(fresh, [{"work_order_count": 0, "last_service_date": False}])
        self.assertTrue(first and last)

    def test_work_orders_of_the_installation(self):
        """The work orders button lists the installation's work orders; a new one from
        there is for its owner, site and the installation itself."""
        order = self._order_in_state("planned", equipment_ids=[Command.set(self.boiler.ids)])
        self._order_in_state("planned")
        action = self.boiler.action_view_work_orders()
        self.assertEqual(action["res_model"], "field.work.order")
        self.assertEqual(self.env["field.work.order"].search(action["domain"]), order)
        new = (
            self.env["field.work.order"]
            .with_user(self.dispatcher)
            .with_context(**action["context"])
            .create({"summary": "Leak"})
        )
        self.assertRecordValues(
            new, [{"partner_id": self.customer.id, "site_partner_id": self.site.id}]
        )
        self.assertEqual(new.equipment_ids, self.boiler)

    def test_name_from_the_product(self):
        product = self._product(name="Vaillant ecoTEC plus")
        with Form(self.Equipment) as form:
            form.partner_id = self.customer
            form.product_id = product
            self.assertEqual(form.name, "Vaillant ecoTEC plus")
        with Form(self.Equipment) as form:
            form.partner_id = self.customer
            form.name = "Boiler in the attic"
            form.product_id = product
            self.assertEqual(form.name, "Boiler in the attic", "a name typed first is kept")

    def test_who_changes_what(self):
        """Technicians record identification and notes of the equipment of their work
        orders; the owner, site and category are for dispatchers."""
        self._order_in_state("in_progress", equipment_ids=[Command.set(self.boiler.ids)])
        as_technician = self.boiler.with_user(self.technician)
        self.assertFalse(as_technician.is_dispatcher)
        self.assertTrue(self.boiler.with_user(self.dispatcher).is_dispatcher)
        as_technician.write(
            {"serial_number": "21223300100", "brand": "Vaillant", "note": "<p>Filter dirty</p>"}
        )
        self.assertEqual(self.boiler.serial_number, "21223300100")
        with self.assertRaisesRegex(AccessError, "Only dispatchers can change these fields"):
            as_technician.write({"partner_id": self.other_customer.id})
        with self.assertRaisesRegex(AccessError, "Warranty End"):
            as_technician.write({"warranty_end_date": TODAY})
        self.assertEqual(self.boiler.partner_id, self.customer)
        self.boiler.with_user(self.dispatcher).write({"warranty_end_date": TODAY})
        self.assertEqual(self.boiler.warranty_end_date, TODAY)
