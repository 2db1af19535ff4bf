"""The technician's checklist (issue 15): one tap per check, measurements with their
expected range flagged on the row and in the PDF, template checks the technician cannot
rename or delete; the materials picker."""

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common import FieldMaintenanceCase


@tagged("post_install", "-at_install")
class TestTechnicianChecklist(FieldMaintenanceCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.work_type.checklist_template_ids = [
            Command.create(
                {
                    "name": "CO in the flue gas",
                    "sequence": 3,
                    "check_type": "measure",
                    "unit": "ppm",
                    "expected_min": 0.0,
                    "expected_max": 100.0,
                }
            )
        ]
        cls.order = cls._order_in_state("in_progress")
        cls.check, cls.flue, cls.co = cls.order.checklist_ids

    def test_one_tap_per_check(self):
        checks = self.order.checklist_ids.with_user(self.technician)
        checks[0].action_result_ok()
        checks[1].action_result_fail()
        checks[2].action_result_na()
        self.assertEqual(self.order.checklist_ids.mapped("result"), ["ok", "fail", "na"])
        self.assertEqual(self.order.checklist_progress, 100.0)
        # a note on the failed check, written by the technician
        checks[1].note = "Flue partly blocked"
        self.assertEqual(self.flue.note, "Flue partly blocked")
        # a technician of another job cannot tap, a done job cannot change
        with self.assertRaises(AccessError):
            self.check.with_user(self.technician_2).action_result_fail()
        self.assertEqual(self.check.result, "ok")

    def test_measurement_from_template_flagged_out_of_range(self):
        self.assertEqual(
            (self.co.check_type, self.co.unit, self.co.expected_max), ("measure", "ppm", 100.0)
        )
        self.assertEqual(self.co.template_check_id.name, "CO in the flue gas")
        co = self.co.with_user(self.technician)
        co.measured_value = 150.0
        self.assertTrue(self.co.out_of_range)
        self.assertEqual(self.co.result, "fail", "out of range: failed without a tap")
        co.write({"measured_value": 35.0, "result": "ok"})
        self.assertFalse(self.co.out_of_range)
        self.assertEqual(self.co.expected_range, "0 – 100 ppm")
        # a plain check is never out of range; nor a measurement not taken yet
        self.assertFalse(self.check.out_of_range)
        fresh = self._order_in_state("in_progress").checklist_ids[2]
        self.assertEqual(fresh.check_type, "measure")
        self.assertFalse(fresh.out_of_range)

    def test_out_of_range_in_the_report(self):
        self.co.with_user(self.technician).measured_value = 250.0
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("field_maintenance.action_report_work_order", self.order.ids)[0]
            .decode()
        )
        self.assertIn("Out of range", html)
        self.assertIn("250", html)
        self.co.with_user(self.technician).measured_value = 20.0
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("field_maintenance.action_report_work_order", self.order.ids)[0]
            .decode()
        )
        self.assertNotIn("Out of range", html)

    def test_technician_cannot_change_what_a_check_expects(self):
        co = self.co.with_user(self.technician)
        for vals in (
            {"name": "Renamed"},
            {"expected_max": 1000.0},
            {"unit": "%"},
            {"check_type": "check"},
            {"template_check_id": False},
        ):
            with self.subTest(vals=vals), self.assertRaises(AccessError):
                co.write(vals)
        with self.assertRaises(AccessError):
            co.unlink()
        # positive control: the dispatcher adjusts the range of this job
        self.co.with_user(self.dispatcher).write({"expected_max": 1000.0})
        self.assertEqual(self.co.expected_max, 1000.0)

    def test_template_range_checked(self):
        with self.assertRaises(Exception):  # noqa: B017 - ValidationError, through the ORM
            with self.cr.savepoint():
                self.work_type.checklist_template_ids[0].write(
                    {"expected_min": 10.0, "expected_max": 5.0}
                )


@tagged("post_install", "-at_install")
class TestTechnicianMaterials(FieldMaintenanceCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.valve.product_tmpl_id.fm_work_order_ok = True
        cls.material.product_tmpl_id.fm_work_order_ok = True
        cls.internal = cls._product(name="Gasket internal tool", sale_ok=False)
        cls.order = cls._order_in_state("in_progress")

    def _picker(self, name="", user=None):
        Product = self.env["product.product"].with_user(user or self.technician)
        return [
            product_id
            for product_id, _name in Product.with_context(fm_material_picker=True).name_search(
                name, limit=None
            )
        ]

    def test_picker_shows_usable_products_only(self):
        self.company.fm_restrict_materials = False
        found = self._picker("Gasket")
        self.assertIn(self.material.id, found)
        self.assertNotIn(self.internal.id, found, "not sold: not a material")
        self.company.fm_restrict_materials = True
        found = self._picker()
        self.assertIn(self.material.id, found)
        self.assertIn(self.valve.id, found)
        self.assertNotIn(self.labour.id, found, "not marked for work orders")
        # without the picker's context, the product search is Odoo's
        plain = self.env["product.product"].with_user(self.technician).name_search("Labour")
        self.assertIn(self.labour.id, [product_id for product_id, _name in plain])

    def test_recently_used_first(self):
        self.company.fm_restrict_materials = True

        def first(found):
            return [pid for pid in found if pid in (self.material.id, self.valve.id)]

        self.assertEqual(first(self._picker()), [self.material.id, self.valve.id], "by name")
        Line = self.env["field.work.order.line"].with_user(self.technician)
        Line.create({"work_order_id": self.order.id, "product_id": self.material.id})
        Line.create({"work_order_id": self.order.id, "product_id": self.valve.id})
        found = self._picker()
        self.assertEqual(found[:2], [self.valve.id, self.material.id], "last used first")
        self.assertEqual(self._picker("Gasket")[0], self.material.id)
        # the recent products of another technician do not count
        self.assertEqual(
            first(self._picker(user=self.technician_2)), [self.material.id, self.valve.id]
        )

    def test_search_dialog_of_the_phone(self):
        """On a phone the picker is a search dialog (web_search_read): same products, the
        recent ones first, page by page."""
        self.company.fm_restrict_materials = True
        Line = self.env["field.work.order.line"].with_user(self.technician)
        Line.create({"work_order_id": self.order.id, "product_id": self.valve.id})
        Product = (
            self.env["product.product"]
            .with_user(self.technician)
            .with_context(fm_material_picker=True)
        )
        spec = {"display_name": {}}
        result = Product.web_search_read([], spec, limit=1)
        self.assertEqual([record["id"] for record in result["records"]], [self.valve.id])
        everything = Product.web_search_read([], spec)
        ids = [record["id"] for record in everything["records"]]
        self.assertEqual(everything["length"], len(ids))
        self.assertIn(self.material.id, ids)
        self.assertNotIn(self.labour.id, ids)
        second = Product.web_search_read([], spec, offset=1, limit=1)
        self.assertEqual([record["id"] for record in second["records"]], ids[1:2])

    def test_technician_gives_no_prices(self):
        line = self.env["field.work.order.line"].with_user(self.technician)
        with self.assertRaises(AccessError):
            line.create(
                {"work_order_id": self.order.id, "product_id": self.valve.id, "price_unit": 1.0}
            )
        # positive control: the product alone, priced from the agreements
        created = line.create({"work_order_id": self.order.id, "product_id": self.valve.id})
        self.assertEqual(created.price_unit, 40.0)
