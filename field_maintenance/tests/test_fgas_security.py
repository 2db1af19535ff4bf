"""F-gas register (issue 17): each role's rights, with_user, each refusal beside its
positive control (security/README.md)."""

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from ..models.field_fgas_log import TECHNICIAN_FGAS_FIELDS
from .common import BILLING
from .test_access_matrix import _names, _section_rows
from .test_fgas import FgasCase


@tagged("post_install", "-at_install")
class TestFgasRoles(FgasCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.technician_2.write(cls.certified)
        cls.accountant = new_test_user(cls.env, login="fm_fgas_acc", groups=BILLING)
        cls.employee = new_test_user(cls.env, login="fm_fgas_emp", groups="base.group_user")
        cls.equipment = cls._equipment(kg=10.0)
        cls.order = cls._order_in_state(
            "in_progress", equipment_ids=[Command.set(cls.equipment.ids)]
        )
        cls.other_order = cls._order_in_state(
            "in_progress",
            equipment_ids=[Command.set(cls.equipment.ids)],
            technician_ids=[Command.set(cls.technician_2.ids)],
        )

    def test_documented_technician_fields(self):
        _header, *rows = _section_rows("What a technician may change")
        cell = {next(iter(_names(row[0]))): row[1] for row in rows}["field.fgas.log"]
        self.assertEqual(_names(cell.split("(")[0]), TECHNICIAN_FGAS_FIELDS)

    def test_technician_writes_entries_of_own_orders_only(self):
        entry = self._entry(self.equipment, order=self.order, user=self.technician)
        self.assertEqual(entry.technician_id, self.technician)
        entry.with_user(self.technician).write({"quantity_kg": 2.0, "note": "Top-up"})
        self.assertEqual(entry.quantity_kg, 2.0)
        with self.assertRaises(AccessError):
            self._entry(self.equipment, order=self.other_order, user=self.technician)
        # the other technician's entry: read, not written
        other = self._entry(self.equipment, order=self.other_order, user=self.technician_2)
        self.assertEqual(other.with_user(self.technician).quantity_kg, 1.0)
        with self.assertRaises(AccessError):
            other.with_user(self.technician).quantity_kg = 3.0
        # as themselves, from a work order, without the dispatcher's fields
        with self.assertRaises(AccessError):
            self._entry(
                self.equipment,
                order=self.order,
                user=self.technician,
                technician_id=self.technician_2.id,
            )
        with self.assertRaises(AccessError):
            self.env["field.fgas.log"].with_user(self.technician).create(
                {"equipment_id": self.equipment.id, "operation": "add", "quantity_kg": 1.0}
            )
        with self.assertRaises(AccessError):
            entry.with_user(self.technician).work_order_id = self.other_order
        with self.assertRaises(AccessError):
            entry.with_user(self.technician).unlink()

    def test_dispatcher_records_for_technicians(self):
        entry = self._entry(
            self.equipment,
            order=self.order,
            user=self.dispatcher,
            technician_id=self.technician.id,
        )
        self.assertEqual(entry.certificate_number, "BE-KT-0042")
        entry.with_user(self.dispatcher).quantity_kg = 0.7
        self.assertEqual(entry.quantity_kg, 0.7)
        for fname, value in (("certificate_number", "FAKE"), ("locked", True)):
            with self.subTest(field=fname), self.assertRaises(AccessError):
                entry.with_user(self.dispatcher).write({fname: value})
        self.assertEqual(entry.certificate_number, "BE-KT-0042")

    def test_nobody_edits_a_completed_order(self):
        entry = self._entry(self.equipment, order=self.order, user=self.technician)
        self.order.with_user(self.technician).action_done()
        for user in (self.technician, self.dispatcher, self.manager):
            with self.subTest(user=user.login), self.assertRaises(UserError):
                entry.with_user(user).note = "changed"
        self.assertFalse(entry.note)
        # the order can be reset by nobody to unlock it: cancelled then draft keeps the lock
        order = self._order_in_state("in_progress", equipment_ids=[Command.set(self.equipment.ids)])
        second = self._entry(self.equipment, order=order, user=self.technician)
        order.action_cancel()
        order.action_draft()
        with self.assertRaises(UserError):
            second.with_user(self.dispatcher).note = "changed"

    def test_read_only_roles(self):
        entry = self._entry(self.equipment, order=self.order, user=self.technician)
        self.assertEqual(entry.with_user(self.accountant).quantity_kg, 1.0)
        with self.assertRaises(AccessError):
            entry.with_user(self.accountant).quantity_kg = 2.0
        for user in (self.employee,):
            with self.subTest(user=user.login), self.assertRaises(AccessError):
                entry.with_user(user).read(["quantity_kg"])
        portal = new_test_user(self.env, login="fm_fgas_portal", groups="base.group_portal")
        with self.assertRaises(AccessError):
            entry.with_user(portal).read(["quantity_kg"])

    def test_other_company_entries_are_hidden(self):
        company_b, dispatcher_b, customer_b = self._company_b()
        entry = self._entry(self.equipment, order=self.order, user=self.technician)
        Log = self.env["field.fgas.log"].with_user(dispatcher_b)
        self.assertFalse(Log.search([("id", "=", entry.id)]))
        self.assertEqual(
            self.env["field.fgas.log"].with_user(self.dispatcher).search([("id", "=", entry.id)]),
            entry,
        )

    def test_equipment_and_refrigerant_fields(self):
        equipment = self.equipment.with_user(self.technician)
        with self.assertRaises(AccessError):
            equipment.refrigerant_charge_kg = 50.0
        with self.assertRaises(AccessError):
            equipment.leak_detection_system = True
        self.equipment.with_user(self.dispatcher).refrigerant_charge_kg = 50.0
        self.assertEqual(self.equipment.refrigerant_charge_kg, 50.0)
        with self.assertRaises(AccessError):
            self.env["field.refrigerant"].with_user(self.dispatcher).create(
                {"name": "R-X", "gwp": 10}
            )
        gas = (
            self.env["field.refrigerant"].with_user(self.manager).create({"name": "R-X", "gwp": 10})
        )
        self.assertEqual(gas.with_user(self.technician).gwp, 10)

    def test_certificates_are_for_administrators(self):
        with self.assertRaises(AccessError):
            self.technician.with_user(self.technician).fm_fgas_certificate_number = "MINE"
        with self.assertRaises(AccessError):
            self.technician.with_user(self.manager).fm_fgas_certificate_number = "YOURS"
        admin = new_test_user(self.env, login="fm_fgas_admin", groups="base.group_system")
        self.technician.with_user(admin).fm_fgas_certificate_number = "BE-KT-9999"
        self.assertEqual(self.technician.fm_fgas_certificate_number, "BE-KT-9999")

    def test_technician_records_on_the_phone(self):
        """The Refrigerant page's buttons open the entry dialog for the order's
        refrigerant installation."""
        action = self.order.with_user(self.technician).action_fgas_add()
        self.assertEqual(action["res_model"], "field.fgas.log")
        context = action["context"]
        self.assertEqual(context["default_equipment_id"], self.equipment.id)
        self.assertEqual(context["default_operation"], "add")
        Log = self.env["field.fgas.log"].with_user(self.technician).with_context(**context)
        entry = Log.create({"quantity_kg": 0.4})
        self.assertEqual(entry.work_order_id, self.order)
        self.assertEqual(entry.refrigerant_id, self.r410a)
        self.assertEqual(self.order.fgas_log_ids, entry)
        # nor through the context's defaults
        with self.assertRaises(AccessError):
            Log.with_context(default_locked=True).create({"quantity_kg": 0.1})
        with self.assertRaises(AccessError):
            Log.with_context(default_work_order_id=self.other_order.id).create({"quantity_kg": 0.1})
