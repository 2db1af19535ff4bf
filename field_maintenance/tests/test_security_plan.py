"""Security issue 12, plan side: bounds of the numbers of plans, their lines and the
cancel wizard (11), products of plan lines (12a), archived responsible (12b), plans
advanced by visits of another customer (8) and invoicing by automation rules (12c)."""

from contextlib import contextmanager
from datetime import date

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from .common import BILLING, DISPATCHER, FieldInvoicingCase
from .test_automation_common import AutomationMixin
from .test_maintenance_plan import MaintenancePlanCase


class RefusalMixin:
    @contextmanager
    def assertRefused(self, exception, text):
        """``assertRaises`` (which rolls back to a savepoint) and the message says ``text``."""
        with self.assertRaises(exception) as catcher:
            yield catcher
        self.assertIn(text, str(catcher.exception))


def bodies(records):
    """The bodies of the messages of ``records``, as one text."""
    return "\n".join(str(body) for body in records.message_ids.mapped("body"))


@tagged("post_install", "-at_install")
class TestSecurityPlan(RefusalMixin, MaintenancePlanCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.DispatcherPlan = cls.Plan.with_user(cls.dispatcher)

    def _snapshot(self, plan):
        plan.invalidate_recordset()
        return plan.read(
            [
                "interval_number",
                "interval_unit",
                "reminder_days",
                "auto_create_days",
                "visit_time",
                "anchor_day",
                "next_date",
                "reminder_date",
                "auto_create_date",
            ]
        )[0]

    # ------------------------------------------------------------------
    # 11. Bounds of the numbers
    # ------------------------------------------------------------------

    def test_interval_bounds(self):
        plan = self._plan().with_user(self.dispatcher)
        before = self._snapshot(plan)
        for unit, limit in (("day", 3650), ("week", 520), ("month", 120), ("year", 10)):
            for number in (limit + 1, 10**9, 0, -1):
                with (
                    self.subTest(unit=unit, number=number),
                    self.assertRefused(ValidationError, f"from 1 to {limit} "),
                ):
                    plan.write({"interval_number": number, "interval_unit": unit})
        # the unit alone: 10 months is fine, 10 weeks too, but not 10 of a wrong unit
        plan.write({"interval_number": 100, "interval_unit": "month"})
        with self.assertRefused(ValidationError, "from 1 to 10 years"):
            plan.write({"interval_unit": "year"})
        with self.assertRefused(ValidationError, "from 1 to 120 months"):
            plan.write({"interval_number": 121})
        self.assertEqual((plan.interval_number, plan.interval_unit), (100, "month"))
        plan.write({"interval_number": 1, "interval_unit": "year"})
        self.assertEqual(self._snapshot(plan), before, "nothing changed")
        # the largest interval of each unit is accepted
        for unit, limit in (("day", 3650), ("week", 520), ("month", 120), ("year", 10)):
            new = self.DispatcherPlan.create(
                {
                    "name": f"Every {limit} {unit}",
                    "partner_id": self.customer.id,
                    "interval_number": limit,
                    "interval_unit": unit,
                }
            )
            self.assertTrue(new.next_date)

    def test_huge_numbers_at_creation(self):
        count = self.Plan.search_count([])
        for vals in (
            {"interval_number": 10**9, "interval_unit": "day"},
            {"interval_number": 5000, "interval_unit": "year"},
            {"reminder_days": 10**7},
            {"auto_create_days": 10**7},
            {"reminder_days": 366},
            {"auto_create_days": -1},
            {"visit_time": float("nan")},
            {"visit_time": 24.0},
            {"anchor_day": -1},
            {"anchor_day": 32},
            {"next_date": date(1, 1, 1)},
            {"next_date": date(9999, 12, 31)},
        ):
            with self.subTest(vals=vals), self.assertRaises(ValidationError):
                self.DispatcherPlan.create(
                    {"name": "Bad", "partner_id": self.customer.id, "interval_number": 1, **vals}
                )
        self.assertEqual(self.Plan.search_count([]), count, "nothing created")
        # the largest lead times are accepted
        plan = self.DispatcherPlan.create(
            {
                "name": "Long lead",
                "partner_id": self.customer.id,
                "next_date": date(2027, 3, 15),
                "reminder_days": 365,
                "auto_create_days": 365,
            }
        )
        self.assertEqual(plan.reminder_date, date(2026, 3, 15))
        self.assertEqual(plan.auto_create_date, date(2026, 3, 15))

    def test_huge_numbers_on_write(self):
        plan = self._plan(auto_create_days=14).with_user(self.dispatcher)
        before = self._snapshot(plan)
        for vals in (
            {"reminder_days": 10**7},
            {"reminder_days": 10**12},
            {"reminder_days": -1},
            {"auto_create_days": 10**7},
            {"auto_create_days": 366},
            {"visit_time": -0.5},
            {"visit_time": float("inf")},
            {"anchor_day": 40},
            {"next_date": date(1, 1, 1)},
            {"next_date": "9999-12-31"},
        ):
            with self.subTest(vals=vals), self.assertRaises(ValidationError):
                plan.write(vals)
        self.assertEqual(self._snapshot(plan), before, "nothing changed")
        plan.write({"reminder_days": 0, "auto_create_days": 365})
        self.assertEqual(plan.reminder_date, date(2027, 3, 15))
        self.assertEqual(plan.auto_create_date, date(2026, 3, 15))

    @mute_logger("odoo.tests.form.onchange")
    def test_form_never_overflows(self):
        """In the form the computes of the dates run before the constraints: they must
        not overflow, and saving says what is wrong."""
        form = Form(self.DispatcherPlan)
        form.name = "Typo"
        form.partner_id = self.customer
        form.interval_unit = "day"
        form.interval_number = 10**9
        form.reminder_days = 10**7
        form.auto_create_days = 10**7
        with self.assertRefused(ValidationError, "from 1 to 3650 days"):
            form.save()
        form.interval_number = 3650
        form.reminder_days = 30
        form.auto_create_days = 0
        plan = form.save()
        self.assertEqual(plan.interval_number, 3650)
        # an existing plan in the form
        with Form(plan) as form:
            form.reminder_days = 10**7
            with self.assertRefused(ValidationError, "from 0 to 365 days"):
                form.save()
            form.reminder_days = 365

    def test_plan_line_quantity(self):
        plan = self._plan().with_user(self.dispatcher)
        line = plan.line_ids[0]
        for quantity in (-1.0, 1_000_001.0, 1e300, float("inf"), float("nan")):
            with self.subTest(quantity=quantity):
                with self.assertRefused(ValidationError, "from 0 to 1000000"):
                    line.write({"quantity": quantity})
                with self.assertRaises(ValidationError):
                    plan.write({"line_ids": [Command.create({"name": "x", "quantity": quantity})]})
        self.assertEqual(line.quantity, 2.0, "nothing changed")
        self.assertEqual(len(plan.line_ids), 2)
        line.write({"quantity": 1_000_000.0})
        plan.write({"line_ids": [Command.create({"name": "Free check", "quantity": 0.0})]})
        self.assertEqual(len(plan.line_ids), 3)

    def test_cancel_wizard_needs_a_reason(self):
        plan = self._plan()
        Wizard = self.env["field.maintenance.plan.cancel"].with_user(self.dispatcher)
        with self.assertRaises(ValidationError):
            Wizard.create({"plan_ids": [Command.set(plan.ids)], "reason": "   \n "})
        self.assertEqual(plan.state, "active")
        Wizard.create(
            {"plan_ids": [Command.set(plan.ids)], "reason": "Installation replaced"}
        ).action_confirm()
        self.assertEqual(plan.state, "cancelled")

    # ------------------------------------------------------------------
    # 12a. Products of plan lines
    # ------------------------------------------------------------------

    def test_product_of_plan_line_cannot_be_deleted(self):
        product = self.env["product.product"].create({"name": "Nozzle", "type": "consu"})
        plan = self._plan(name="Nozzle plan", line_ids=[Command.create({"product_id": product.id})])
        product_manager = self._user(
            "fm_product_manager", "base.group_user,product.group_product_manager", "Paul Products"
        )
        # the product manager cannot read maintenance plans: they are counted, not named
        with self.assertRefused(UserError, "Nozzle, used by maintenance plans 1 more"):
            product.with_user(product_manager).unlink()
        with self.assertRefused(UserError, "used by maintenance plans Nozzle plan"):
            product.unlink()
        with self.assertRefused(UserError, "Nozzle plan"):
            product.product_tmpl_id.unlink()
        self.assertTrue(product.exists())
        self.assertEqual(plan.line_ids.product_id, product, "the line keeps its product")
        # archiving works, and the archived product stays on the plan
        product.with_user(product_manager).action_archive()
        self.assertFalse(product.active)
        self.assertEqual(plan.line_ids.product_id, product)
        with self.assertRefused(UserError, "Nozzle plan"):
            product.unlink()
        # a product on no plan can be deleted
        unused = self.env["product.product"].create({"name": "Unused", "type": "consu"})
        unused.with_user(product_manager).unlink()
        self.assertFalse(unused.exists())
        # once removed from the plan, the product can be deleted
        plan.line_ids.unlink()
        product.unlink()
        self.assertFalse(product.exists())

    # ------------------------------------------------------------------
    # 12b. Archived responsible
    # ------------------------------------------------------------------

    def _auto_plan(self, **vals):
        return self._plan(auto_create_days=14, **vals)

    def test_archived_responsible_falls_back_to_origin_technician(self):
        origin = self._origin_order()
        self.assertEqual(origin.user_id, self.technician)
        plan = self._auto_plan(origin_work_order_id=origin.id, user_id=self.technician_2.id)
        self.technician_2.action_archive()
        self.assertTrue(plan.responsible_unavailable)
        order = plan._generate_work_orders()
        self.assertEqual(order.technician_ids, self.technician)
        for record in (plan, order):
            self.assertIn(
                "is assigned to Tom Technician",
                bodies(record),
                "said on the plan and on the work order",
            )
        # scheduling by hand proposes the same technician
        self.assertEqual(
            plan._prepare_work_order_defaults()["default_technician_ids"], self.technician.ids
        )

    def test_archived_responsible_without_fallback(self):
        plan = self._auto_plan(user_id=self.technician_2.id)
        self.technician_2.action_archive()
        order = plan._generate_work_orders()
        self.assertFalse(order.technician_ids)
        for record in (plan, order):
            self.assertIn("has no technician", bodies(record))
        self.assertNotIn("default_technician_ids", plan._prepare_work_order_defaults())

    def test_active_responsible_is_assigned(self):
        plan = self._auto_plan(user_id=self.technician_2.id)
        self.assertFalse(plan.responsible_unavailable)
        order = plan._generate_work_orders()
        self.assertEqual(order.technician_ids, self.technician_2)
        self.assertNotIn("archived", bodies(plan) + bodies(order))

    # ------------------------------------------------------------------
    # 8. A plan advances only from a visit at its own customer
    # ------------------------------------------------------------------

    @mute_logger("odoo.addons.field_maintenance.models.field_maintenance_plan_generation")
    def test_plan_does_not_advance_from_another_customer(self):
        plan = self._plan()
        foreign = self._order_in_state("done", partner_id=self.other_customer.id)
        foreign.maintenance_due_date = plan.next_date
        self.assertFalse(plan.sudo()._advance(foreign))
        self.assertEqual(plan.next_date, date(2027, 3, 15), "nothing changed")
        self.assertIn(
            f"Work order {foreign.name} is done but is for customer Café De Zon",
            bodies(plan),
        )
        # a visit at a contact of the plan's customer moves it
        contact = self.env["res.partner"].create({"name": "Jan", "parent_id": self.customer.id})
        own = self._order_in_state("done", partner_id=contact.id)
        own.maintenance_due_date = plan.next_date
        self.assertTrue(plan.sudo()._advance(own))
        self.assertEqual(plan.next_date, date(2028, 3, 15))

    def test_advance_never_leaves_the_bounds(self):
        """A visit whose next due date would be out of bounds does not stop the work
        order: the plan keeps its date and says so."""
        plan = self._plan(next_date=date(2999, 6, 1))
        order = self._order_in_state("done")
        order.maintenance_due_date = plan.next_date
        self.assertFalse(plan.sudo()._advance(order))
        self.assertEqual(plan.next_date, date(2999, 6, 1))
        self.assertIn("out of bounds: set the next due date by hand", bodies(plan))

    def test_plan_equipment_and_origin_of_its_customer(self):
        foreign_equipment = self.env["field.equipment"].create(
            {"name": "Coffee machine boiler", "partner_id": self.other_customer.id}
        )
        foreign_order = self._order_in_state("done", partner_id=self.other_customer.id)
        count = self.Plan.search_count([])
        with self.assertRefused(ValidationError, "Coffee machine boiler belongs to another"):
            self.DispatcherPlan.create(
                {
                    "name": "Foreign equipment",
                    "partner_id": self.customer.id,
                    "equipment_ids": [Command.set(foreign_equipment.ids)],
                }
            )
        with self.assertRefused(ValidationError, "of another customer cannot be its origin"):
            self.DispatcherPlan.create(
                {
                    "name": "Foreign origin",
                    "partner_id": self.customer.id,
                    "site_partner_id": self.customer.id,
                    "origin_work_order_id": foreign_order.id,
                }
            )
        self.assertEqual(self.Plan.search_count([]), count)
        self.assertFalse(foreign_order.maintenance_plan_id)
        plan = self._plan().with_user(self.dispatcher)
        with self.assertRaises(ValidationError):
            plan.write({"equipment_ids": [Command.link(foreign_equipment.id)]})
        self.assertEqual(plan.equipment_ids, self.equipment)
        # equipment and origin of the plan's own customer are fine
        own_order = self._order_in_state("done")
        own = self.DispatcherPlan.create(
            {
                "name": "Own",
                "partner_id": self.customer.id,
                "equipment_ids": [Command.set(self.equipment.ids)],
                "origin_work_order_id": own_order.id,
            }
        )
        self.assertEqual(own_order.maintenance_plan_id, own)


@tagged("post_install", "-at_install")
class TestSecurityPlanInvoicing(RefusalMixin, AutomationMixin, FieldInvoicingCase):
    """12c. The invoice action of automation rules creates invoices for the company,
    whatever the rights of the user who triggers the rule, and says so; run by hand,
    it needs the user's invoicing rights."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.billing_dispatcher = cls._user(
            "fm_sec_inv_billing", f"{DISPATCHER},{BILLING}", "Bea Billing"
        )

    def _started(self, **vals):
        """A work order of the technician, in progress."""
        order = self._order(technician_ids=[Command.set(self.technician.ids)], **vals)
        return self._advance(order, "in_progress")

    def _manual_action(self):
        return self.env["ir.actions.server"].create(
            {
                "name": "Invoice work orders",
                "model_id": self.env["ir.model"]._get_id("field.work.order"),
                "state": "fm_invoice",
            }
        )

    def _run_as(self, action, user, orders):
        return (
            action.with_user(user)
            .with_context(active_model=orders._name, active_ids=orders.ids, active_id=orders[0].id)
            .run()
        )

    def test_manual_run_needs_invoicing_rights(self):
        action = self._manual_action()
        order = self._started()
        order.action_done()
        with self.assertRefused(AccessError, "not allowed to create invoices"):
            self._run_as(action, self.dispatcher, order)
        self.assertFalse(order.invoice_ids, "no invoice created as superuser")
        self.assertEqual(order.invoice_status, "to_invoice")
        # a context that pretends a rule runs (what JSON-RPC can send) changes nothing
        action.base_automation_id = self._rule("wo_completed", [])
        for forged in ([self.dispatcher.id, True], {"uid": 1, "su": True}, "1"):
            with self.subTest(forged=forged):
                with self.assertRefused(AccessError, "not allowed to create invoices"):
                    self._run_as(
                        action.with_context(fm_rule_trigger=forged, fm_trigger_uid=1),
                        self.dispatcher,
                        order,
                    )
        self.assertFalse(order.invoice_ids, "no invoice created as superuser")
        # a dispatcher with invoicing rights invoices
        self._run_as(action, self.billing_dispatcher, order)
        self.assertEqual(len(order.invoice_ids), 1)
        self.assertEqual(order.invoice_ids.create_uid, self.billing_dispatcher)

    def test_rule_invoices_for_the_company_and_says_so(self):
        rule = self._rule("wo_completed", [{"state": "fm_invoice"}], name="Invoice when done")
        mine = self._started()
        other = self._started(partner=self.other_customer)
        mine.with_user(self.technician).action_done()
        other.action_done()
        invoice = mine.invoice_ids
        self.assertEqual(len(invoice), 1, "a technician cannot invoice, the rule can")
        self.assertIn(
            f"Created by automation rule {rule.name}, triggered by Tom Technician",
            bodies(invoice),
        )
        self.assertIn(
            f"Invoiced by automation rule {rule.name}, triggered by Tom Technician",
            bodies(mine),
        )
        self.assertIn(f'data-oe-id="{invoice.id}"', bodies(mine), "links the invoice")
        self.assertEqual(len(other.invoice_ids), 1)
        # the rule editor says so
        view = self.env.ref("field_maintenance.view_server_action_form_inherit_field_maintenance")
        self.assertIn("whatever the invoicing rights", view.arch)

    def test_rule_triggered_by_a_dispatcher(self):
        """The rule names whoever triggered it."""
        self._rule("wo_completed", [{"state": "fm_invoice"}])
        order = self._started()
        order.with_user(self.dispatcher).action_done()
        self.assertEqual(len(order.invoice_ids), 1, "the dispatcher may edit it")
        self.assertIn("triggered by Dirk Dispatcher", bodies(order))
