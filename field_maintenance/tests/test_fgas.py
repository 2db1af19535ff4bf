"""F-gas register (issue 17): leak-check intervals of Regulation (EU) 2024/573 at their
boundaries, GWP of mixtures, certificates, the register as a legal record, re-checks,
the leak-check plan, leak loss, the yearly balance, the sync payload and the rule preset."""

import ast
import json
from datetime import date, timedelta

from dateutil.relativedelta import relativedelta

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import freeze_time, tagged

from ..models.field_equipment_fgas import leak_check_interval
from .common import FieldMaintenanceCase


class FgasCase(FieldMaintenanceCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.today = fields.Date.context_today(cls.env["field.fgas.log"])
        cls.certified = {
            "fm_fgas_certificate_number": "BE-KT-0042",
            "fm_fgas_certificate_category": "a1",
            "fm_fgas_certificate_expiry": cls.today + relativedelta(years=3),
        }
        cls.technician.write(cls.certified)
        cls.dispatcher.write({**cls.certified, "fm_fgas_certificate_number": "BE-KT-0007"})
        cls.manager.write({**cls.certified, "fm_fgas_certificate_number": "BE-KT-0001"})
        cls.company.fm_fgas_company_certificate = "VL-KB-123"
        cls.r410a = cls.env.ref("field_maintenance.refrigerant_r410a")
        cls.r404a = cls.env.ref("field_maintenance.refrigerant_r404a")
        cls.r455a = cls.env.ref("field_maintenance.refrigerant_r455a")
        cls.r1234yf = cls.env.ref("field_maintenance.refrigerant_r1234yf")
        cls.r744 = cls.env.ref("field_maintenance.refrigerant_r744")
        # a pure HFC of GWP 1000: kg = t CO2e
        cls.gas = cls.env["field.refrigerant"].create(
            {"name": "R-TEST", "kind": "annex_1", "gwp": 1000.0}
        )

    @classmethod
    def _equipment(cls, refrigerant=None, kg=0.0, **vals):
        return cls.env["field.equipment"].create(
            {
                "name": "Cold room",
                "partner_id": cls.customer.id,
                "refrigerant_id": (refrigerant or cls.r410a).id,
                "refrigerant_charge_kg": kg,
                **vals,
            }
        )

    def _entry(self, equipment, operation="add", quantity=1.0, order=None, user=None, **vals):
        Log = self.env["field.fgas.log"]
        if user:
            Log = Log.with_user(user)
        return Log.create(
            {
                "technician_id": (user or self.dispatcher).id,
                "equipment_id": equipment.id,
                "work_order_id": order.id if order else False,
                "operation": operation,
                "quantity_kg": quantity if operation not in ("leak_check", "repair") else 0.0,
                **vals,
            }
        )

    def _order_with(self, equipment, state="in_progress"):
        return self._order_in_state(state, equipment_ids=[Command.set(equipment.ids)])


@tagged("post_install", "-at_install")
class TestFgasIntervals(FgasCase):
    def _interval(self, refrigerant, kg, **vals):
        return self._equipment(refrigerant, kg, **vals).leak_check_interval_months

    def test_co2e_boundaries(self):
        """5, 50 and 500 t CO2e: 12, 6, 3 months; just below each, the band below."""
        expected = [
            (4.99, 0),
            (5.0, 12),
            (49.99, 12),
            (50.0, 6),
            (499.99, 6),
            (500.0, 3),
        ]
        for kg, months in expected:
            with self.subTest(t_co2e=kg):
                equipment = self._equipment(self.gas, kg)
                self.assertAlmostEqual(equipment.co2e_tonnes, kg)
                self.assertEqual(equipment.leak_check_interval_months, months)

    def test_real_gas_co2e(self):
        equipment = self._equipment(self.r410a, 2.4)
        self.assertAlmostEqual(equipment.co2e_tonnes, 2.4 * 2087.5 / 1000)
        self.assertEqual(equipment.leak_check_interval_months, 12)  # 5.01 t
        self.assertEqual(self._interval(self.r410a, 2.39), 0)  # 4.99 t

    def test_leak_detection_halves_the_frequency(self):
        for kg, months in ((4.99, 0), (5.0, 24), (50.0, 12), (500.0, 6)):
            with self.subTest(t_co2e=kg):
                self.assertEqual(self._interval(self.gas, kg, leak_detection_system=True), months)
        equipment = self._equipment(self.gas, 60.0)
        self.assertEqual(equipment.leak_check_interval_months, 6)
        equipment.leak_detection_system = True
        self.assertEqual(equipment.leak_check_interval_months, 12)

    def test_r455a_needs_checks_through_its_hfo_share(self):
        """UBA's example: 1.4 kg of R-455A holds 1.06 kg of HFO-1234yf (over 1 kg) while
        its HFC-32 share is 0.2 t CO2e."""
        equipment = self._equipment(self.r455a, 1.4)
        self.assertAlmostEqual(equipment.fgas_hfo_kg, 1.057, places=3)
        self.assertAlmostEqual(equipment.fgas_annex1_co2e, 0.2, places=2)
        self.assertLess(equipment.co2e_tonnes, 5)
        self.assertEqual(equipment.leak_check_interval_months, 12)
        # 1.3 kg holds 0.98 kg of HFO: no check
        self.assertEqual(self._interval(self.r455a, 1.3), 0)

    def test_hfo_kg_bands(self):
        for kg, months in ((0.99, 0), (1.0, 12), (9.99, 12), (10.0, 6), (99.9, 6), (100.0, 3)):
            with self.subTest(kg=kg):
                self.assertEqual(self._interval(self.r1234yf, kg), months)

    def test_labelled_hermetic_units(self):
        """Hermetically sealed: exempt under 10 t CO2e (or 2 kg of HFO); in a residential
        building under 3 kg."""
        self.assertEqual(self._interval(self.gas, 9.99, hermetically_sealed=True), 0)
        self.assertEqual(self._interval(self.gas, 10.0, hermetically_sealed=True), 12)
        self.assertEqual(self._interval(self.gas, 9.99), 12)  # not hermetic
        self.assertEqual(self._interval(self.r1234yf, 1.99, hermetically_sealed=True), 0)
        self.assertEqual(self._interval(self.r1234yf, 2.0, hermetically_sealed=True), 12)
        # R-404A: 2.99 kg = 11.7 t CO2e, above the hermetic 10 t, but residential < 3 kg
        hermetic = {"hermetically_sealed": True}
        self.assertEqual(self._interval(self.r404a, 2.99, **hermetic), 12)
        self.assertEqual(self._interval(self.r404a, 2.99, fgas_residential=True, **hermetic), 0)
        self.assertEqual(self._interval(self.r404a, 3.0, fgas_residential=True, **hermetic), 12)

    def test_not_an_fgas(self):
        self.assertEqual(self._interval(self.r744, 5000.0), 0)

    def test_interval_function(self):
        self.assertEqual(leak_check_interval(5.0, 0.0), 12)
        self.assertEqual(leak_check_interval(0.0, 1.0, lds=True), 24)
        self.assertEqual(leak_check_interval(60.0, 120.0), 3)  # the stricter trigger wins


@tagged("post_install", "-at_install")
class TestRefrigerantGwp(FgasCase):
    def test_blend_gwp_from_composition(self):
        self.assertAlmostEqual(self.r410a.gwp, 2087.5)
        self.assertAlmostEqual(self.r404a.gwp, 3921.6)
        self.assertAlmostEqual(self.env.ref("field_maintenance.refrigerant_r407c").gwp, 1773.85)
        self.assertAlmostEqual(
            self.env.ref("field_maintenance.refrigerant_r513a").gwp, 629.48, places=2
        )
        self.assertAlmostEqual(self.r455a.hfo_fraction, 0.755)
        self.assertAlmostEqual(self.r455a.annex1_gwp, 0.215 * 675)

    def test_new_blend_follows_its_components(self):
        hfc = self.env["field.refrigerant"].create(
            {"name": "R-X1", "kind": "annex_1", "gwp": 2000.0}
        )
        blend = self.env["field.refrigerant"].create(
            {
                "name": "R-X2",
                "kind": "blend",
                "component_ids": [
                    Command.create({"gas_id": hfc.id, "fraction": 0.6}),
                    Command.create({"gas_id": self.r1234yf.id, "fraction": 0.4}),
                ],
            }
        )
        self.assertAlmostEqual(blend.gwp, 0.6 * 2000 + 0.4 * 0.501, places=3)
        self.assertAlmostEqual(blend.hfo_fraction, 0.4)
        hfc.gwp = 1000.0
        self.assertAlmostEqual(blend.gwp, 600 + 0.4 * 0.501, places=3)

    def test_fractions_add_up(self):
        with self.assertRaisesRegex(ValidationError, "add up to 90"):
            self.env["field.refrigerant"].create(
                {
                    "name": "R-BAD",
                    "kind": "blend",
                    "component_ids": [
                        Command.create({"gas_id": self.gas.id, "fraction": 0.5}),
                        Command.create({"gas_id": self.r1234yf.id, "fraction": 0.4}),
                    ],
                }
            )


@tagged("post_install", "-at_install")
class TestFgasRegister(FgasCase):
    def test_certificate_refusals(self):
        equipment = self._equipment(kg=10.0)
        order = self._order_with(equipment)
        self.technician.fm_fgas_certificate_number = False
        with self.assertRaisesRegex(ValidationError, "no F-gas certificate valid"):
            self._entry(equipment, order=order, user=self.technician)
        self.technician.write(
            {
                "fm_fgas_certificate_number": "BE-1",
                "fm_fgas_certificate_expiry": self.today - timedelta(days=1),
            }
        )
        with self.assertRaisesRegex(ValidationError, "no F-gas certificate valid"):
            self._entry(equipment, order=order, user=self.technician)
        # checked at the entry's date: valid then, expired now
        entry = self._entry(
            equipment, order=order, user=self.technician, date=self.today - timedelta(days=2)
        )
        self.assertEqual(entry.certificate_number, "BE-1")
        # expiring today: valid today
        self.technician.fm_fgas_certificate_expiry = self.today
        entry = self._entry(equipment, order=order, user=self.technician)
        self.assertEqual(entry.certificate_number, "BE-1")
        self.assertEqual(entry.company_certificate, "VL-KB-123")
        # the number stays when the certificate changes later
        self.technician.fm_fgas_certificate_number = "BE-2"
        self.assertEqual(entry.certificate_number, "BE-1")

    def test_quantity_and_refrigerant_refusals(self):
        equipment = self._equipment(kg=10.0)
        order = self._order_with(equipment)
        for quantity in (0.0, -1.0):
            with (
                self.subTest(quantity=quantity),
                self.assertRaisesRegex(ValidationError, "must be positive"),
            ):
                self._entry(equipment, quantity=quantity, order=order, user=self.technician)
        bare = self.env["field.equipment"].create(
            {"name": "Boiler", "partner_id": self.customer.id}
        )
        with self.assertRaisesRegex(ValidationError, "has no refrigerant"):
            self._entry(bare, quantity=1.0)
        with self.assertRaisesRegex(ValidationError, "in the future"):
            self._entry(equipment, date=self.today + timedelta(days=1))
        entry = self._entry(equipment, quantity=0.5, order=order, user=self.technician)
        self.assertAlmostEqual(entry.co2e_tonnes, 0.5 * 2.0875, places=3)

    def test_completed_entries_are_immutable(self):
        equipment = self._equipment(kg=10.0)
        order = self._order_with(equipment)
        entry = self._entry(equipment, quantity=1.0, order=order, user=self.technician)
        # before completion: changed, by the technician too
        entry.with_user(self.technician).quantity_kg = 1.5
        self.assertFalse(entry.locked)
        order.with_user(self.technician).action_done()
        self.assertTrue(entry.locked)
        for user in (self.technician, self.dispatcher, self.manager):
            with self.subTest(user=user.login):
                with self.assertRaises(UserError):
                    entry.with_user(user).quantity_kg = 2.0
                with self.assertRaises(UserError):
                    entry.with_user(user).unlink()
        with self.assertRaises(UserError):
            self._entry(equipment, order=order)
        # nobody unlocks it
        with self.assertRaises(AccessError):
            entry.with_user(self.manager).locked = False
        self.assertTrue(entry.locked)
        # a correction is a new entry referring to the old one, which no longer counts
        correction = self._entry(
            equipment, quantity=1.2, correction_of_id=entry.id, user=self.dispatcher
        )
        self.assertTrue(entry.is_corrected)
        self.assertEqual(entry.quantity_kg, 1.5)
        self.assertFalse(correction.is_corrected)
        with self.assertRaisesRegex(ValidationError, "corrected already"):
            self._entry(equipment, quantity=1.1, correction_of_id=entry.id)

    def test_retention_of_five_years(self):
        equipment = self._equipment(kg=10.0)
        order = self._order_with(equipment)
        entry = self._entry(equipment, quantity=1.0, order=order)
        with self.assertRaisesRegex(UserError, "kept at least 5 years"):
            entry.with_user(self.manager).unlink()
        limit = self.today - relativedelta(years=5)
        recent = self._entry(equipment, quantity=1.0, date=limit + timedelta(days=1))
        with self.assertRaisesRegex(UserError, "kept at least 5 years"):
            recent.with_user(self.manager).unlink()
        old = self._entry(equipment, quantity=1.0, date=limit)
        old.with_user(self.manager).unlink()
        self.assertFalse(old.exists())

    def test_changes_are_tracked(self):
        equipment = self._equipment(kg=10.0)
        order = self._order_with(equipment)
        entry = (
            self.env["field.fgas.log"]
            .with_context(tracking_disable=False)
            .create(
                {
                    "equipment_id": equipment.id,
                    "work_order_id": order.id,
                    "operation": "add",
                    "quantity_kg": 1.0,
                    "technician_id": self.technician.id,
                }
            )
        )
        self.env.cr.precommit.run()  # end of the request that created it
        entry.with_context(tracking_disable=False).with_user(self.technician).quantity_kg = 1.25
        self.env.flush_all()
        self.env.cr.precommit.run()
        values = entry.message_ids.tracking_value_ids.filtered(
            lambda value: value.field_id.name == "quantity_kg"
        )
        self.assertEqual(values.mapped("old_value_float"), [1.0])
        self.assertEqual(values.mapped("new_value_float"), [1.25])

    def test_leak_check_moves_due_date(self):
        equipment = self._equipment(kg=10.0, install_date=self.today - relativedelta(months=15))
        self.assertEqual(equipment.leak_check_interval_months, 12)
        self.assertEqual(
            equipment.next_leak_check_date,
            equipment.install_date + relativedelta(months=12, days=-1),
        )
        self.assertTrue(equipment.fgas_leak_check_overdue)
        overdue = self.env["field.equipment"].search([("fgas_leak_check_overdue", "=", True)])
        self.assertIn(equipment, overdue)
        self._entry(equipment, "leak_check")
        self.assertEqual(
            equipment.next_leak_check_date, self.today + relativedelta(months=12, days=-1)
        )
        self.assertFalse(equipment.fgas_leak_check_overdue)
        self.assertNotIn(
            equipment, self.env["field.equipment"].search([("fgas_leak_check_overdue", "=", True)])
        )

    def test_recheck_after_repair(self):
        equipment = self._equipment(kg=10.0)
        start = self.today - timedelta(days=10)
        self._entry(equipment, "leak_check", leak_found=True, date=start)
        self.assertTrue(equipment.fgas_leak_open)
        order = self._order_with(equipment)
        repair = self._entry(
            equipment,
            "repair",
            order=order,
            date=start + timedelta(days=1),
            note="Flare nut replaced",
        )
        self.assertFalse(equipment.fgas_leak_open)
        recheck_due = repair.date + relativedelta(months=1)
        self.assertEqual(equipment.fgas_recheck_due_date, recheck_due)
        self.assertEqual(equipment.next_leak_check_date, recheck_due)
        recheck = self.env["field.work.order"].search([("fm_fgas_recheck_log_id", "=", repair.id)])
        self.assertEqual(len(recheck), 1)
        self.assertEqual(recheck.state, "draft")
        self.assertEqual(recheck.equipment_ids, equipment)
        self.assertIn("24 hours", str(recheck.description))
        # a check on the day of the repair is no re-check (24 h of operation)
        self._entry(equipment, "leak_check", date=repair.date)
        self.assertEqual(equipment.fgas_recheck_due_date, recheck_due)
        # the day after: done, the next check a year later
        self._entry(equipment, "leak_check", date=repair.date + timedelta(days=1))
        self.assertFalse(equipment.fgas_recheck_due_date)
        self.assertEqual(recheck.state, "cancelled", "the draft re-check is no longer needed")
        self.assertEqual(
            equipment.next_leak_check_date,
            repair.date + timedelta(days=1) + relativedelta(months=12, days=-1),
        )

    def test_plan_follows_the_interval(self):
        equipment = self._equipment(self.r410a, 5.0)  # 10.4 t
        plan = equipment.fgas_plan_id
        self.assertTrue(plan)
        self.assertEqual((plan.interval_number, plan.interval_unit), (12, "month"))
        self.assertEqual(plan.equipment_ids, equipment)
        self.assertEqual(plan.fm_fgas_equipment_id, equipment)
        equipment.refrigerant_charge_kg = 30.0  # 62.6 t
        self.assertEqual(plan.interval_number, 6)
        equipment.leak_detection_system = True
        self.assertEqual(plan.interval_number, 12)
        equipment.refrigerant_id = self.r404a  # 117.6 t with LDS
        self.assertEqual(plan.interval_number, 12)
        equipment.refrigerant_charge_kg = 130.0  # 509.9 t with LDS
        self.assertEqual(plan.interval_number, 6)
        self._entry(equipment, "leak_check")
        self.assertEqual(plan.next_date, equipment.next_leak_check_date)
        equipment.refrigerant_charge_kg = 1.0  # 3.9 t: no checks
        self.assertEqual(plan.state, "cancelled")
        equipment.refrigerant_charge_kg = 2.0  # 7.8 t
        self.assertEqual(plan.state, "active")
        self.assertEqual(equipment.fgas_plan_id, plan)
        self.assertFalse(self._equipment(self.r410a, 1.0).fgas_plan_id)
        # the installation changes hands: so does its plan
        equipment.partner_id = self.other_customer
        self.assertEqual(plan.partner_id, self.other_customer)

    def test_leak_loss_warning(self):
        equipment = self._equipment(kg=10.0)
        first = self._entry(equipment, quantity=0.3, date=self.today - relativedelta(months=13))
        self.assertAlmostEqual(first.leak_loss_percent, 3.0)
        second = self._entry(equipment, quantity=0.3, date=self.today - relativedelta(months=1))
        self.assertAlmostEqual(second.leak_loss_percent, 3.0)  # the first is older than 12 months
        self.assertFalse(second.leak_loss_warning)
        third = self._entry(equipment, quantity=0.25)
        self.assertAlmostEqual(third.leak_loss_percent, 5.5)
        self.assertTrue(third.leak_loss_warning)
        self.assertTrue(equipment.fgas_leak_loss_warning)
        self.assertIn("Leak loss warning", str(equipment.message_ids[:1].body))
        self.company.fm_fgas_leak_loss_threshold = 10.0
        fourth = self._entry(equipment, quantity=0.1)
        self.assertAlmostEqual(fourth.leak_loss_percent, 6.5)
        self.assertFalse(fourth.leak_loss_warning)

    @freeze_time("2026-11-20")
    def test_yearly_balance_totals(self):
        r32 = self.env.ref("field_maintenance.refrigerant_r32")
        # a company of its own: the demo data has entries of the year too
        company = self.env["res.company"].create({"name": "Koeltechniek Balans BV"})
        split = self._equipment(kg=3.0, company_id=company.id)
        cold = self._equipment(self.r404a, 20.0, company_id=company.id)
        heat_pump = self._equipment(r32, 2.0, company_id=company.id)
        other = self._equipment(kg=3.0)  # another company's
        self._entry(split, "install", 3.0, date=date(2026, 2, 1))
        self._entry(
            split,
            "add",
            0.5,
            date=date(2026, 3, 1),
            recycled=True,
            recycling_facility_name="Recyfrig",
            recycling_facility_address="Gent",
        )
        wrong = self._entry(cold, "add", 5.0, date=date(2026, 4, 1))
        self._entry(cold, "add", 1.5, date=date(2026, 4, 2), correction_of_id=wrong.id)
        self._entry(cold, "recover", 2.0, date=date(2026, 5, 1))
        self._entry(
            heat_pump,
            "decommission",
            1.8,
            date=date(2026, 6, 1),
            note="Recovered into a cylinder, sent to Recyfrig",
        )
        self._entry(split, "add", 9.0, date=date(2025, 12, 31))  # another year
        self._entry(split, "leak_check", date=date(2026, 7, 1))
        self._entry(other, "add", 7.0, date=date(2026, 3, 1))
        wizard = self.env["field.fgas.balance"].create({"year": 2026, "company_id": company.id})
        rows = {
            row["refrigerant"].name if row["refrigerant"] else "total": row
            for row in wizard._balance_rows()
        }
        self.assertEqual(set(rows), {"R-410A", "R-404A", "R-32", "total"})
        self.assertAlmostEqual(rows["R-410A"]["installed_kg"], 3.0)
        self.assertAlmostEqual(rows["R-410A"]["added_kg"], 0.5)
        self.assertAlmostEqual(rows["R-410A"]["recycled_kg"], 0.5)
        self.assertAlmostEqual(rows["R-404A"]["added_kg"], 1.5)
        self.assertAlmostEqual(rows["R-404A"]["recovered_kg"], 2.0)
        self.assertAlmostEqual(rows["R-32"]["recovered_kg"], 1.8)
        self.assertAlmostEqual(rows["total"]["added_kg"], 2.0)
        self.assertAlmostEqual(rows["total"]["recovered_kg"], 3.8)
        self.assertAlmostEqual(rows["total"]["installed_kg"], 3.0)
        self.assertAlmostEqual(rows["total"]["added_co2e"], 0.5 * 2.0875 + 1.5 * 3.9216, places=2)
        content = wizard._xlsx_content()
        self.assertTrue(content.startswith(b"PK"))
        action = wizard.action_export_xlsx()
        self.assertIn("xlsx_file", action["url"])
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("field_maintenance.action_report_fgas_balance", wizard.ids)[0]
            .decode()
        )
        self.assertIn("R-404A", html)
        self.assertIn("3.800", html)

    def test_logbook_report(self):
        equipment = self._equipment(kg=3.0, serial_number="SN-410")
        order = self._order_with(equipment)
        self._entry(equipment, "install", 3.0, order=order, user=self.technician)
        self._entry(equipment, "leak_check", order=order, user=self.technician, leak_found=True)
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("field_maintenance.action_report_fgas_logbook", equipment.ids)[0]
            .decode()
        )
        for text in ("SN-410", "R-410A", "BE-KT-0042", "VL-KB-123", "Leak found", "Tom Technician"):
            self.assertIn(text, html)
        label = (
            self.env["ir.actions.report"]
            ._render_qweb_html("field_maintenance.action_report_fgas_label", equipment.ids)[0]
            .decode()
        )
        # the QR code is drawn (a PNG in the page) from the logbook's address with its token
        self.assertIn('src="data:image/png;base64,', label)
        self.assertTrue(equipment.access_token)
        self.assertIn(f"access_token={equipment.access_token}", equipment._fgas_logbook_url())


@tagged("post_install", "-at_install")
class TestFgasAutomation(FgasCase):
    def test_sync_payload_has_entries(self):
        equipment = self._equipment(kg=10.0)
        order = self._order_with(equipment)
        self._entry(equipment, quantity=0.8, order=order, user=self.technician)
        endpoint = self.env["field.sync.endpoint"].new(
            {"name": "KoudSmart", "url": "https://register.example.com/hook"}
        )
        self.assertIn("fgas_log_ids", endpoint.field_ids.mapped("name"))
        payload = json.loads(endpoint._build_payload(order, "sync", "key", fields.Datetime.now()))
        (entry,) = payload["data"]["fgas_log_ids"]
        self.assertEqual(entry["operation"], "add")
        self.assertAlmostEqual(entry["quantity_kg"], 0.8)
        self.assertEqual(entry["refrigerant_id"]["name"], "R-410A")
        self.assertAlmostEqual(entry["refrigerant_id"]["gwp"], 2087.5)
        self.assertAlmostEqual(entry["co2e_tonnes"], 1.67)
        self.assertEqual(entry["certificate_number"], "BE-KT-0042")
        self.assertEqual(entry["technician_id"]["login"], "fm_tech")

    def test_example_rule_mails_the_customer(self):
        rule = self.env.ref("field_maintenance.automation_fgas_leak_check_due")
        self.assertFalse(rule.active)
        self.assertEqual(rule.trg_date_id.name, "next_leak_check_date")
        self.assertEqual(rule.action_server_ids.state, "fm_email")
        equipment = self._equipment(kg=10.0, install_date=self.today)
        template = rule.action_server_ids.fm_mail_template_id
        subject = template._render_field("subject", equipment.ids)[equipment.id]
        self.assertIn("leak check of Cold room is due", subject)

    def test_leak_check_trigger_preset(self):
        rule = self.env["base.automation"].create(
            {"name": "Leak check due", "fm_trigger": "equipment_leak_check_due"}
        )
        self.assertEqual(rule.model_id.model, "field.equipment")
        self.assertEqual(rule.trigger, "on_time")
        self.assertEqual(rule.trg_date_id.name, "next_leak_check_date")
        self.assertEqual(
            (rule.trg_date_range, rule.trg_date_range_mode, rule.trg_date_range_type),
            (30, "before", "day"),
        )
        self.assertTrue(rule.last_run, "a rule switched on starts from now")
        due = self._equipment(kg=10.0, install_date=self.today - relativedelta(months=11, days=20))
        self.assertTrue(due.filtered_domain(ast.literal_eval(rule.filter_domain)))
        self.assertFalse(
            self._equipment(kg=1.0).filtered_domain(ast.literal_eval(rule.filter_domain))
        )
