"""Security issue 12: calendar events of work orders, customer portal."""

import importlib.util
from datetime import datetime, timedelta

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged
from odoo.tools.misc import file_path

from .common import FieldMaintenanceCase, FieldPortalCase

EVENT_FIELDS = ["name", "location", "description", "partner_ids", "res_id", "fm_work_order_id"]


@tagged("post_install", "-at_install")
class TestSecurityCalendar(FieldMaintenanceCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.employee = cls._user("fm_sec_employee", "base.group_user", "Eva Employee")
        cls.other_company, cls.other_dispatcher, _customer_b = cls._company_b()
        cls.order = cls._planned_work_order(site_partner_id=cls.site.id)
        cls.event = cls.order.calendar_event_ids

    def _read_event_as(self, user, event=None):
        """The event as ``user`` reads it: read, search_read and display name, each
        from an empty cache (as in a request of its own)."""
        event = event or self.event
        self.env.invalidate_all()
        [read] = event.with_user(user).read(EVENT_FIELDS)
        self.env.invalidate_all()
        [found] = (
            self.env["calendar.event"]
            .with_user(user)
            .search_read([("id", "=", event.id)], EVENT_FIELDS)
        )
        self.env.invalidate_all()
        display_name = event.with_user(user).display_name
        self.env.invalidate_all()
        return read, found, display_name

    def test_event_is_busy_time_to_employees_not_on_it(self):
        self.assertEqual(len(self.event), 1)
        self.assertEqual(self.event.privacy, "private")
        for user in (self.employee, self.technician_2, self.other_dispatcher):
            read, found, display_name = self._read_event_as(user)
            for values in (read, found):
                self.assertEqual(values["name"], "Busy", user.login)
                self.assertFalse(values["location"], user.login)
                self.assertFalse(values["description"], user.login)
                self.assertEqual(values["partner_ids"], [], user.login)
                self.assertFalse(values["res_id"], user.login)
                self.assertFalse(values["fm_work_order_id"], user.login)
                self.assertNotIn("Janssens", str(values), user.login)
                self.assertNotIn(self.order.name, str(values), user.login)
            self.assertEqual(display_name, "Busy", user.login)
        # the busy time itself still shows in the technician's calendar
        self.assertIn(
            self.event,
            self.env["calendar.event"]
            .with_user(self.employee)
            .search([("partner_ids", "in", self.technician.partner_id.id)]),
        )
        # nor can they group events by their (private) title
        self.assertFalse(
            self.env["calendar.event"]
            .with_user(self.employee)
            ._read_group([("id", "=", self.event.id)], ["name"], ["__count"])
        )

    def test_event_details_for_attendee_and_dispatchers(self):
        for user in (self.technician, self.dispatcher, self.manager):
            read, found, display_name = self._read_event_as(user)
            for values in (read, found):
                self.assertIn(self.order.name, values["name"], user.login)
                self.assertIn("Bakkerij Janssens", values["name"], user.login)
                self.assertIn("Industrieweg 12", values["location"], user.login)
                self.assertEqual(values["partner_ids"], self.technician.partner_id.ids)
                self.assertEqual(values["fm_work_order_id"][0], self.order.id, user.login)
            self.assertIn(self.order.name, display_name, user.login)
        self.env.invalidate_all()
        groups = (
            self.env["calendar.event"]
            .with_user(self.dispatcher)
            ._read_group([("id", "=", self.event.id)], ["name"], ["__count"])
        )
        self.assertEqual(groups, [(self.event.name, 1)])

    def test_dispatcher_of_the_company_of_the_work_order_only(self):
        order_b = self._planned_work_order(
            company_id=self.other_company.id, work_type_id=False, summary="Visit of company B"
        )
        event_b = order_b.calendar_event_ids
        self.assertEqual(len(event_b), 1)
        # Bram, dispatcher of company B only, and Dirk, dispatcher of the main company
        for user, seen, busy in (
            (self.other_dispatcher, event_b, self.event),
            (self.dispatcher, self.event, event_b),
        ):
            read, found, display_name = self._read_event_as(user, seen)
            self.assertIn(seen.fm_work_order_id.name, read["name"], user.login)
            self.assertIn(seen.fm_work_order_id.name, found["name"], user.login)
            self.assertIn(seen.fm_work_order_id.name, display_name, user.login)
            read, found, display_name = self._read_event_as(user, busy)
            self.assertEqual((read["name"], found["name"], display_name), ("Busy",) * 3)
            self.assertFalse(read["fm_work_order_id"] or found["fm_work_order_id"])
            self.assertNotIn("Janssens", str(read) + str(found), user.login)

    def _move(self, user, days=1):
        self.env.invalidate_all()
        start = self.start + timedelta(days=days)
        return self.event.with_user(user).write(
            {"start": start, "stop": start + timedelta(hours=3)}
        )

    def test_technician_on_the_event_cannot_move_the_work_order(self):
        with self.assertRaises(UserError) as refusal:
            self._move(self.technician)
        self.assertIs(type(refusal.exception), UserError)
        self.assertIn(self.order.name, str(refusal.exception))
        self.assertIn("only dispatchers can change the planning", str(refusal.exception))
        self.env.invalidate_all()
        self.assertEqual(self.order.planned_date_start, self.start)
        self.assertEqual(self.event.start, self.start)
        # the same dates again (e.g. from a calendar synchronisation) are no move
        self.event.with_user(self.technician).write(
            {"start": self.event.start, "stop": self.event.stop}
        )
        self.assertEqual(self.order.planned_date_start, self.start)

    def test_dispatcher_not_on_the_event_gets_a_clear_refusal(self):
        with self.assertRaises(UserError) as refusal:
            self._move(self.dispatcher)
        self.assertIs(type(refusal.exception), UserError)
        self.assertIn(self.order.name, str(refusal.exception))
        self.assertIn("Work Orders > Calendar", str(refusal.exception))
        # the employees who see it as busy time get Odoo's own refusal, which names
        # no work order
        for user in (self.employee, self.technician_2):
            with self.assertRaises(AccessError) as refusal:
                self._move(user)
            self.assertNotIn(self.order.name, str(refusal.exception))
        self.env.invalidate_all()
        self.assertEqual(self.order.planned_date_start, self.start)
        # the dispatcher plans the work order itself: its event follows
        new_start = self.start + timedelta(days=2)
        self.order.with_user(self.dispatcher).write({"planned_date_start": new_start})
        self.assertEqual(self.event.start, new_start)

    def test_dispatcher_on_the_event_moves_the_work_order(self):
        order = self._planned_work_order(technician_ids=[Command.set(self.dispatcher.ids)])
        event = order.calendar_event_ids
        self.assertEqual(event.user_id, self.dispatcher)
        new_start = self.start + timedelta(days=1)
        self.env.invalidate_all()
        event.with_user(self.dispatcher).write(
            {"start": new_start, "stop": new_start + timedelta(hours=4)}
        )
        self.assertEqual(order.planned_date_start, new_start)
        self.assertEqual(order.planned_hours, 4.0)

    def test_event_of_a_work_order_stays_private(self):
        self.env.invalidate_all()
        self.event.with_user(self.technician).write({"privacy": "public"})
        self.assertEqual(self.event.privacy, "private")
        self.event.sudo().write({"privacy": False})
        self.assertEqual(self.event.privacy, "private")
        # other events keep the privacy their users give them
        own = (
            self.env["calendar.event"]
            .with_user(self.technician)
            .create({"name": "Dentist", "start": self.start, "stop": self.start})
        )
        own.write({"privacy": "public"})
        self.assertEqual(own.privacy, "public")
        # the work orders make their events: nobody links one by hand
        with self.assertRaises(AccessError):
            own.write({"fm_work_order_id": self.order.id})
        self.env.invalidate_all()
        with self.assertRaises(AccessError):
            self.event.with_user(self.technician).write({"fm_work_order_id": False})
        with self.assertRaises(AccessError):
            self.env["calendar.event"].with_user(self.employee).create(
                {
                    "name": "Mine",
                    "start": self.start,
                    "stop": self.start,
                    "privacy": "public",
                    "fm_work_order_id": self.order.id,
                }
            )

    def test_migration_makes_existing_events_private(self):
        order_2 = self._planned_work_order(summary="Second visit")
        other = self.env["calendar.event"].create(
            {"name": "Team lunch", "start": self.start, "stop": self.start, "privacy": "public"}
        )
        self.env.flush_all()
        # events as version 19.0.1.0.0 made them, and one changed by hand
        self.env.cr.execute(
            "UPDATE calendar_event SET privacy = NULL WHERE id = %s", [self.event.id]
        )
        self.env.cr.execute(
            "UPDATE calendar_event SET privacy = 'public' WHERE id = %s",
            [order_2.calendar_event_ids.id],
        )
        self.env.invalidate_all()
        read, _found, _display_name = self._read_event_as(self.employee)
        self.assertIn("Janssens", read["name"], "the leak the migration closes")

        path = file_path("field_maintenance/migrations/19.0.1.1.0/post-migrate.py")
        spec = importlib.util.spec_from_file_location("fm_post_migrate_19_0_1_1_0", path)
        script = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(script)
        script.migrate(self.env.cr, "19.0.1.0.0")

        self.env.invalidate_all()
        self.assertEqual(self.event.privacy, "private")
        self.assertEqual(order_2.calendar_event_ids.privacy, "private")
        self.assertEqual(other.privacy, "public", "events of no work order are left alone")
        read, _found, _display_name = self._read_event_as(self.employee)
        self.assertEqual(read["name"], "Busy")
        self.assertFalse(self.env["calendar.event"]._fm_make_work_order_events_private())


@tagged("post_install", "-at_install")
class TestSecurityPortal(FieldPortalCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.order = cls._planned_work_order(site_partner_id=cls.site.id)

    def _assert_refused(self, url, *texts):
        response = self.url_open(url, allow_redirects=False)
        self.assertIn(response.status_code, (302, 303), url)
        self.assertTrue(response.headers["Location"].endswith("/my"), url)
        for text in texts:
            self.assertNotIn(text, response.text, url)

    def _order_urls(self, order, token=None):
        query = f"access_token={token}&" if token else ""
        return [
            f"/my/work_orders/{order.id}?{query}",
            f"/my/work_orders/{order.id}?{query}report_type=pdf",
            f"/my/work_orders/{order.id}?{query}report_type=pdf&download=true",
            f"/my/work_orders/{order.id}?{query}report_type=html",
        ]

    def test_portal_shows_no_draft_or_cancelled_work_order(self):
        draft = self._work_order(summary="Quote visit")
        cancelled = self._order_in_state("cancelled", summary="Called off visit")
        done = self._order_in_state("done", summary="Burner replaced")
        hidden, shown = draft | cancelled, self.order | done
        tokens = {order: order._portal_ensure_token() for order in hidden | shown}

        self._log_in_portal()
        for filterby in ("all", "open", "done"):
            listing = self.url_open(f"/my/work_orders?filterby={filterby}")
            self.assertEqual(listing.status_code, 200)
            for order in hidden:
                self.assertNotIn(order.name, listing.text)
                self.assertNotIn(order.summary, listing.text)
        listing = self.url_open("/my/work_orders")
        for order in shown:
            self.assertIn(order.name, listing.text)
        counters = self.make_jsonrpc_request("/my/counters", {"counters": ["work_order_count"]})
        self.assertEqual(counters, {"work_order_count": 2})

        for order in shown:
            page = self.url_open(f"/my/work_orders/{order.id}")
            self.assertEqual(page.status_code, 200)
            self.assertIn(order.summary, page.text)
            pdf = self.url_open(f"/my/work_orders/{order.id}?report_type=pdf")
            self.assertEqual(pdf.status_code, 200)
            self.assertEqual(pdf.headers["Content-Type"], "application/pdf")
        for order in hidden:
            for url in self._order_urls(order) + self._order_urls(order, tokens[order]):
                self._assert_refused(url, order.summary)

        # by their access token, without an account
        self.authenticate(None, None)
        page = self.url_open(f"/my/work_orders/{done.id}?access_token={tokens[done]}")
        self.assertEqual(page.status_code, 200)
        self.assertIn(done.summary, page.text)
        for order in hidden:
            for url in self._order_urls(order, tokens[order]):
                self._assert_refused(url, order.summary)

    def test_token_link_stops_working_when_the_customer_changes(self):
        token = self.order._portal_ensure_token()
        page = self.url_open(f"/my/work_orders/{self.order.id}?access_token={token}")
        self.assertEqual(page.status_code, 200)
        self.assertIn(self.order.summary, page.text)

        self.order.with_user(self.dispatcher).write({"partner_id": self.other_customer.id})
        self.assertEqual(self.order.commercial_partner_id, self.other_customer)
        self.assertNotEqual(self.order.access_token, token)
        for url in self._order_urls(self.order, token):
            self._assert_refused(url, self.order.summary)
        # nor does the previous customer's account see it any more
        self._log_in_portal()
        self.assertNotIn(self.order.name, self.url_open("/my/work_orders").text)
        for url in self._order_urls(self.order) + self._order_urls(self.order, token):
            self._assert_refused(url, self.order.summary)

    def test_portal_shows_only_the_customers_own_installations(self):
        own = self.env["field.equipment"].create(
            {
                "name": "Bakery oven boiler",
                "partner_id": self.customer.id,
                "serial_number": "OWN-4711",
            }
        )
        foreign = self.env["field.equipment"].create(
            {
                "name": "Café espresso boiler",
                "partner_id": self.other_customer.id,
                "serial_number": "FOREIGN-0815",
            }
        )
        self.order.write({"equipment_ids": [Command.set(own.ids)]})
        # data of before the equipment check of work orders: another customer's
        # installation on this customer's work order
        self.env.flush_all()
        self.env.cr.execute(
            "INSERT INTO field_equipment_work_order_rel (work_order_id, equipment_id) "
            "VALUES (%s, %s)",
            [self.order.id, foreign.id],
        )
        self.env.invalidate_all()
        self.assertEqual(self.order.equipment_ids, own | foreign)

        # an installation taken over from another customer: its service for the
        # previous owner is not the last service of the new one
        taken_over = self.env["field.equipment"].create(
            {"name": "Cold store compressor", "partner_id": self.other_customer.id}
        )
        previous = self._order_in_state(
            "done",
            times=(datetime(2024, 5, 17, 8, 0), datetime(2024, 5, 17, 10, 0)),
            partner_id=self.other_customer.id,
            equipment_ids=[Command.set(taken_over.ids)],
        )
        taken_over.partner_id = self.customer
        mine = self._order_in_state(
            "done",
            times=(datetime(2025, 2, 3, 8, 0), datetime(2025, 2, 3, 10, 0)),
            equipment_ids=[Command.set(taken_over.ids)],
        )

        self._log_in_portal()
        page = self.url_open(f"/my/work_orders/{self.order.id}")
        self.assertEqual(page.status_code, 200)
        self.assertIn("OWN-4711", page.text)
        self.assertNotIn("FOREIGN-0815", page.text)
        self.assertNotIn("espresso", page.text)

        installations = self.url_open("/my/installations")
        self.assertEqual(installations.status_code, 200)
        self.assertIn("Cold store compressor", installations.text)
        self.assertIn("02/03/2025", installations.text)
        self.assertNotIn("05/17/2024", installations.text)
        self.assertNotIn("FOREIGN-0815", installations.text)
        orders = self.url_open(f"/my/work_orders?installation={taken_over.id}")
        self.assertIn(mine.name, orders.text)
        self.assertNotIn(previous.name, orders.text)
        self.assertNotIn(
            previous.name, self.url_open(f"/my/work_orders?installation={foreign.id}").text
        )
