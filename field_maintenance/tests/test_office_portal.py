"""The portal in the customer's words (issue 16): status names, past visits, visit time
and technician, warranty and last service."""

from datetime import date, datetime, timedelta

from lxml import html

from odoo import Command, fields
from odoo.tests import tagged

from .common import FieldPortalCase


@tagged("post_install", "-at_install")
class TestOfficePortal(FieldPortalCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        future = fields.Datetime.now().replace(microsecond=0) + timedelta(days=7)
        cls.scheduled = cls._order_in_state(
            "ready", summary="Future boiler service", planned_date_start=future
        )
        cls.past = cls._order_in_state(
            "planned",
            summary="Visit of last week",
            planned_date_start=future - timedelta(days=14),
        )
        cls.started = cls._order_in_state("in_progress", summary="Started job")
        cls.done = cls._order_in_state("done", summary="Finished job")

    def _statuses(self, page):
        tree = html.fromstring(page.text)
        return {
            row.xpath(".//a")[0].text_content().strip(): row.xpath(".//*[@data-portal-status]")[
                0
            ].get("data-portal-status")
            for row in tree.xpath("//tbody/tr")
            if row.xpath(".//*[@data-portal-status]")
        }

    def test_status_in_the_customers_words(self):
        self._log_in_portal()
        page = self.url_open("/my/work_orders")
        self.assertEqual(page.status_code, 200)
        self.assertEqual(
            self._statuses(page),
            {
                self.scheduled.name: "scheduled",
                self.past.name: "in_progress",
                self.started.name: "in_progress",
                self.done.name: "done",
            },
            "a past visit is not shown as planned",
        )
        tree = html.fromstring(page.text)
        badges = {b.text_content().strip() for b in tree.xpath("//*[@data-portal-status]")}
        self.assertEqual(badges, {"Scheduled", "In progress", "Done"})
        self.assertNotIn(">Ready<", page.text, "no internal status names")
        self.assertNotIn(">Planned<", page.text)

    def test_list_shows_summary_visit_time_and_technician(self):
        self._log_in_portal()
        page = self.url_open("/my/work_orders")
        tree = html.fromstring(page.text)
        row = next(
            row for row in tree.xpath("//tbody/tr") if self.scheduled.name in row.text_content()
        )
        # on a phone only the first cell shows: summary, status, visit time, technician
        first_cell = row.xpath("./td")[0]
        self.assertNotIn("d-none", first_cell.get("class") or "")
        self.assertIn(
            "Future boiler service", first_cell.xpath(".//*[@name='summary']")[0].text_content()
        )
        self.assertTrue(first_cell.xpath(".//*[@data-portal-status='scheduled']"))
        phone = first_cell.xpath(".//*[@name='visit_phone']")[0]
        self.assertIn(self.technician.name, phone.text_content())
        self.assertRegex(phone.text_content(), r"\d{1,2}:\d{2}", "the visit time")

    def test_detail_badge(self):
        self._log_in_portal()
        page = self.url_open(f"/my/work_orders/{self.past.id}")
        self.assertEqual(page.status_code, 200)
        statuses = html.fromstring(page.text).xpath("//*[@data-portal-status]")
        self.assertEqual({s.get("data-portal-status") for s in statuses}, {"in_progress"})

    def test_installations_warranty_and_last_service(self):
        expired = self.env["field.equipment"].create(
            {
                "name": "Old boiler",
                "partner_id": self.customer.id,
                "warranty_end_date": date(2020, 1, 31),
                "install_date": date(2015, 1, 31),
            }
        )
        valid = self.env["field.equipment"].create(
            {
                "name": "New heat pump",
                "partner_id": self.customer.id,
                "warranty_end_date": date(2099, 1, 31),
            }
        )
        self._order_in_state(
            "done",
            equipment_ids=[Command.set(valid.ids)],
            times=(datetime(2026, 2, 3, 8, 0), datetime(2026, 2, 3, 10, 0)),
        )
        self._log_in_portal()
        page = self.url_open("/my/installations")
        self.assertEqual(page.status_code, 200)
        tree = html.fromstring(page.text)
        rows = {
            row.xpath(".//a")[0].text_content().strip(): row for row in tree.xpath("//tbody/tr")
        }
        self.assertTrue(rows[expired.name].xpath(".//*[@data-warranty='expired']"))
        self.assertTrue(rows[valid.name].xpath(".//*[@data-warranty='valid']"))
        for name in ("last_service", "service_phone"):  # desktop column, phone block
            with self.subTest(name=name):
                cell = rows[valid.name].xpath(f".//*[@name='{name}']")[0]
                self.assertIn("02/03/2026", cell.text_content())
                cell = rows[expired.name].xpath(f".//*[@name='{name}']")[0]
                self.assertIn("Installed", cell.text_content(), "no service yet")
