from datetime import timedelta

from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import FieldMaintenanceCase


@tagged("post_install", "-at_install")
class TestCalendar(FieldMaintenanceCase):
    def _mails_to(self, users):
        return self.env["mail.mail"].search([("recipient_ids", "in", users.partner_id.ids)])

    def test_draft_work_order_has_no_event(self):
        order = self._work_order(
            planned_date_start=self.start, technician_ids=[Command.set(self.technician.ids)]
        )
        self.assertFalse(order.calendar_event_ids)

    def test_planning_creates_event_for_technicians(self):
        order = self._work_order(
            planned_date_start=self.start,
            technician_ids=[Command.set((self.technician | self.technician_2).ids)],
            user_id=self.technician_2.id,
        )
        order.with_user(self.dispatcher).action_plan()
        event = order.calendar_event_ids
        self.assertEqual(len(event), 1)
        self.assertEqual(event.start, self.start)
        self.assertEqual(event.stop, self.start + timedelta(hours=2))
        self.assertEqual(event.user_id, self.technician_2, "organizer is the lead technician")
        self.assertEqual(event.partner_ids, (self.technician | self.technician_2).partner_id)
        self.assertEqual((event.res_model, event.res_id), ("field.work.order", order.id))
        self.assertIn(order.name, event.name)
        self.assertIn("Gent", event.location)
        self.assertFalse(order.activity_ids, "planning does not add a meeting activity")
        # the event shows in each technician's own calendar
        own_events = (
            self.env["calendar.event"]
            .with_user(self.technician)
            .search([("partner_ids", "in", self.technician.partner_id.id)])
        )
        self.assertIn(event, own_events)

    def test_no_attendee_mail_storm(self):
        order = self._work_order(
            planned_date_start=self.start + timedelta(days=3650),
            technician_ids=[Command.set(self.technician.ids)],
        )
        order.with_user(self.dispatcher).action_plan()
        order.with_user(self.dispatcher).write(
            {
                "planned_date_start": self.start + timedelta(days=3651),
                "technician_ids": [Command.link(self.technician_2.id)],
            }
        )
        order.with_user(self.dispatcher).summary = "Changed summary"
        self.assertFalse(self._mails_to(self.technician | self.technician_2))

    def test_rescheduling_moves_event(self):
        order = self._planned_work_order()
        event = order.calendar_event_ids
        new_start = self.start + timedelta(days=2, hours=3)
        order.with_user(self.dispatcher).write({"planned_date_start": new_start})
        self.assertEqual(order.calendar_event_ids, event, "the same event is moved")
        self.assertEqual(event.start, new_start)
        self.assertEqual(event.stop, new_start + timedelta(hours=2))
        order.with_user(self.dispatcher).technician_ids = [Command.set(self.technician_2.ids)]
        self.assertEqual(event.partner_ids, self.technician_2.partner_id)
        self.assertEqual(event.user_id, self.technician_2)

    def test_dragging_event_moves_work_order(self):
        # the events of work orders are private: a dispatcher moves the ones they are on
        # (see test_security_calendar_portal for the others)
        order = self._planned_work_order(technician_ids=[Command.set(self.dispatcher.ids)])
        event = order.calendar_event_ids
        new_start = self.start + timedelta(days=1)
        event.with_user(self.dispatcher).write(
            {"start": new_start, "stop": new_start + timedelta(hours=4)}
        )
        self.assertEqual(order.planned_date_start, new_start)
        self.assertEqual(order.planned_date_end, new_start + timedelta(hours=4))
        self.assertEqual(order.planned_hours, 4.0)
        self.assertEqual(len(order.calendar_event_ids), 1)

    def test_technician_cannot_reschedule_through_calendar(self):
        order = self._planned_work_order()
        event = order.calendar_event_ids
        with self.assertRaises(UserError) as refusal:
            event.with_user(self.technician).write(
                {
                    "start": self.start + timedelta(days=1),
                    "stop": self.start + timedelta(days=1, hours=1),
                }
            )
        self.assertIs(type(refusal.exception), UserError)
        self.assertIn(order.name, str(refusal.exception))
        self.assertEqual(order.planned_date_start, self.start)

    def test_cancel_removes_event_and_replan_recreates_it(self):
        order = self._planned_work_order()
        event = order.calendar_event_ids
        order.action_cancel()
        self.assertFalse(event.exists())
        self.assertFalse(order.calendar_event_ids)
        order.action_draft()
        self.assertFalse(order.calendar_event_ids)
        order.action_plan()
        self.assertEqual(len(order.calendar_event_ids), 1)

    def test_event_kept_through_execution(self):
        order = self._planned_work_order()
        event = order.calendar_event_ids
        order.action_ready()
        order.action_start()
        order.action_done()
        self.assertEqual(order.calendar_event_ids, event)

    def test_deleting_work_order_removes_event(self):
        order = self._planned_work_order()
        event = order.calendar_event_ids
        order.unlink()
        self.assertFalse(event.exists())

    def test_screen_defaults_do_not_reach_the_event(self):
        order = (
            self.env["field.work.order"]
            .with_context(
                default_work_type_id=self.work_type.id,
                default_description="<p>Bring the long ladder</p>",
                default_name="Dispatch meeting",
            )
            .create(
                {
                    "partner_id": self.customer.id,
                    "planned_date_start": self.start,
                    "technician_ids": [Command.set(self.technician.ids)],
                }
            )
        )
        self.assertEqual(len(order.checklist_ids), 2, "checklist of the default work type")
        order.action_plan()
        event = order.calendar_event_ids
        self.assertEqual(event.user_id, self.technician)
        self.assertNotIn("long ladder", str(event.description or ""))
        self.assertIn(order.name, event.name)
