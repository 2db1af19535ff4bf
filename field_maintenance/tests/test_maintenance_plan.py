from datetime import date, datetime

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, freeze_time, tagged

from odoo.addons.field_maintenance.tools import (
    add_interval,
    local_date,
    local_to_utc,
)

from .common import FieldMaintenanceCase


@tagged("post_install", "-at_install")
class TestMaintenanceInterval(FieldMaintenanceCase):
    """Calendar arithmetic of the plans."""

    def test_month_end(self):
        self.assertEqual(add_interval(date(2026, 1, 31), 1, "month"), date(2026, 2, 28))
        self.assertEqual(add_interval(date(2028, 1, 31), 1, "month"), date(2028, 2, 29))
        self.assertEqual(add_interval(date(2026, 1, 31), 3, "month"), date(2026, 4, 30))
        self.assertEqual(add_interval(date(2026, 8, 31), 6, "month"), date(2027, 2, 28))
        # the day of the month comes back after a short month
        self.assertEqual(
            add_interval(date(2026, 2, 28), 1, "month", anchor_day=31), date(2026, 3, 31)
        )
        self.assertEqual(
            add_interval(date(2026, 4, 30), 1, "month", anchor_day=31), date(2026, 5, 31)
        )

    def test_leap_years(self):
        self.assertEqual(add_interval(date(2028, 2, 29), 1, "year"), date(2029, 2, 28))
        self.assertEqual(add_interval(date(2028, 2, 29), 4, "year"), date(2032, 2, 29))
        self.assertEqual(
            add_interval(date(2031, 2, 28), 1, "year", anchor_day=29), date(2032, 2, 29)
        )
        self.assertEqual(add_interval(date(2028, 2, 28), 1, "day"), date(2028, 2, 29))
        self.assertEqual(add_interval(date(2028, 2, 22), 1, "week"), date(2028, 2, 29))

    def test_weekly_keeps_local_time_across_daylight_saving(self):
        tz = "Europe/Brussels"
        # Monday 23 March 2026 08:00 in Brussels (CET, UTC+1); summer time starts 29 March
        before = local_to_utc(date(2026, 3, 23), 8.0, tz)
        self.assertEqual(before, datetime(2026, 3, 23, 7, 0))
        after = add_interval(before, 1, "week", tz=tz)
        self.assertEqual(after, datetime(2026, 3, 30, 6, 0), "still 08:00 local (CEST, UTC+2)")
        # and back on 25 October 2026
        autumn = local_to_utc(date(2026, 10, 19), 8.0, tz)
        self.assertEqual(autumn, datetime(2026, 10, 19, 6, 0))
        self.assertEqual(add_interval(autumn, 1, "week", tz=tz), datetime(2026, 10, 26, 7, 0))
        # without a time zone the UTC time is kept
        self.assertEqual(add_interval(before, 1, "week"), datetime(2026, 3, 30, 7, 0))

    def test_unknown_unit(self):
        with self.assertRaises(ValueError):
            add_interval(date(2026, 1, 1), 1, "fortnight")


class MaintenancePlanCase(FieldMaintenanceCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.partner_id.tz = "Europe/Brussels"
        cls.equipment = cls.env["field.equipment"].create(
            {
                "name": "Gas boiler Vaillant ecoTEC plus",
                "partner_id": cls.customer.id,
                "site_partner_id": cls.site.id,
            }
        )
        cls.filter_product = cls.env["product.product"].create(
            {"name": "Burner filter", "type": "consu", "list_price": 8.0}
        )
        cls.Plan = cls.env["field.maintenance.plan"]

    @classmethod
    def _origin_order(cls, **vals):
        values = {
            "site_partner_id": cls.site.id,
            "equipment_ids": [Command.set(cls.equipment.ids)],
            "description": "<p>Clean the burner, measure the flue gas.</p>",
            "line_ids": [
                Command.create({"product_id": cls.material.id, "quantity": 2}),
                Command.create({"display_type": "line_note", "name": "Ask for the key"}),
                Command.create({"product_id": cls.filter_product.id, "quantity": 1}),
                Command.create(
                    {"line_type": "labour", "product_id": cls.labour.id, "quantity": 1.5}
                ),
            ],
        }
        values.update(vals)
        return cls._order_in_state("done", **values)

    @classmethod
    def _plan(cls, **vals):
        values = {
            "name": "Yearly boiler maintenance",
            "partner_id": cls.customer.id,
            "site_partner_id": cls.site.id,
            "equipment_ids": [Command.set(cls.equipment.ids)],
            "work_type_id": cls.work_type.id,
            "interval_number": 1,
            "interval_unit": "year",
            "next_date": date(2027, 3, 15),
            "line_ids": [
                Command.create({"product_id": cls.material.id, "quantity": 2}),
                Command.create({"product_id": cls.filter_product.id, "quantity": 1}),
            ],
        }
        values.update(vals)
        return cls.Plan.create(values)

    def _visit(self, plan, **vals):
        """The work order of the plan's current due date, done."""
        values = {
            "maintenance_plan_id": plan.id,
            "planned_date_start": datetime.combine(plan.next_date, datetime.min.time()),
            "technician_ids": [Command.set(self.technician.ids)],
        }
        values.update(vals)
        order = self.env["field.work.order"].create(values)
        order.action_plan()
        order.action_start()
        order.action_done()
        return order


@tagged("post_install", "-at_install")
class TestMaintenancePlan(MaintenancePlanCase):
    # ------------------------------------------------------------------
    # Plans born from a work order
    # ------------------------------------------------------------------

    def test_plan_from_work_order(self):
        with freeze_time("2026-03-02 15:00:00"):
            order = self._origin_order()
        plan = self.Plan.create(
            {
                "name": "Yearly boiler maintenance",
                "interval_number": 1,
                "interval_unit": "year",
                "origin_work_order_id": order.id,
            }
        )
        self.assertEqual(plan.partner_id, self.customer)
        self.assertEqual(plan.site_partner_id, self.site)
        self.assertEqual(plan.equipment_ids, self.equipment)
        self.assertEqual(plan.work_type_id, self.work_type)
        self.assertEqual(plan.user_id, self.technician)
        self.assertEqual(plan.company_id, self.company)
        self.assertIn("flue gas", plan.description)
        self.assertEqual(plan.next_date, date(2027, 3, 2), "one year after the visit")
        self.assertEqual(plan.reminder_days, 30)
        self.assertEqual(plan.state, "active")
        self.assertEqual(
            plan.line_ids.mapped("product_id"),
            self.material | self.filter_product,
            "the material lines become the template lines; labour and notes do not",
        )
        self.assertEqual(plan.line_ids.mapped("quantity"), [2.0, 1.0])
        self.assertEqual(order.maintenance_plan_id, plan, "the work order is the first visit")
        self.assertEqual(plan.work_order_ids, order)
        self.assertEqual(plan.interval_label, "Every year")

    def test_plan_form_from_work_order(self):
        """The box on the work order: only a name and an interval to give."""
        order = self._origin_order()
        action = order.action_open_maintenance_plan()
        self.assertEqual(action["res_model"], "field.maintenance.plan")
        self.assertFalse(action.get("res_id"))
        plan_form = Form(self.Plan.with_context(**action["context"]))
        self.assertEqual(plan_form.partner_id, self.customer)
        self.assertEqual(len(plan_form.line_ids), 2)
        plan_form.name = "Half-yearly check"
        plan_form.interval_number = 6
        plan_form.interval_unit = "month"
        plan = plan_form.save()
        self.assertEqual(plan.interval_label, "Every 6 months")
        self.assertEqual(len(plan.line_ids), 2)
        self.assertEqual(order.maintenance_plan_id, plan)
        expected = add_interval(local_date(order.date_end, "Europe/Brussels"), 6, "month")
        self.assertEqual(plan.next_date, expected)
        # edit it from the work order again
        action = order.action_open_maintenance_plan()
        self.assertEqual(action["res_id"], plan.id)

    def test_bad_input(self):
        plan = self._plan()
        for vals in (
            {"interval_number": 0},
            {"interval_number": -2},
            {"reminder_days": -1},
            {"auto_create_days": -5},
            {"partner_id": False},
        ):
            with self.subTest(vals=vals), self.assertRaises(ValidationError):
                plan.write(vals)
        self.assertEqual(plan.interval_number, 1, "nothing changed")
        self.assertEqual(plan.reminder_days, 30)
        self.assertEqual(plan.partner_id, self.customer)
        with self.assertRaises(ValidationError):
            self._plan(interval_number=0)
        with self.assertRaises(ValidationError):
            self._plan(reminder_days=-3)
        with self.assertRaises(ValidationError):
            self.Plan.create({"name": "No customer", "next_date": date(2027, 1, 1)})
        self.assertEqual(self.Plan.search_count([("partner_id", "=", self.customer.id)]), 1)

    def test_schedule_cancelled_plan(self):
        plan = self._plan()
        plan._cancel("Installation replaced")
        with self.assertRaisesRegex(UserError, "cancelled"):
            plan.action_schedule()
        self.assertFalse(plan.work_order_ids)

    # ------------------------------------------------------------------
    # Scheduling
    # ------------------------------------------------------------------

    def test_schedule_prefills_work_order(self):
        plan = self._plan(
            user_id=self.technician.id, description="<p>Check the expansion vessel</p>"
        )
        action = plan.with_user(self.dispatcher).action_schedule()
        self.assertEqual(action["res_model"], "field.work.order")
        self.assertEqual(action["views"][0][1], "calendar")
        context = action["context"]
        self.assertEqual(context["default_partner_id"], self.customer.id)
        self.assertEqual(context["default_site_partner_id"], self.site.id)
        self.assertEqual(context["default_equipment_ids"], self.equipment.ids)
        self.assertEqual(context["default_work_type_id"], self.work_type.id)
        self.assertEqual(context["default_maintenance_plan_id"], plan.id)
        self.assertIn("expansion vessel", context["default_description"])
        self.assertEqual(context["initial_date"], "2027-03-15 12:00:00")
        # the dispatcher picks a slot in the calendar
        order = (
            self.env["field.work.order"]
            .with_user(self.dispatcher)
            .with_context(**context)
            .create({"planned_date_start": datetime(2027, 3, 10, 8, 0)})
        )
        self.assertEqual(order.partner_id, self.customer)
        self.assertEqual(order.site_partner_id, self.site)
        self.assertEqual(order.equipment_ids, self.equipment)
        self.assertEqual(order.work_type_id, self.work_type)
        self.assertEqual(order.summary, plan.name)
        self.assertIn("expansion vessel", order.description)
        self.assertEqual(order.technician_ids, self.technician)
        self.assertEqual(order.maintenance_plan_id, plan)
        self.assertEqual(order.maintenance_due_date, date(2027, 3, 15))
        self.assertEqual(
            [(line.product_id, line.quantity) for line in order.line_ids],
            [(self.material, 2.0), (self.filter_product, 1.0)],
            "the template lines are copied",
        )
        self.assertEqual(order.line_ids[0].price_unit, 12.5, "priced like any work order line")
        self.assertEqual(len(order.checklist_ids), 2)
        # everything stays editable on site
        order.line_ids[0].quantity = 3
        order.write({"line_ids": [Command.create({"product_id": self.labour.id})]})
        self.assertEqual(len(order.line_ids), 3)
        self.assertEqual(len(plan.line_ids), 2, "the plan's template is not changed")
        # the plan's calendar action after scheduling tells the existing work order
        with self.assertRaisesRegex(UserError, order.name):
            plan.action_schedule()

    def test_schedule_form_shows_template_lines(self):
        plan = self._plan()
        context = plan.action_schedule()["context"]
        order_form = Form(self.env["field.work.order"].with_context(**context))
        self.assertEqual(len(order_form.line_ids), 2, "lines shown before saving")
        order_form.planned_date_start = datetime(2027, 3, 10, 8, 0)
        order = order_form.save()
        self.assertEqual(len(order.line_ids), 2, "not copied twice")
        self.assertEqual(order.maintenance_plan_id, plan)

    def test_work_order_for_plan_without_context(self):
        plan = self._plan()
        order = self.env["field.work.order"].create({"maintenance_plan_id": plan.id})
        self.assertEqual(order.partner_id, self.customer)
        self.assertEqual(order.maintenance_due_date, plan.next_date)
        self.assertEqual(len(order.line_ids), 2)
        second = self.env["field.work.order"].create({"maintenance_plan_id": plan.id})
        self.assertFalse(second.maintenance_due_date, "the due date is already planned")

    # ------------------------------------------------------------------
    # Advancing the due date
    # ------------------------------------------------------------------

    def test_done_advances_from_due_date(self):
        plan = self._plan(interval_unit="month", next_date=date(2026, 1, 31))
        with freeze_time("2026-02-10 10:00:00"):
            order = self._visit(plan)
        self.assertEqual(order.maintenance_due_date, date(2026, 1, 31))
        self.assertEqual(plan.next_date, date(2026, 2, 28), "31 January + 1 month")
        with freeze_time("2026-03-01 10:00:00"):
            self._visit(plan)
        self.assertEqual(plan.next_date, date(2026, 3, 31), "back on the 31st")
        with freeze_time("2026-04-01 10:00:00"):
            self._visit(plan)
        self.assertEqual(plan.next_date, date(2026, 4, 30))
        self.assertEqual(len(plan.work_order_ids), 3)

    def test_done_advances_from_completion_date(self):
        plan = self._plan(next_date_base="completion_date", next_date=date(2028, 2, 29))
        # completed on 2 March 2028 at 00:30 in Brussels, still 1 March in UTC
        with freeze_time("2028-03-01 23:30:00"):
            self._visit(plan)
        self.assertEqual(plan.next_date, date(2029, 3, 2), "counted from the local date")

    def test_leap_day_plan(self):
        plan = self._plan(next_date=date(2028, 2, 29))
        with freeze_time("2028-02-29 10:00:00"):
            self._visit(plan)
        self.assertEqual(plan.next_date, date(2029, 2, 28))

    def test_origin_done_does_not_advance(self):
        order = self._order_in_state("in_progress")
        plan = self.Plan.create(
            {"name": "Yearly", "interval_number": 1, "origin_work_order_id": order.id}
        )
        next_date = plan.next_date
        order.action_done()
        self.assertEqual(plan.next_date, next_date, "the origin visit is already counted")

    def _planned_visit(self, plan):
        """A work order of ``plan``, planned for the technician a few days before the
        due date."""
        order = self.env["field.work.order"].create(
            {
                "maintenance_plan_id": plan.id,
                "planned_date_start": datetime(2027, 3, 12, 8, 0),
                "technician_ids": [Command.set(self.technician.ids)],
            }
        )
        order.action_plan()
        return order

    def test_technician_completes_visit(self):
        plan = self._plan()
        order = self._planned_visit(plan)
        order.with_user(self.technician).action_start()
        order.with_user(self.technician).action_done()
        self.assertEqual(plan.next_date, date(2028, 3, 15))

    def test_completed_visit_logs_only_its_own_changes(self):
        """Completing a visit moves the plan's next date: the plan's history says so, the
        work order's history shows the work order's own changes."""
        plan = self._plan()
        order = self._planned_visit(plan)
        order.action_start()
        self.env.cr.precommit.run()  # end of the request that planned and started it
        order.with_context(tracking_disable=False).action_done()
        self.env.cr.precommit.run()
        self.assertEqual(plan.next_date, date(2028, 3, 15))
        tracked = order.message_ids.tracking_value_ids.field_id.mapped("name")
        self.assertIn("state", tracked)
        self.assertNotIn("maintenance_next_date", tracked)
        self.assertNotIn("maintenance_plan_state", tracked)

    def test_cancelled_visit_can_be_rescheduled(self):
        plan = self._plan()
        first = self.env["field.work.order"].create({"maintenance_plan_id": plan.id})
        first.action_cancel()
        second = self.env["field.work.order"].create({"maintenance_plan_id": plan.id})
        self.assertEqual(second.maintenance_due_date, plan.next_date)

    # ------------------------------------------------------------------
    # Cancellation
    # ------------------------------------------------------------------

    def test_cancel_wizard_from_work_order(self):
        order = self._origin_order()
        plan = self.Plan.create(
            {"name": "Yearly", "interval_number": 1, "origin_work_order_id": order.id}
        )
        draft = self.env["field.work.order"].create({"maintenance_plan_id": plan.id})
        action = order.with_user(self.dispatcher).action_cancel_maintenance_plan()
        self.assertEqual(action["res_model"], "field.maintenance.plan.cancel")
        wizard_form = Form(
            self.env["field.maintenance.plan.cancel"]
            .with_user(self.dispatcher)
            .with_context(**action["context"])
        )
        wizard_form.reason = "Installation replaced by a heat pump"
        wizard_form.save().action_confirm()
        self.assertEqual(plan.state, "cancelled")
        self.assertEqual(plan.cancel_reason, "Installation replaced by a heat pump")
        # the day in the time zone of the dispatcher who cancels
        self.assertEqual(
            plan.cancel_date, fields.Date.context_today(plan.with_user(self.dispatcher))
        )
        self.assertEqual(draft.state, "cancelled", "the unplanned next visit is cancelled")
        self.assertEqual(order.state, "done")
        self.assertIn("heat pump", plan.message_ids[0].body)
        # the work order box offers no cancel any more, the plan refuses a second one
        with self.assertRaises(UserError):
            plan.action_open_cancel_wizard()

    def test_cancel_from_overview(self):
        plans = self._plan() | self._plan(name="Other")
        wizard = (
            self.env["field.maintenance.plan.cancel"]
            .with_context(active_model="field.maintenance.plan", active_ids=plans.ids)
            .create({"reason": "Contract ended"})
        )
        self.assertEqual(wizard.plan_ids, plans)
        wizard.action_confirm()
        self.assertEqual(set(plans.mapped("state")), {"cancelled"})
        plans[0].action_reactivate()
        self.assertEqual(plans[0].state, "active")
        self.assertFalse(plans[0].cancel_reason)
        self.assertFalse(plans[0].cancel_date)

    def test_cancel_requires_reason(self):
        plan = self._plan()
        with self.assertRaises(UserError):
            plan._cancel("  ")
        self.assertEqual(plan.state, "active")

    def test_cancel_cancels_the_draft_of_the_next_visit(self):
        plan = self._plan(fixed_time=True, visit_time=9.5, user_id=self.technician.id)
        draft = self.env["field.work.order"].create(
            {
                "maintenance_plan_id": plan.id,
                "planned_date_start": plan._visit_datetime(plan.next_date),
            }
        )
        planned = self._order_in_state("planned", maintenance_plan_id=plan.id)
        plan._cancel("Customer moved")
        self.assertEqual(draft.state, "cancelled")
        self.assertEqual(planned.state, "planned", "planned visits are left to the dispatcher")

    def test_defaults_from_settings_and_time_zone(self):
        self.company.fm_reminder_days = 45
        plan = self.Plan.create(
            {"name": "Yearly", "partner_id": self.customer.id, "interval_number": 1}
        )
        self.assertEqual(plan.reminder_days, 45)
        self.assertEqual(plan.next_date, add_interval(fields.Date.context_today(plan), 1, "year"))
        self.assertEqual(plan._get_tz(), "Europe/Brussels")
        self.company.partner_id.tz = False
        self.technician.tz = "Europe/Amsterdam"
        plan.user_id = self.technician
        self.assertEqual(plan._get_tz(), "Europe/Amsterdam", "else the responsible's")

    def test_write_cancelled_state_sets_date(self):
        plan = self._plan()
        plan.state = "cancelled"
        self.assertEqual(plan.cancel_date, fields.Date.context_today(plan))

    # ------------------------------------------------------------------
    # Equipment and customers
    # ------------------------------------------------------------------

    def test_equipment_and_customer_show_plans(self):
        plan = self._plan()
        self._plan(name="Cancelled one", next_date=date(2026, 6, 1))._cancel("Replaced")
        self._plan(name="Quarterly check", interval_unit="month", next_date=date(2027, 1, 10))
        self.assertEqual(len(self.equipment.maintenance_plan_ids), 3)
        self.assertEqual(self.equipment.next_maintenance_date, date(2027, 1, 10))
        self.assertEqual(self.customer.fm_maintenance_plan_count, 2)
        self.assertEqual(self.customer.fm_next_maintenance_date, date(2027, 1, 10))
        self.assertEqual(self.site.fm_maintenance_plan_count, 2, "counted for the whole customer")
        action = self.customer.action_view_fm_maintenance_plans()
        self.assertIn(plan, self.Plan.search(action["domain"]))
        action = self.equipment.action_view_maintenance_plans()
        self.assertIn(plan, self.Plan.search(action["domain"]))

    def test_overview_filters(self):
        with freeze_time("2027-03-10"):
            due = self._plan(next_date=date(2027, 3, 20))
            overdue = self._plan(next_date=date(2027, 2, 1))
            later = self._plan(next_date=date(2027, 6, 1))
            plans = due | overdue | later
            self.assertEqual(plans.filtered_domain([("is_overdue", "=", True)]), overdue)
            self.assertEqual(
                self.Plan.search([("id", "in", plans.ids), ("is_overdue", "=", True)]), overdue
            )
            self.assertEqual(
                self.Plan.search([("id", "in", plans.ids), ("is_overdue", "=", False)]),
                due | later,
            )


@tagged("post_install", "-at_install")
class TestMaintenancePlanAccess(MaintenancePlanCase):
    def test_technicians_read_plans_of_their_work_orders(self):
        own = self._plan(name="Own plan")
        foreign = self._plan(name="Foreign plan")
        unlinked = self._plan(name="No visit yet")
        self.env["field.work.order"].create(
            {
                "maintenance_plan_id": own.id,
                "planned_date_start": datetime(2027, 3, 10, 8, 0),
                "technician_ids": [Command.set(self.technician.ids)],
            }
        )
        self.env["field.work.order"].create(
            {
                "maintenance_plan_id": foreign.id,
                "technician_ids": [Command.set(self.technician_2.ids)],
            }
        )
        Plan = self.Plan.with_user(self.technician)
        plans = own | foreign | unlinked
        self.assertEqual(Plan.search([("id", "in", plans.ids)]), own)
        self.assertEqual(own.with_user(self.technician).line_ids.mapped("quantity"), [2.0, 1.0])
        with self.assertRaises(AccessError):
            foreign.with_user(self.technician).read(["name"])
        with self.assertRaises(AccessError):
            foreign.line_ids.with_user(self.technician).read(["name"])
        with self.assertRaises(AccessError):
            own.with_user(self.technician).write({"interval_number": 2})
        with self.assertRaises(AccessError):
            Plan.create({"name": "Nope", "partner_id": self.customer.id})
        with self.assertRaises(AccessError):
            own.with_user(self.technician).action_schedule()

    def test_dispatcher_manages_plans(self):
        Plan = self.Plan.with_user(self.dispatcher)
        plan = Plan.create(
            {"name": "Yearly", "partner_id": self.customer.id, "next_date": date(2027, 1, 1)}
        )
        plan.write({"interval_number": 2})
        self.assertEqual(plan.interval_label, "Every 2 years")
        plan.action_schedule()
        plan._cancel("Replaced")
        self.assertEqual(plan.state, "cancelled")

    def test_multi_company(self):
        company_b, dispatcher_b, customer_b = self._company_b()
        plan_b = self.Plan.with_company(company_b).create(
            {"name": "Cold room", "partner_id": customer_b.id, "next_date": date(2027, 1, 1)}
        )
        self.assertEqual(plan_b.company_id, company_b)
        self.assertFalse(self.Plan.with_user(self.dispatcher).search([("id", "=", plan_b.id)]))
        self.assertEqual(self.Plan.with_user(dispatcher_b).search([("id", "=", plan_b.id)]), plan_b)
