"""Periodic maintenance proposed on site and confirmed by the dispatcher; on hold with a
reason, the SLA clock stopped meanwhile, rules triggered by it; the technician's home
action (issue 15)."""

from datetime import datetime, timedelta

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import freeze_time, new_test_user, tagged

from .common import TECHNICIAN, FieldMaintenanceCase


@tagged("post_install", "-at_install")
class TestTechnicianPlanProposal(FieldMaintenanceCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.order = cls._order_in_state(
            "in_progress",
            equipment_ids=[
                Command.create({"name": "Boiler", "partner_id": cls.customer.id}),
            ],
            line_ids=[
                Command.create({"product_id": cls.material.id, "quantity": 2}),
                Command.create({"line_type": "other", "name": "Inspection", "quantity": 1}),
                Command.create({"line_type": "labour", "name": "Work", "quantity": 2}),
            ],
        )

    def _propose(self, user, **vals):
        Wizard = self.env["field.maintenance.plan.propose"].with_user(user)
        wizard = Wizard.with_context(default_work_order_id=self.order.id).create(
            {"interval_number": 1, "interval_unit": "year", **vals}
        )
        wizard.action_propose()
        return self.order.maintenance_plan_id

    def test_technician_proposes_dispatcher_confirms(self):
        defaults = (
            self.env["field.maintenance.plan.propose"]
            .with_user(self.technician)
            .with_context(default_work_order_id=self.order.id)
            .default_get(["name", "work_order_id", "interval_number"])
        )
        self.assertEqual(defaults["name"], "Yearly boiler service", "name from the summary")
        plan = self._propose(self.technician, name="Yearly boiler service")
        self.assertEqual(plan.state, "proposed")
        self.assertEqual(plan.proposed_by_id, self.technician)
        self.assertEqual(plan.origin_work_order_id, self.order)
        self.assertEqual(
            (plan.partner_id, plan.equipment_ids), (self.customer, self.order.equipment_ids)
        )
        self.assertEqual(
            sorted(plan.line_ids.mapped("name")),
            sorted([self.material.display_name, "Inspection"]),
            "materials and other lines copied, not the labour",
        )
        self.assertEqual(plan.with_user(self.technician).name, "Yearly boiler service")
        # the technician cannot confirm nor edit the plan
        with self.assertRaises(AccessError):
            plan.with_user(self.technician).action_confirm_proposal()
        with self.assertRaises(AccessError):
            plan.with_user(self.technician).write({"state": "active"})
        self.assertFalse(plan.is_overdue)
        # positive control: the dispatcher confirms
        plan.with_user(self.dispatcher).action_confirm_proposal()
        self.assertEqual(plan.state, "active")
        with self.assertRaises(UserError):
            plan.with_user(self.dispatcher).action_confirm_proposal()

    def test_proposal_refusals(self):
        with self.assertRaises(AccessError):
            self._propose(self.technician_2, name="Not my job")
        with self.assertRaises(UserError):
            self._propose(self.technician, name="   ")
        with self.assertRaises(AccessError):
            self.env["field.maintenance.plan"].with_user(self.technician).create(
                {"name": "Direct", "partner_id": self.customer.id}
            )
        self.assertFalse(self.order.maintenance_plan_id)
        self._propose(self.technician, name="Yearly")
        with self.assertRaisesRegex(UserError, "already belongs"):
            self._propose(self.technician, name="Twice")

    def test_origin_plan_of_the_office_still_copies_materials_only(self):
        plan = self.env["field.maintenance.plan"].create(
            {"name": "Office", "origin_work_order_id": self.order.id}
        )
        self.assertEqual(plan.state, "active")
        self.assertEqual(plan.line_ids.product_id, self.material)


@tagged("post_install", "-at_install")
class TestTechnicianOnHold(FieldMaintenanceCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.policy = cls.env["field.sla.policy"].create(
            {
                "name": "Breakdown",
                "work_type_ids": [Command.set(cls.work_type.ids)],
                "response_time": 4.0,
                "resolution_time": 8.0,
            }
        )
        cls.received = datetime(2026, 3, 2, 8, 0)

    def _order(self):
        with freeze_time(self.received):
            order = self._order_in_state("in_progress", sla_start_date=self.received)
            order.with_user(self.technician).action_timer_work()
            # the end of the request: the response time is recorded now, not when read
            self.env.flush_all()
        return order

    def _hold(self, order, user):
        action = order.with_user(user).action_hold()
        wizard = (
            self.env["field.work.order.hold"]
            .with_user(user)
            .with_context(**action["context"])
            .create({"reason": "parts", "note": "Pump ordered"})
        )
        wizard.action_confirm()

    def test_on_hold_stops_the_sla_clock(self):
        order = self._order()
        deadline = self.policy._plan(self.received, 8.0)
        self.assertEqual(order.sla_resolution_deadline, deadline)
        with freeze_time(self.received + timedelta(hours=2)):
            self._hold(order, self.technician)
        self.assertEqual(order.state, "on_hold")
        self.assertEqual((order.hold_reason, order.hold_note), ("parts", "Pump ordered"))
        self.assertFalse(order.time_ids.filtered("is_running"), "the timers stop")
        # waiting past the deadline: paused, not breached
        with freeze_time(self.received + timedelta(hours=20)):
            order.invalidate_recordset(["sla_status"])
            self.assertEqual(order.sla_status, "paused")
            WorkOrder = self.env["field.work.order"]
            self.assertIn(order, WorkOrder.search([("sla_status", "=", "paused")]))
            self.assertNotIn(order, WorkOrder.search([("sla_status", "=", "breached")]))
            order.with_user(self.technician).action_resume()
        self.assertEqual(order.state, "in_progress")
        held = self.env["field.sla.policy"]._work_hours_batch(
            self.policy.resource_calendar_id,
            [(self.received + timedelta(hours=2), self.received + timedelta(hours=20))],
        )[0]
        self.assertGreater(held, 0.0)
        self.assertEqual(order.sla_hold_hours, held, "working hours on hold")
        self.assertEqual(order.sla_resolution_deadline, self.policy._plan(deadline, held))
        self.assertGreater(order.sla_resolution_deadline, deadline)
        self.assertEqual(order.with_user(self.technician).my_timer, "work", "timer resumes")
        with freeze_time(deadline + timedelta(minutes=30)):
            order.invalidate_recordset(["sla_status"])
            self.assertEqual(order.sla_status, "on_track", "the old deadline passed: moved")

    def test_hold_refusals(self):
        order = self._order()
        with self.assertRaises(AccessError):
            self._hold(order, self.technician_2)
        with self.assertRaises(AccessError):
            order.with_user(self.technician).write({"hold_reason": "other"})
        with self.assertRaises(AccessError):
            order.with_user(self.technician).write({"state": "on_hold"})
        with self.assertRaises(UserError):
            order._hold("because")
        done = self._order_in_state("done")
        with self.assertRaises(UserError):
            done._hold("parts")
        with self.assertRaises(UserError):
            order.action_resume()
        self.assertEqual(order.state, "in_progress")
        # positive control: the dispatcher drags the card to On Hold, then to In Progress
        order.with_user(self.dispatcher).write({"state": "on_hold"})
        self.assertEqual((order.state, order.hold_reason), ("on_hold", "other"))
        order.with_user(self.dispatcher).write({"state": "in_progress"})
        self.assertEqual(order.state, "in_progress")

    def test_rules_trigger_on_hold(self):
        rule = self.env["base.automation"].create({"name": "On hold", "fm_trigger": "wo_on_hold"})
        self.assertEqual(rule.trigger_field_ids.mapped("name"), ["state"])
        self.assertEqual(rule.filter_domain, "[('state', '=', 'on_hold')]")
        action = self.env["ir.actions.server"].create(
            {
                "name": "Note",
                "model_id": rule.model_id.id,
                "state": "object_write",
                "update_path": "comment",
                "value": "Waiting",
                "base_automation_id": rule.id,
            }
        )
        self.assertTrue(action)
        order = self._order()
        self._hold(order, self.technician)
        self.assertEqual(order.comment, "Waiting")
        sla_rule = self.env["base.automation"].create(
            {"name": "SLA", "fm_trigger": "wo_sla_resolution"}
        )
        self.assertIn("on_hold", sla_rule.filter_domain, "no SLA rule fires while on hold")


@tagged("post_install", "-at_install")
class TestTechnicianHome(FieldMaintenanceCase):
    def test_technicians_land_on_my_work(self):
        my_work = self.env.ref("field_maintenance.action_field_work_order_my")
        self.assertEqual(self.technician.action_id.id, my_work.id)
        self.assertFalse(self.dispatcher.action_id, "the office keeps its home")
        user = new_test_user(self.env, login="fm_new_employee", groups="base.group_user")
        self.assertFalse(user.action_id)
        user.group_ids += self.env.ref(TECHNICIAN)
        self.assertEqual(user.action_id.id, my_work.id)
        # a home chosen by the administrator stays
        chosen = self.env.ref("field_maintenance.action_field_work_order_calendar")
        other = new_test_user(self.env, login="fm_chosen", groups="base.group_user")
        other.action_id = chosen.id
        other.group_ids += self.env.ref(TECHNICIAN)
        self.assertEqual(other.action_id.id, chosen.id)
