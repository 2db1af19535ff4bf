"""Online booking of the maintenance visit from the reminder (issue 19): the free slots
(working hours, leaves, events, work orders, daylight saving time), booking, rescheduling
and cancelling, the link's token, two customers picking the same time at once, and the
pages."""

from datetime import date, datetime, timedelta

import pytz

from odoo import SUPERUSER_ID, Command, api, fields
from odoo.exceptions import UserError
from odoo.tests import TransactionCase, freeze_time, new_test_user, tagged
from odoo.tools import mute_logger

from ..models.field_maintenance_plan_booking import BookingSlotTaken
from ..tools.slots import free_slots
from .common import FieldMaintenanceCase, FieldPortalCase

BRUSSELS = pytz.timezone("Europe/Brussels")


def local(day, hour, minute=0):
    """Naive UTC of a Brussels wall-clock time."""
    moment = BRUSSELS.localize(datetime.combine(day, datetime.min.time()).replace(hour=hour))
    return (moment + timedelta(minutes=minute)).astimezone(pytz.utc).replace(tzinfo=None)


class BookingFixtures:
    """A company in Brussels working Monday to Friday 8-12 and 13-17, the technician with
    those hours, and a yearly boiler service (2 hours) due on Monday 29 March 2027, the
    day after the change to summer time. Now is Saturday 20 March 2027, 10:00."""

    @classmethod
    def _setup_booking(cls):
        cls.company.partner_id.tz = "Europe/Brussels"
        cls.company.fm_booking_change_hours = 24
        cls.calendar = cls.env["resource.calendar"].create(
            {
                "name": "Office hours",
                "tz": "Europe/Brussels",
                "company_id": cls.company.id,
                "attendance_ids": [
                    Command.create(
                        {
                            "name": f"{day} {period}",
                            "dayofweek": str(day),
                            "hour_from": start,
                            "hour_to": end,
                            "day_period": period,
                        }
                    )
                    for day in range(5)
                    for start, end, period in ((8, 12, "morning"), (13, 17, "afternoon"))
                ],
            }
        )
        cls.company.resource_calendar_id = cls.calendar
        cls.resource = cls.env["resource.resource"].create(
            {
                "name": cls.technician.name,
                "user_id": cls.technician.id,
                "calendar_id": cls.calendar.id,
                "tz": "Europe/Brussels",
                "company_id": cls.company.id,
            }
        )
        cls.plan = cls.env["field.maintenance.plan"].create(
            {
                "name": "Boiler service Janssens",
                "partner_id": cls.customer.id,
                "work_type_id": cls.work_type.id,
                "user_id": cls.technician.id,
                "next_date": date(2027, 3, 29),
            }
        )
        cls.plan.message_subscribe(partner_ids=cls.dispatcher.partner_id.ids)
        cls.plan._booking_ensure_token()
        cls.token = cls.plan.sudo().booking_token

    def _slots(self, plan=None, day=None):
        slots = [moment for moment, _users in (plan or self.plan)._booking_slots()]
        if day:
            slots = [
                moment
                for moment in slots
                if local(day, 0) <= moment < local(day, 0) + timedelta(days=1)
            ]
        return slots


@tagged("post_install", "-at_install")
class TestBookingSlots(BookingFixtures, FieldMaintenanceCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_booking()

    def test_pure_free_slots(self):
        utc = pytz.utc
        day = datetime(2027, 1, 4, tzinfo=utc)
        work = {"a": [(day.replace(hour=8), day.replace(hour=12))]}
        busy = {"a": [(day.replace(hour=9), day.replace(hour=10))]}
        slots = free_slots(work, busy, timedelta(hours=1), timedelta(minutes=30), "UTC")
        self.assertEqual(
            [moment.hour + moment.minute / 60 for moment, _keys in slots], [8, 10, 10.5, 11]
        )
        self.assertEqual(slots[0][1], ["a"])

    @freeze_time("2027-03-20 10:00:00")
    def test_working_hours_across_dst(self):
        """08:00 local on both sides of the change to summer time (28 March 2027): 07:00
        UTC on Friday, 06:00 UTC on Monday; a 2-hour visit fits 8-10, 10-12, 13-15, 15-17,
        never across the lunch break, never at the weekend."""
        friday, monday = date(2027, 3, 26), date(2027, 3, 29)
        friday_slots = self._slots(day=friday)
        monday_slots = self._slots(day=monday)
        self.assertEqual(friday_slots[0], datetime(2027, 3, 26, 7, 0))
        self.assertEqual(monday_slots[0], datetime(2027, 3, 29, 6, 0))
        expected = [(8, 0), (8, 30), (9, 0), (9, 30), (10, 0), (13, 0), (13, 30), (14, 0),
                    (14, 30), (15, 0)]  # fmt: skip
        self.assertEqual(friday_slots, [local(friday, h, m) for h, m in expected])
        self.assertEqual(monday_slots, [local(monday, h, m) for h, m in expected])
        self.assertFalse(self._slots(day=date(2027, 3, 27)), "no slot on Saturday")
        self.assertFalse(self._slots(day=date(2027, 3, 28)), "no slot on Sunday")

    @freeze_time("2027-03-20 10:00:00")
    def test_not_before_the_notice(self):
        """Nothing within the company's notice (24 hours): from Monday 22 March."""
        slots = self._slots()
        self.assertEqual(slots[0], local(date(2027, 3, 22), 8))
        self.company.fm_booking_change_hours = 72
        # 11:00 on Tuesday: a 2-hour visit would cross the lunch break
        self.assertEqual(self._slots()[0], local(date(2027, 3, 23), 13))

    @freeze_time("2027-03-20 10:00:00")
    def test_leaves_events_and_work_orders_are_busy(self):
        tuesday, wednesday = date(2027, 3, 30), date(2027, 3, 31)
        thursday, friday = date(2027, 4, 1), date(2027, 4, 2)
        Leave = self.env["resource.calendar.leaves"]
        # the technician's day off, and a public holiday of the company
        Leave.create(
            {
                "name": "Day off",
                "resource_id": self.resource.id,
                "calendar_id": self.calendar.id,
                "date_from": local(tuesday, 0),
                "date_to": local(tuesday, 23, 59),
            }
        )
        Leave.create(
            {
                "name": "Holiday",
                "calendar_id": self.calendar.id,
                "company_id": self.company.id,
                "date_from": local(wednesday, 0),
                "date_to": local(wednesday, 23, 59),
            }
        )
        # a meeting of the technician, and a visit at another customer
        self.env["calendar.event"].create(
            {
                "name": "Team meeting",
                "start": local(thursday, 9),
                "stop": local(thursday, 10),
                "partner_ids": [Command.set(self.technician.partner_id.ids)],
            }
        )
        self._work_order(
            partner_id=self.other_customer.id,
            planned_date_start=local(friday, 13),
            technician_ids=[Command.set(self.technician.ids)],
        )
        self.assertFalse(self._slots(day=tuesday), "day off")
        self.assertFalse(self._slots(day=wednesday), "public holiday")
        self.assertEqual(
            self._slots(day=thursday),
            [
                local(thursday, h, m)
                for h, m in ((10, 0), (13, 0), (13, 30), (14, 0), (14, 30), (15, 0))
            ],
        )
        self.assertEqual(
            self._slots(day=friday),
            [local(friday, h, m) for h, m in ((8, 0), (8, 30), (9, 0), (9, 30), (10, 0), (15, 0))],
        )
        # a meeting the technician's colleague has does not count
        self.env["calendar.event"].create(
            {
                "name": "Other meeting",
                "start": local(date(2027, 4, 5), 8),
                "stop": local(date(2027, 4, 5), 17),
                "partner_ids": [Command.set(self.technician_2.partner_id.ids)],
            }
        )
        self.assertEqual(len(self._slots(day=date(2027, 4, 5))), 10)


@tagged("post_install", "-at_install")
class TestBookingFlow(BookingFixtures, FieldMaintenanceCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_booking()

    def _book(self, moment, plan=None):
        return (plan or self.plan).sudo()._booking_book(moment)

    @freeze_time("2027-03-20 10:00:00")
    def test_booking_tells_the_company_dispatchers_when_none_follows_the_plan(self):
        self.plan.message_unsubscribe(partner_ids=self.dispatcher.partner_id.ids)
        self.plan.message_subscribe(partner_ids=self.technician.partner_id.ids)
        told = self.plan._booking_dispatchers()
        self.assertIn(self.dispatcher.partner_id, told)
        self.assertNotIn(self.technician.partner_id, told, "a technician is no dispatcher")
        self._book(local(date(2027, 3, 29), 10))
        message = self.plan.message_ids[:1]
        self.assertIn(self.dispatcher.partner_id, message.notified_partner_ids)
        self.assertNotIn(self.technician.partner_id, message.notified_partner_ids)

    @freeze_time("2027-03-20 10:00:00")
    def test_book_plans_the_visit_with_an_event_and_tells_the_dispatcher(self):
        moment = local(date(2027, 3, 29), 10)
        self.assertEqual(self.plan._booking_status(), "book")
        order = self._book(moment)
        self.assertEqual(order.state, "planned")
        self.assertEqual(order.planned_date_start, moment)
        self.assertEqual(order.planned_date_end, moment + timedelta(hours=2))
        self.assertEqual(order.technician_ids, self.technician)
        self.assertEqual(order.maintenance_plan_id, self.plan)
        self.assertEqual(order.self_service_origin, "booking")
        self.assertEqual(order.calendar_event_ids.partner_ids, self.technician.partner_id)
        self.assertEqual(self.plan._booking_status(), "booked")
        message = self.plan.message_ids[:1]
        self.assertIn("booked the maintenance visit online", str(message.body))
        self.assertIn(self.dispatcher.partner_id, message.notified_partner_ids)
        self.assertIn("booked the maintenance visit online", str(order.message_ids[:1].body))
        # the time is taken for everyone else now
        self.assertNotIn(moment, self._slots())
        with self.assertRaises(BookingSlotTaken):
            self._book(moment + timedelta(minutes=30), plan=self._other_plan())

    def _other_plan(self):
        plan = self.plan.copy({"name": "Other", "next_date": date(2027, 3, 29)})
        plan.partner_id = self.other_customer
        return plan

    @freeze_time("2027-03-20 10:00:00")
    def test_technicians_of_the_work_type(self):
        """Without a responsible: the technicians of the work type, else of the company."""
        self.plan.user_id = False
        self.work_type.booking_user_ids = self.technician_2
        self.assertEqual(self.plan._booking_technicians(), self.technician_2)
        order = self._book(local(date(2027, 3, 29), 8))
        self.assertEqual(order.technician_ids, self.technician_2)
        self.work_type.booking_user_ids = False
        technicians = self.plan._booking_technicians()
        self.assertTrue(self.technician | self.technician_2 <= technicians)
        self.assertFalse(technicians.filtered("share"))

    @freeze_time("2027-03-20 10:00:00")
    def test_request_mode_leaves_a_draft_for_the_dispatcher(self):
        self.company.fm_booking_mode = "request"
        moment = local(date(2027, 3, 29), 13)
        order = self._book(moment)
        self.assertEqual(order.state, "draft")
        self.assertEqual(order.planned_date_start, moment)
        self.assertFalse(order.calendar_event_ids)
        self.assertIn("plan it to confirm", str(self.plan.message_ids[:1].body))
        self.assertNotIn(moment, self._slots(), "the requested time is held")

    @freeze_time("2027-03-20 10:00:00")
    def test_reschedule_and_cancel(self):
        first = local(date(2027, 3, 29), 8)
        order = self._book(first)
        second = local(date(2027, 3, 30), 13)
        own_slots = [moment for moment, _users in self.plan._booking_slots(exclude_order=order)]
        self.assertIn(first, own_slots, "the own visit does not block its move")
        self.assertNotIn(first, self._slots(), "but blocks everyone else")
        moved = self._book(second)
        self.assertEqual(moved, order)
        self.assertEqual(order.planned_date_start, second)
        self.assertEqual(order.calendar_event_ids.start, second)
        self.assertIn("moved the maintenance visit", str(self.plan.message_ids[:1].body))
        self.assertEqual(
            self.env["field.booking.slot"]
            .sudo()
            .search([("work_order_id", "=", order.id)])
            .mapped("start")[0],
            second,
        )
        self.plan.sudo()._booking_cancel()
        self.assertEqual(order.state, "cancelled")
        self.assertFalse(order.calendar_event_ids)
        self.assertIn("cancelled online", str(self.plan.message_ids[:1].body))
        self.assertEqual(self.plan._booking_status(), "book", "a new time can be booked")
        self.assertIn(second, self._slots())

    def test_no_change_within_the_limit(self):
        with freeze_time("2027-03-20 10:00:00"):
            self._book(local(date(2027, 3, 29), 8))
        with freeze_time("2027-03-28 10:00:00"):  # 21 hours before
            self.assertFalse(self.plan._booking_can_change())
            with self.assertRaisesRegex(UserError, "24 hours"):
                self.plan.sudo()._booking_cancel()
            with self.assertRaisesRegex(UserError, "24 hours"):
                self._book(local(date(2027, 3, 30), 8))

    @freeze_time("2027-03-20 10:00:00")
    def test_link_validity(self):
        plan = self.plan
        self.assertTrue(plan._booking_check_token(self.token))
        self.assertFalse(plan._booking_check_token("x" + self.token[1:]))
        self.assertFalse(plan._booking_check_token(""))
        self.assertFalse(self._other_plan()._booking_check_token(self.token))
        # a visit planned by the office: the link no longer books
        order = self._work_order(
            maintenance_plan_id=plan.id,
            planned_date_start=local(date(2027, 3, 29), 8),
            technician_ids=[Command.set(self.technician.ids)],
        )
        self.assertEqual(order.maintenance_due_date, plan.next_date)
        self.assertEqual(plan._booking_status(), "book", "a draft of the office still books")
        order.action_plan()
        self.assertFalse(plan._booking_status())
        with self.assertRaisesRegex(UserError, "no longer valid"):
            self._book(local(date(2027, 3, 30), 8))
        order.action_cancel()
        self.assertEqual(plan._booking_status(), "book")
        # the due date well past (30 days), booking switched off
        with freeze_time("2027-04-28"):
            self.assertEqual(plan._booking_status(), "book")
        with freeze_time("2027-04-29"):
            self.assertFalse(plan._booking_status())
        self.company.fm_booking_enabled = False
        self.assertFalse(plan._booking_status())
        self.assertFalse(plan.with_user(self.dispatcher).booking_url)
        self.company.fm_booking_enabled = True
        self.assertIn(
            f"/my/maintenance/{plan.id}/book?access_token=",
            plan.with_user(self.dispatcher).booking_url,
        )
        # a new due date: a new link
        plan.next_date = date(2028, 3, 29)
        self.assertFalse(plan._booking_check_token(self.token))

    @freeze_time("2027-03-20 10:00:00")
    def test_reminder_gives_the_link(self):
        plan = self.plan.copy({"name": "Reminded", "next_date": date(2027, 4, 5)})
        self.assertFalse(plan.sudo().booking_token)
        plan._send_reminders()
        self.assertTrue(plan.sudo().booking_token)
        template = self.env.ref("field_maintenance.mail_template_maintenance_reminder")
        body = template._render_field("body_html", plan.ids)[plan.id]
        self.assertIn(plan.booking_url, body)
        sms = self.env.ref("field_maintenance.sms_template_maintenance_reminder")
        self.assertIn(plan.booking_url, sms._render_field("body", plan.ids)[plan.id])

    @freeze_time("2027-03-20 10:00:00")
    def test_rule_trigger_visit_booked(self):
        rule = self._priority_rule("Booked online", "wo_booked_online", "1")
        self.assertEqual(rule.trigger, "on_create_or_write")
        other = self._work_order()
        self.assertEqual(other.priority, "0", "a work order not booked online")
        order = self._book(local(date(2027, 3, 29), 8))
        self.assertEqual(order.priority, "1")


@tagged("post_install", "-at_install")
class TestBookingConcurrency(TransactionCase):
    """Two customers pick the same time of the same technician at the same moment, each
    in their own transaction: one gets it, the other is told and offered the next ones."""

    def setUp(self):
        super().setUp()
        self.cursors = []
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            technician = new_test_user(
                env, login="fm_booking_race_tech", groups="field_maintenance.group_field_technician"
            )
            work_type = env["field.work.type"].create(
                {"name": "Race service", "default_duration": 1.0}
            )
            customers = env["res.partner"].create([{"name": "Race A"}, {"name": "Race B"}])
            due = fields.Date.today() + timedelta(days=10)
            plans = env["field.maintenance.plan"].create(
                [
                    {
                        "name": f"Race {customer.name}",
                        "partner_id": customer.id,
                        "work_type_id": work_type.id,
                        "user_id": technician.id,
                        "next_date": due,
                    }
                    for customer in customers
                ]
            )
            self.ids = {
                "technician": technician.id,
                "work_type": work_type.id,
                "customers": customers.ids,
                "plans": plans.ids,
            }
        self.addCleanup(self._clean)

    def _clean(self):
        for cr in self.cursors:
            cr.close()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            orders = env["field.work.order"].search(
                [("maintenance_plan_id", "in", self.ids["plans"])]
            )
            orders.unlink()
            env["field.maintenance.plan"].browse(self.ids["plans"]).unlink()
            env["field.work.type"].browse(self.ids["work_type"]).unlink()
            env["res.partner"].browse(self.ids["customers"]).unlink()
            user = env["res.users"].browse(self.ids["technician"])
            partner = user.partner_id
            try:
                with cr.savepoint():
                    user.unlink()
                    partner.unlink()
            except Exception:  # noqa: BLE001 - kept archived when other records refer to it
                user.active = False

    def _env(self):
        cr = self.registry.cursor()
        self.cursors.append(cr)
        return api.Environment(cr, SUPERUSER_ID, {})

    @mute_logger("odoo.sql_db")
    def test_same_time_two_customers(self):
        env_a, env_b = self._env(), self._env()
        plan_a = env_a["field.maintenance.plan"].browse(self.ids["plans"][0])
        plan_b = env_b["field.maintenance.plan"].browse(self.ids["plans"][1])
        moment = plan_a._booking_slots()[0][0]
        # both customers see the time free (customer B's transaction has started)
        self.assertIn(moment, [slot for slot, _users in plan_b._booking_slots()])
        order_a = plan_a._booking_book(moment)
        env_a.cr.commit()
        # customer B's transaction still does not see A's visit, and picks the same time
        with self.assertRaises(BookingSlotTaken):
            plan_b._booking_book(moment)
        self.assertFalse(plan_b._booking_visit(), "nothing booked for B")
        env_b.cr.rollback()
        # what B is offered next: free times only
        next_slots = plan_b._booking_next_slots(moment)
        self.assertTrue(next_slots)
        self.assertGreaterEqual(next_slots[0], order_a.planned_date_end)
        order_b = plan_b._booking_book(next_slots[0])
        env_b.cr.commit()
        self.assertEqual(order_b.planned_date_start, next_slots[0])
        self.assertEqual(order_a.technician_ids, order_b.technician_ids)


@tagged("post_install", "-at_install")
class TestBookingPages(BookingFixtures, FieldPortalCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_booking()

    def _url(self, plan=None, token=None):
        plan = plan or self.plan
        return f"/my/maintenance/{plan.id}/book?access_token={token or self.token}"

    @freeze_time("2027-03-20 10:00:00")
    def test_page_shows_times_not_whose_and_books(self):
        page = self.url_open(self._url())
        self.assertEqual(page.status_code, 200)
        self.assertIn("08:00", page.text)
        self.assertIn(fields.Datetime.to_string(local(date(2027, 3, 29), 8)), page.text)
        self.assertNotIn(self.technician.name, page.text)
        self.assertNotIn(self.technician_2.name, page.text)
        moment = fields.Datetime.to_string(local(date(2027, 3, 29), 10))
        # without the CSRF token: refused
        with mute_logger("odoo.http"):
            refused = self.url_open(
                f"/my/maintenance/{self.plan.id}/book",
                data={"access_token": self.token, "start": moment},
                allow_redirects=False,
            )
        self.assertEqual(refused.status_code, 400)
        self.assertFalse(self.plan._booking_visit())
        booked = self.url_open(
            f"/my/maintenance/{self.plan.id}/book",
            data={"access_token": self.token, "start": moment, "csrf_token": self._csrf()},
        )
        self.assertEqual(booked.status_code, 200)
        self.assertIn("Your visit is booked", booked.text)
        visit = self.plan._booking_visit()
        self.assertEqual(visit.planned_date_start, local(date(2027, 3, 29), 10))
        cancel = self.url_open(
            f"/my/maintenance/{self.plan.id}/cancel",
            data={"access_token": self.token, "csrf_token": self._csrf()},
        )
        self.assertEqual(cancel.status_code, 200)
        self.assertEqual(visit.state, "cancelled")

    def _csrf(self):
        # the CSRF token of the test client's session, as the page's form carries it
        page = self.url_open(self._url())
        start = page.text.index('name="csrf_token" value="') + len('name="csrf_token" value="')
        return page.text[start : page.text.index('"', start)]

    @freeze_time("2027-03-20 10:00:00")
    def test_taken_time_offers_the_next_ones(self):
        moment = local(date(2027, 3, 29), 10)
        self._work_order(
            partner_id=self.other_customer.id,
            planned_date_start=moment,
            technician_ids=[Command.set(self.technician.ids)],
        )
        page = self.url_open(
            f"/my/maintenance/{self.plan.id}/book",
            data={
                "access_token": self.token,
                "start": fields.Datetime.to_string(moment),
                "csrf_token": self._csrf(),
            },
        )
        self.assertEqual(page.status_code, 409)
        self.assertIn("just been booked by someone else", page.text)
        self.assertIn("The next free times", page.text)
        self.assertIn(fields.Datetime.to_string(local(date(2027, 3, 29), 13)), page.text)
        self.assertNotIn(fields.Datetime.to_string(moment), page.text)

    @freeze_time("2027-03-20 10:00:00")
    def test_refusals(self):
        other = self.plan.copy({"name": "Other", "next_date": date(2027, 3, 29)})
        other.partner_id = self.other_customer
        other._booking_ensure_token()
        # wrong token, another customer's plan with this token, no token
        self.assertEqual(self.url_open(self._url(token="wrong")).status_code, 404)
        self.assertEqual(self.url_open(self._url(plan=other)).status_code, 404)
        self.assertEqual(self.url_open(f"/my/maintenance/{self.plan.id}/book").status_code, 404)
        self.assertEqual(
            self.url_open(self._url(plan=other, token=other.sudo().booking_token)).status_code, 200
        )
        # a logged-in customer needs the link too
        self._log_in_portal()
        self.assertEqual(self.url_open(self._url(token="wrong")).status_code, 404)
        self.authenticate(None, None)
        # expired: the due date well past
        with freeze_time("2027-05-01"):
            page = self.url_open(self._url())
            self.assertEqual(page.status_code, 410)
            self.assertIn("no longer valid", page.text)
            self.assertNotIn('name="start"', page.text)

    @freeze_time("2027-03-20 10:00:00")
    def test_my_installations_links_to_the_booking(self):
        boiler = self.env["field.equipment"].create(
            {"name": "Gas boiler Vaillant", "partner_id": self.customer.id}
        )
        foreign = self.env["field.equipment"].create(
            {"name": "Fryer hood", "partner_id": self.other_customer.id}
        )
        other = self.plan.copy(
            {
                "name": "Other",
                "partner_id": self.other_customer.id,
                "site_partner_id": self.other_customer.id,
                "equipment_ids": foreign.ids,
            }
        )
        self.plan.equipment_ids = boiler
        self._log_in_portal()
        page = self.url_open("/my/installations")
        self.assertIn(f"/my/maintenance/{self.plan.id}/book?access_token={self.token}", page.text)
        self.assertNotIn(f"/my/maintenance/{other.id}/book", page.text)
        # once the office planned the visit: no link
        self._work_order(
            maintenance_plan_id=self.plan.id,
            planned_date_start=local(date(2027, 3, 29), 8),
            technician_ids=[Command.set(self.technician.ids)],
        ).action_plan()
        self.assertNotIn("/my/maintenance/", self.url_open("/my/installations").text)
