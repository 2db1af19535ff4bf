"""The office's day (issue 16): planning from the calendar, periodic maintenance scheduled
from its plan, the work-order header by role."""

from datetime import date, datetime, timedelta

from lxml import etree

from odoo import Command
from odoo.tests import Form, tagged
from odoo.tools.safe_eval import safe_eval

from .test_maintenance_plan import MaintenancePlanCase

SLOT_START = datetime(2027, 3, 10, 8, 0)


@tagged("post_install", "-at_install")
class TestOfficePlanScheduling(MaintenancePlanCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.visit_type = cls.env["field.work.type"].create(
            {"name": "Heat pump maintenance", "default_duration": 1.5}
        )

    def _slot_context(self, plan):
        """The context of the work-order form opened by a click on a one-hour slot of the
        calendar that Schedule opened (what the web client sends)."""
        return {
            **plan.action_schedule()["context"],
            "default_planned_date_start": SLOT_START.strftime("%Y-%m-%d %H:%M:%S"),
            "default_planned_date_end": (SLOT_START + timedelta(hours=1)).strftime(
                "%Y-%m-%d %H:%M:%S"
            ),
        }

    def test_visit_lasts_the_duration_of_its_work_type(self):
        plan = self._plan(work_type_id=self.visit_type.id, user_id=self.technician.id)
        Order = self.env["field.work.order"].with_user(self.dispatcher)
        form = Form(Order.with_context(**self._slot_context(plan)))
        self.assertEqual(form.planned_hours, 1.5)
        self.assertEqual(
            form.planned_date_end,
            SLOT_START + timedelta(hours=1, minutes=30),
            "the end follows the work type's duration, not the one-hour slot",
        )
        order = form.save()
        self.assertEqual(order.planned_hours, 1.5)
        self.assertEqual(order.planned_date_end, SLOT_START + timedelta(hours=1, minutes=30))
        # planned in one step: the slot gave the date, the plan the technician
        self.assertEqual(order.state, "planned")
        self.assertEqual(order.calendar_event_ids.stop, order.planned_date_end)

    def test_slot_end_kept_without_work_type_duration(self):
        no_duration = self.env["field.work.type"].create({"name": "Call-out"})
        plan = self._plan(work_type_id=no_duration.id)
        form = Form(self.env["field.work.order"].with_context(**self._slot_context(plan)))
        self.assertEqual(form.planned_date_end, SLOT_START + timedelta(hours=1))

    def test_visit_without_technician_stays_a_draft(self):
        plan = self._plan()
        order = (
            self.env["field.work.order"]
            .with_user(self.dispatcher)
            .with_context(**plan.action_schedule()["context"])
            .create({"planned_date_start": SLOT_START})
        )
        self.assertEqual(order.state, "draft", "no technician: the dispatcher completes it")

    def test_schedule_title_names_the_plan(self):
        plan = self._plan()
        action = plan.with_user(self.dispatcher).action_schedule()
        self.assertIn(plan.name, action["name"])
        self.assertIn(self.customer.name, action["name"])
        self.assertEqual(action["context"]["fm_scheduling_plan_id"], plan.id)

    def test_open_visit_instead_of_schedule(self):
        plan = self._plan(user_id=self.technician.id)
        other = self._plan(name="Other installation", equipment_ids=[Command.clear()])
        self.assertFalse(plan.open_visit_id)
        self.assertEqual(plan.action_open_visit()["views"][0][1], "calendar", "nothing yet")
        order = (
            self.env["field.work.order"]
            .with_context(**plan.action_schedule()["context"])
            .create({"planned_date_start": SLOT_START})
        )
        plans = (plan | other).with_user(self.dispatcher)
        plans.invalidate_recordset(["open_visit_id"])
        self.assertEqual(plans[0].open_visit_id, order)
        self.assertEqual(plans[0].open_visit_date, SLOT_START)
        self.assertFalse(plans[1].open_visit_id)
        action = plans[0].action_open_visit()
        self.assertEqual((action["res_model"], action["res_id"]), ("field.work.order", order.id))
        # the list offers "Open visit" where there is one, Schedule elsewhere
        arch = etree.fromstring(
            self.env["field.maintenance.plan"]
            .with_user(self.dispatcher)
            .get_view(self.env.ref("field_maintenance.field_maintenance_plan_view_list").id)["arch"]
        )
        schedule = arch.xpath("//button[@name='action_schedule']")[0]
        self.assertIn("open_visit_id", schedule.get("invisible"))
        self.assertTrue(arch.xpath("//button[@name='action_open_visit']"))
        # a done visit is no longer open
        order.action_start()
        order.action_done()
        plan.invalidate_recordset(["open_visit_id"])
        self.assertFalse(plan.open_visit_id)

    def test_warning_for_equipment_with_an_active_plan(self):
        existing = self._plan()
        form = Form(self.Plan.with_user(self.dispatcher))
        form.name = "Second plan"
        form.partner_id = self.customer
        form.next_date = date(2027, 5, 1)
        with self.assertLogs("odoo.tests.form.onchange", level="WARNING") as logs:
            form.equipment_ids.add(self.equipment)
        self.assertIn(existing.name, "\n".join(logs.output))
        second = form.save()  # a warning, not a refusal
        self.assertEqual(second.state, "active")
        # the plan itself is no duplicate of itself, nor is a cancelled plan
        existing._cancel("Replaced")
        self.assertIsNone(
            self.Plan.new(
                {"equipment_ids": [Command.set(self.equipment.ids)]}, origin=second
            )._onchange_equipment_active_plan()
        )


@tagged("post_install", "-at_install")
class TestOfficeCalendar(MaintenancePlanCase):
    def test_tile_title_says_customer_place_summary_and_status(self):
        order = self._work_order(
            site_partner_id=self.site.id,
            planned_date_start=datetime(2099, 3, 2, 8, 0),
            technician_ids=[Command.set(self.technician.ids)],
        )
        self.assertTrue(order.calendar_title.startswith("Draft · "))
        order.action_plan()
        self.assertEqual(
            order.calendar_title, "Bakkerij Janssens · Mariakerke · Yearly boiler service"
        )
        order.action_start()
        self.assertTrue(order.calendar_title.startswith("▶ In Progress · Bakkerij Janssens"))
        late = self._work_order(
            planned_date_start=datetime(2020, 3, 2, 8, 0),
            technician_ids=[Command.set(self.technician.ids)],
        )
        late.action_plan()
        self.assertTrue(late.is_overdue)
        self.assertTrue(late.calendar_title.startswith("⚠ Overdue · Bakkerij Janssens · Gent"))
        # the calendar sends the title back when a tile is moved: ignored
        late.with_user(self.dispatcher).write(
            {"calendar_title": "x", "planned_date_start": datetime(2099, 4, 1, 8, 0)}
        )
        self.assertEqual(late.planned_date_start, datetime(2099, 4, 1, 8, 0))

    def test_calendar_view(self):
        arch = etree.fromstring(
            self.env["field.work.order"]
            .with_user(self.dispatcher)
            .get_view(self.env.ref("field_maintenance.field_work_order_view_calendar").id)["arch"]
        )
        calendar = arch.xpath("//calendar")[0]
        self.assertEqual(calendar.get("create_name_field"), "calendar_title")
        self.assertEqual(calendar.get("delete"), "0", "no delete in the popover")
        filters = arch.xpath("//field[@filters]")
        self.assertEqual([f.get("name") for f in filters], ["user_id"], "one filter")
        self.assertEqual(calendar.get("color"), "user_id", "its colours are the tiles'")

    def test_to_plan_list(self):
        action = self.env.ref("field_maintenance.action_field_work_order_to_plan")
        draft = self._work_order()
        planned = self._work_order(
            planned_date_start=self.start, technician_ids=[Command.set(self.technician.ids)]
        )
        planned.action_plan()
        to_plan = (
            self.env["field.work.order"].with_user(self.dispatcher).search(safe_eval(action.domain))
        )
        self.assertIn(draft, to_plan)
        self.assertNotIn(planned, to_plan)
        menu = self.env.ref("field_maintenance.menu_field_work_order_to_plan")
        self.assertEqual(menu.parent_id, self.env.ref("field_maintenance.menu_field_work_order"))


@tagged("post_install", "-at_install")
class TestOfficeHeader(MaintenancePlanCase):
    def _header(self, user):
        view = self.env.ref("field_maintenance.field_work_order_view_form")
        arch = etree.fromstring(
            self.env["field.work.order"].with_user(user).get_view(view.id, "form")["arch"]
        )
        return arch.xpath("//header")[0]

    def _primary(self, header):
        return {
            button.get("name")
            for button in header.xpath(".//button")
            if "btn-primary" in (button.get("class") or "")
        }

    def test_primary_buttons_by_role(self):
        dispatcher = self._primary(self._header(self.dispatcher))
        technician = self._primary(self._header(self.technician))
        self.assertIn("action_plan", dispatcher)
        self.assertIn("action_ready", dispatcher)
        self.assertNotIn("action_start", dispatcher, "the technician's step is not theirs")
        self.assertIn("action_start", technician)
        self.assertIn("action_report_complete", technician)
        self.assertFalse({"action_plan", "action_ready"} & technician)

    def test_unsaved_record_has_no_buttons(self):
        for user in (self.dispatcher, self.technician, self.manager):
            for button in self._header(user).xpath(".//button"):
                with self.subTest(user=user.login, button=button.get("name")):
                    self.assertIn("not id", button.get("invisible") or "")

    def test_occasional_actions_in_the_gear_menu(self):
        header = self._header(self.dispatcher)
        names = {button.get("name") for button in header.xpath(".//button")}
        self.assertFalse(
            names
            & {
                "action_cancel",
                "action_compute_travel_costs",
                "action_apply_price_agreements",
                "action_open_maintenance_plan",
            }
        )

        def gear(user):
            toolbar = (
                self.env["field.work.order"]
                .with_user(user)
                .get_views([(False, "form")], {"toolbar": True})["views"]["form"]["toolbar"]
            )
            return {action["name"] for action in toolbar.get("action", [])}

        dispatcher = gear(self.dispatcher)
        for name in (
            "Cancel Work Order",
            "Compute Travel Costs",
            "Apply Price Agreements",
            "Create Periodic Maintenance",
        ):
            self.assertIn(name, dispatcher)
        self.assertFalse(
            {"Cancel Work Order", "Create Periodic Maintenance"} & gear(self.technician)
        )
        # the gear's Cancel cancels
        order = self._work_order()
        action = self.env.ref("field_maintenance.action_server_field_work_order_cancel")
        action.with_user(self.dispatcher).with_context(
            active_model="field.work.order", active_ids=order.ids, active_id=order.id
        ).run()
        self.assertEqual(order.state, "cancelled")

    def test_list_shows_recent_first(self):
        arch = etree.fromstring(
            self.env["field.work.order"]
            .with_user(self.dispatcher)
            .get_view(self.env.ref("field_maintenance.field_work_order_view_list").id)["arch"]
        )
        self.assertTrue(arch.get("default_order").startswith("planned_date_start desc"))


@tagged("post_install", "-at_install")
class TestOfficeNextSlot(MaintenancePlanCase):
    def test_technician_proposes_the_next_working_slot(self):
        calendar = self.company.resource_calendar_id
        self.assertTrue(calendar, "the company works 8-17 Monday to Friday (Odoo's default)")
        Order = self.env["field.work.order"].with_user(self.dispatcher)
        # Friday 21:40 UTC: the next slot is Monday morning, not the evening
        friday_evening = datetime(2026, 3, 6, 21, 40)
        slot = Order._fm_next_working_slot(friday_evening)
        self.assertEqual(slot.weekday(), 0)
        self.assertGreaterEqual(slot, datetime(2026, 3, 9, 6, 0))
        self.assertLess(slot, datetime(2026, 3, 9, 10, 0))
        # during working hours: the next half hour
        tuesday = datetime(2026, 3, 3, 10, 10)
        tz_calendar = calendar.tz
        self.assertTrue(tz_calendar)
        self.assertEqual(Order._fm_next_working_slot(tuesday), datetime(2026, 3, 3, 10, 30))
        form = Form(Order)
        form.partner_id = self.customer
        self.assertFalse(form.planned_date_start)
        form.technician_ids.add(self.technician)
        self.assertTrue(form.planned_date_start, "the picker starts on a working slot")
        # not for a technician's ad-hoc job, started on site
        adhoc = Form(
            self.env["field.work.order"]
            .with_user(self.technician)
            .with_context(default_technician_ids=self.technician.ids, default_is_adhoc=True)
        )
        adhoc.partner_id = self.customer
        self.assertFalse(adhoc.planned_date_start)
