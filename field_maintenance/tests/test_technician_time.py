"""Time per technician (issue 15): each technician's own timer of work and travel, pause,
hours per person, one running timer per person, labour lines built from the time
(summed or per technician); technicians make their time with the buttons only."""

from datetime import datetime

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import freeze_time, tagged

from .common import FieldInvoicingCase

DAY = datetime(2026, 3, 2)


def at(hour, minute=0):
    return DAY.replace(hour=hour, minute=minute)


@tagged("post_install", "-at_install")
class TestTechnicianTime(FieldInvoicingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.order = cls._order(
            lines=[cls._line(cls.material, 1.0)],
            technician_ids=[Command.set((cls.technician | cls.technician_2).ids)],
            work_type_id=cls.work_type.id,
        )
        cls.order.action_plan()

    def _day_of_two_technicians(self):
        """Tom travels, starts the job (his work timer), pauses for lunch and works on;
        Tina works from 8:30 to 11:00; Tom reports complete at 12:00."""
        tom = self.order.with_user(self.technician)
        tina = self.order.with_user(self.technician_2)
        with freeze_time(at(7, 30)):
            tom.action_timer_travel()
        with freeze_time(at(8)):
            tom.action_start()
        with freeze_time(at(8, 30)):
            tina.action_timer_work()
        with freeze_time(at(10)):
            tom.action_timer_pause()
        with freeze_time(at(10, 30)):
            tom.action_timer_work()
        with freeze_time(at(11)):
            tina.action_timer_pause()
        with freeze_time(at(12)):
            tom.action_done()

    def test_timers_per_technician(self):
        self._day_of_two_technicians()
        times = self.order.time_ids
        self.assertFalse(times.filtered("is_running"), "reporting complete stops the timers")
        hours = {}
        for entry in times:
            key = (entry.user_id, entry.time_type)
            hours[key] = hours.get(key, 0.0) + entry.duration
        self.assertEqual(
            hours,
            {
                (self.technician, "travel"): 0.5,
                (self.technician, "work"): 3.5,
                (self.technician_2, "work"): 2.5,
            },
        )
        self.assertEqual(self.order.time_work_hours, 6.0)
        self.assertEqual(self.order.time_travel_hours, 0.5)
        self.assertEqual(set(times.mapped("date")), {DAY.date()})
        # hours per person and day, as the office exports them
        groups = self.env["field.work.order.time"]._read_group(
            [("work_order_id", "=", self.order.id), ("time_type", "=", "work")],
            ["user_id", "date:day"],
            ["duration:sum"],
        )
        self.assertEqual(
            sorted((user.login, hours) for user, _day, hours in groups),
            [("fm_tech", 3.5), ("fm_tech2", 2.5)],
        )

    def test_one_running_timer_per_person(self):
        other = self._order(technician_ids=[Command.set(self.technician.ids)])
        other.action_plan()
        with freeze_time(at(8)):
            self.order.with_user(self.technician).action_timer_travel()
        with freeze_time(at(9)):
            other.with_user(self.technician).action_timer_travel()
        running = self.env["field.work.order.time"].search(
            [("user_id", "=", self.technician.id), ("is_running", "=", True)]
        )
        self.assertEqual(running.work_order_id, other)
        self.assertEqual(self.order.time_ids.duration, 1.0)
        self.assertEqual(other.with_user(self.technician).my_timer, "travel")
        self.assertEqual(self.order.with_user(self.technician).my_timer, "stopped")

    def test_technicians_make_their_time_with_the_buttons_only(self):
        Time = self.env["field.work.order.time"].with_user(self.technician)
        with self.assertRaises(AccessError):
            Time.create({"work_order_id": self.order.id, "date_start": at(6)})
        with freeze_time(at(8)):
            self.order.with_user(self.technician).action_timer_work()
        entry = self.order.time_ids.with_user(self.technician)
        with self.assertRaises(AccessError):
            entry.write({"date_start": at(5)})
        with self.assertRaises(AccessError):
            entry.unlink()
        # not a technician of the order: no timer on it
        stranger = self._user("fm_tech3", "field_maintenance.group_field_technician", "Stan")
        with self.assertRaises(AccessError):
            self.order.with_user(stranger).action_timer_work()
        # a done job runs no timer
        done = self._done_order()
        with self.assertRaises(UserError):
            done.with_user(self.technician).action_timer_work()
        # positive control: the dispatcher corrects the start
        entry.with_user(self.dispatcher).write({"date_start": at(7, 45)})
        self.assertEqual(entry.date_start, at(7, 45))

    def test_labour_lines_from_the_time(self):
        self._day_of_two_technicians()
        self.order.invalidate_recordset()
        self.assertEqual(self.order._labour_hours_to_invoice(), 6.0)
        invoice = self.order._create_invoices()
        labour = invoice.invoice_line_ids.filtered(lambda line: line.product_id == self.labour)
        self.assertEqual(labour.mapped("quantity"), [6.0], "summed by default")

    def test_labour_lines_per_technician(self):
        self.company.fm_labour_per_technician = True
        self._day_of_two_technicians()
        self.order._create_invoices()
        labour = self.order.line_ids.filtered(lambda line: line.line_type == "labour")
        self.assertEqual(
            sorted((line.name, line.quantity) for line in labour),
            [("Labour - Tina Technician", 2.5), ("Labour - Tom Technician", 3.5)],
        )
