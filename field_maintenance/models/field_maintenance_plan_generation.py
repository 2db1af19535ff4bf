import logging
from datetime import datetime, time, timedelta

from markupsafe import Markup
from psycopg2 import errors as pg_errors

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain

from ..tools import (
    call_with_fallback,
    due_date_in_bounds,
    interval_in_bounds,
    lead_days_in_bounds,
    local_date,
    local_to_utc,
)
from .field_work_order import WORK_ORDER_STATES

_logger = logging.getLogger(__name__)


class FieldMaintenancePlan(models.Model):
    """The visits of periodic maintenance: the work order of the current due date,
    scheduled by hand from the calendar (action_schedule) or created as a draft a number
    of days ahead by a cron, thousands at once (_generate_work_orders); a visit done
    moves the plan's next due date (_advance)."""

    _inherit = "field.maintenance.plan"  # pylint: disable=consider-merging-classes-inherited

    fixed_time = fields.Boolean(
        string="Fixed Visit Time",
        help="Work orders created automatically are planned on the due date at this time "
        "(local time of the company), with the responsible as technician.",
    )
    visit_time = fields.Float(default=8.0)
    auto_create_days = fields.Integer(
        string="Create Work Order",
        default=0,
        help="Days before the due date a draft work order is created automatically; "
        "0 to schedule the visits manually.",
    )
    auto_create_date = fields.Date(compute="_compute_auto_create", store=True)
    auto_create_pending = fields.Boolean(compute="_compute_auto_create", store=True, index=True)
    generated_for = fields.Date(
        readonly=True,
        copy=False,
        help="Due date of the last work order created automatically.",
    )
    open_visit_id = fields.Many2one(
        "field.work.order",
        compute="_compute_open_visit_id",
        help="The visit of this plan that is scheduled and not done yet.",
    )
    # computed with the visit (not related: Odoo cannot search the computed visit to know
    # which plans to recompute when a work order changes)
    open_visit_date = fields.Datetime(compute="_compute_open_visit_id", string="Visit Planned On")
    open_visit_state = fields.Selection(
        WORK_ORDER_STATES, compute="_compute_open_visit_id", string="Visit Status"
    )

    @api.depends("next_date", "auto_create_days", "generated_for", "state")
    def _compute_auto_create(self):
        for plan in self:
            # out of bounds (refused by _check_plan): nothing to create rather than an
            # overflow
            if (
                due_date_in_bounds(plan.next_date)
                and lead_days_in_bounds(plan.auto_create_days)
                and plan.auto_create_days > 0
            ):
                plan.auto_create_date = plan.next_date - timedelta(days=plan.auto_create_days)
                plan.auto_create_pending = (
                    plan.state == "active" and plan.generated_for != plan.next_date
                )
            else:
                plan.auto_create_date = False
                plan.auto_create_pending = False

    def _visit_datetime(self, day):
        """Planned start (naive UTC) of a visit on ``day`` at the plan's visit time."""
        self.ensure_one()
        return local_to_utc(day, self.visit_time or 0.0, self._get_tz())

    def _open_work_orders_of_due_date(self):
        """Work orders, not cancelled, of the current due date of the plan."""
        self.ensure_one()
        return (
            self.env["field.work.order"]
            .with_context(active_test=False)
            .search(
                [
                    ("maintenance_plan_id", "=", self.id),
                    ("maintenance_due_date", "=", self.next_date),
                    ("state", "!=", "cancelled"),
                ],
                limit=1,
            )
        )

    def _prepare_work_order_defaults(self):
        """Context defaults of a work order scheduled from the plan."""
        self.ensure_one()
        defaults = {
            "default_partner_id": self.partner_id.id,
            "default_site_partner_id": self.site_partner_id.id,
            "default_equipment_ids": self.equipment_ids.ids,
            "default_work_type_id": self.work_type_id.id,
            "default_summary": self.name,
            "default_company_id": self.company_id.id,
            "default_maintenance_plan_id": self.id,
            "default_maintenance_due_date": fields.Date.to_string(self.next_date),
        }
        if self.description:
            defaults["default_description"] = self.description
        technicians = self._visit_technicians()[0]
        if technicians:
            defaults["default_technician_ids"] = technicians.ids
        return defaults

    def _visit_technicians(self):
        """Technicians of the plan's visits: its responsible; when the responsible can no
        longer do them (archived, left the company), the lead technician of the origin
        work order if they can, else nobody.

        :return: (res.users, translated note saying what replaced the responsible, or
            False when the responsible is assigned or there is none)
        """
        self.ensure_one()
        responsible = self.user_id
        if not responsible or self._can_do_visits(responsible):
            return responsible, False
        fallback = self.origin_work_order_id.user_id
        names = {
            "responsible": responsible.name,
            "plan": self.name,
            "company": self.company_id.name,
            "date": self._format_date(self.next_date),
        }
        if self._can_do_visits(fallback):
            return fallback, self.env._(
                "%(responsible)s, responsible of maintenance plan %(plan)s, is archived or "
                "no longer works for %(company)s: the visit due on %(date)s is assigned to "
                "%(technician)s, the technician of the origin work order. Choose another "
                "responsible for the plan.",
                **names,
                technician=fallback.name,
            )
        return fallback.browse(), self.env._(
            "%(responsible)s, responsible of maintenance plan %(plan)s, is archived or no "
            "longer works for %(company)s: the visit due on %(date)s has no technician. "
            "Assign one, and choose another responsible for the plan.",
            **names,
        )

    def action_schedule(self):
        """Open the work-order calendar on the due date; a slot picked there makes a new
        work order prefilled from the plan, its template lines copied, linked to the plan."""
        self.ensure_one()
        self.check_access("write")
        if self.state == "cancelled":
            raise UserError(
                self.env._(
                    "Maintenance plan %s is cancelled: its visits can no longer be scheduled.",
                    self.name,
                )
            )
        existing = self._open_work_orders_of_due_date()
        if existing:
            raise UserError(
                self.env._(
                    "The visit of maintenance plan %(plan)s due on %(date)s already has work "
                    "order %(order)s; plan that work order instead.",
                    plan=self.name,
                    date=self._format_date(self.next_date),
                    order=existing.name,
                )
            )
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "field_maintenance.action_field_work_order_calendar"
        )
        # the calendar's title says which plan is being scheduled, for whom and when
        action["name"] = self.env._(
            "Schedule %(plan)s (%(customer)s, due %(date)s)",
            plan=self.name,
            customer=self.partner_id.display_name,
            date=self._format_date(self.next_date),
        )
        action["context"] = {
            **self._prepare_work_order_defaults(),
            # the slot picked makes a planned visit, not a draft needing another click
            "fm_plan_on_create": True,
            "fm_scheduling_plan_id": self.id,
            # the calendar opens on the due date (noon UTC: the same day in any time zone)
            "initial_date": fields.Datetime.to_string(
                datetime.combine(max(self.next_date, fields.Date.today()), time(12))
            ),
        }
        return action

    def _compute_open_visit_id(self):
        """The open visit (work order neither done nor cancelled) of each plan, the
        first planned one first; one search for all the plans."""
        self.open_visit_id = False
        self.open_visit_date = False
        self.open_visit_state = False
        plans = self.filtered("id")
        if not plans:
            return
        # the three columns read below, not every column of the wide work-order table
        orders = self.env["field.work.order"].search_fetch(
            [
                ("maintenance_plan_id", "in", plans.ids),
                ("state", "not in", ["done", "cancelled"]),
            ],
            ["maintenance_plan_id", "planned_date_start", "state"],
            order="planned_date_start, id",
        )
        for order in orders:
            plan = order.maintenance_plan_id
            if not plan.open_visit_id:
                plan.open_visit_id = order
                plan.open_visit_date = order.planned_date_start
                plan.open_visit_state = order.state

    def action_open_visit(self):
        """Open the visit already made for the plan (instead of scheduling another)."""
        self.ensure_one()
        visit = self.open_visit_id
        if not visit:
            return self.action_schedule()
        return {
            "type": "ir.actions.act_window",
            "res_model": "field.work.order",
            "res_id": visit.id,
            "view_mode": "form",
            "views": [(False, "form")],
        }

    @api.onchange("equipment_ids")
    def _onchange_equipment_active_plan(self):
        """Warn, without refusing, when the equipment already has an active plan: two
        plans would send two reminders and make two visits."""
        if not self.equipment_ids:
            return None
        domain = [
            ("equipment_ids", "in", self.equipment_ids.ids),
            ("state", "=", "active"),
        ]
        if self._origin.id:
            domain.append(("id", "!=", self._origin.id))
        others = self.search(domain, limit=3)
        if not others:
            return None
        return {
            "warning": {
                "title": self.env._("Equipment already maintained"),
                "message": self.env._(
                    "This equipment already has active periodic maintenance: %(plans)s. "
                    "A second plan means a second reminder and visit; check that it is "
                    "not a duplicate.",
                    plans=", ".join(others.mapped("display_name")),
                ),
                "type": "notification",
            }
        }

    # ------------------------------------------------------------------
    # A visit is done: the next due date
    # ------------------------------------------------------------------

    def _advance(self, order):
        """A visit of the plan is done: move the due date one interval further, counted
        from the visit's due date or from its completion date."""
        self.ensure_one()
        due = order.maintenance_due_date
        if self.state != "active" or not due or due < self.next_date:
            return False
        if order.partner_id.commercial_partner_id != self.commercial_partner_id:
            # only a visit at the plan's own customer moves it
            _logger.warning(
                "Work order %s of another customer did not advance maintenance plan %s",
                order.id,
                self.id,
            )
            self._message_log(
                body=self.env._(
                    "Work order %(order)s is done but is for customer %(customer)s, not for "
                    "the customer of this plan: the next due date did not change.",
                    order=order.name,
                    customer=order.partner_id.display_name,
                )
            )
            return False
        if self.next_date_base == "completion_date" and order.date_end:
            base = local_date(order.date_end, self._get_tz())
            anchor_day = base.day
        else:
            base = due
            anchor_day = self.anchor_day or due.day
        next_date = False
        if due_date_in_bounds(base) and interval_in_bounds(
            self.interval_number, self.interval_unit
        ):
            next_date = self._next_due_date(base, anchor_day=anchor_day)
        if not due_date_in_bounds(next_date):
            # a due date out of bounds (see _check_plan) must not stop the work order
            self._message_log(
                body=self.env._(
                    "Work order %(order)s is done but the next due date after %(date)s is "
                    "out of bounds: set the next due date by hand.",
                    order=order.name,
                    date=self._format_date(base),
                )
            )
            return False
        self.write({"next_date": next_date, "anchor_day": anchor_day})
        self._message_log(
            body=self.env._(
                "Work order %(order)s done: next maintenance due on %(date)s.",
                order=order.name,
                date=self._format_date(next_date),
            )
        )
        return True

    # ------------------------------------------------------------------
    # Generation: the draft work orders of the due dates, in batch
    # ------------------------------------------------------------------

    def _prepare_work_order_line_commands(self):
        self.ensure_one()
        return [Command.create(line._prepare_work_order_line_vals()) for line in self.line_ids]

    def _prepare_visit_line_vals(self):
        """Values of the work-order lines of the plans' current visits, ``{plan id: [values]}``:
        the template lines with their unit price from the customer's price agreements at
        the visit, priced for all the plans at once. Given every editable precomputed field
        of the line (description, unit, price), the ORM creates the lines without drafting
        each one to compute them (see field.work.order.line)."""
        Line = self.env["field.work.order.line"]
        now = fields.Datetime.now()
        result = {}
        requests, priced = [], []
        for plan in self:
            company = plan.company_id or self.env.company
            # the price date of the draft work order (_price_date): its planned start
            price_date = plan._visit_datetime(plan.next_date) if plan.fixed_time else now
            result[plan.id] = vals_list = []
            for line in plan.line_ids:
                vals = line._prepare_work_order_line_vals()
                vals.update(price_unit=0.0, discount=0.0)
                if line.product_id:
                    requests.append(
                        (
                            company,
                            plan.partner_id,
                            price_date,
                            line.product_id,
                            line.quantity,
                            line.product_uom_id,
                        )
                    )
                    priced.append(vals)
                vals_list.append(vals)
        for vals, price in zip(priced, Line._prices(requests), strict=True):
            vals["price_unit"] = price
        return result

    def _prepare_work_order_vals(self, line_vals_list=None):
        """Values of the draft work order of the plan's current due date; its lines are
        made from ``line_vals_list`` if given, else from the template lines."""
        self.ensure_one()
        vals = {
            "partner_id": self.partner_id.id,
            "site_partner_id": self.site_partner_id.id,
            "work_type_id": self.work_type_id.id,
            "summary": self.name,
            "company_id": self.company_id.id,
            "maintenance_plan_id": self.id,
            "maintenance_due_date": self.next_date,
            "line_ids": (
                [Command.create(dict(line_vals)) for line_vals in line_vals_list]
                if line_vals_list is not None
                else self._prepare_work_order_line_commands()
            ),
        }
        if self.equipment_ids:
            vals["equipment_ids"] = [Command.set(self.equipment_ids.ids)]
        if self.description:
            vals["description"] = self.description
        technicians = self._visit_technicians()[0]
        if technicians:
            vals["technician_ids"] = [Command.set(technicians.ids)]
        if self.fixed_time:
            vals["planned_date_start"] = self._visit_datetime(self.next_date)
        return vals

    def _existing_visit_plan_ids(self):
        """Ids of the plans in self that already have a work order (in any state) for
        their current due date."""
        if not self:
            return set()
        groups = (
            self.env["field.work.order"]
            .with_context(active_test=False)
            ._read_group(
                [
                    ("maintenance_plan_id", "in", self.ids),
                    ("maintenance_due_date", "!=", False),
                ],
                ["maintenance_plan_id", "maintenance_due_date:day"],
            )
        )
        taken = {(plan.id, fields.Date.to_date(day)) for plan, day in groups}
        return {plan.id for plan in self if (plan.id, plan.next_date) in taken}

    @api.model
    def _next_work_order_names(self, company, count):
        """``count`` work-order references drawn with one query (standard sequences), as
        ``next_by_code`` would give them one by one."""
        # sudo: draws numbers of the work-order sequence only, nothing the user chooses
        Sequence = self.env["ir.sequence"].with_company(company).sudo()
        sequence = Sequence.search(
            [("code", "=", "field.work.order"), ("company_id", "in", [company.id, False])],
            order="company_id",
            limit=1,
        )
        if not sequence or sequence.implementation != "standard":
            return [Sequence.next_by_code("field.work.order") for _i in range(count)]
        return sequence._fm_next_numbers(count)

    def _create_visit_work_orders(self):
        """Create the draft work orders of the current due dates of the plans in one batch
        (one INSERT per table); when the batch fails, e.g. because a work order for a
        plan and due date was created meanwhile, one plan at a time.

        :return: (created work orders, plans that failed)
        """
        WorkOrder = self.env["field.work.order"].with_context(
            tracking_disable=True,
            mail_create_nolog=True,
            mail_create_nosubscribe=True,
            mail_notrack=True,
        )
        names = {}
        for company, plans in self.grouped("company_id").items():
            names.update(
                zip(plans.ids, self._next_work_order_names(company, len(plans)), strict=True)
            )
        line_vals = self._prepare_visit_line_vals()

        def create(plans):
            return WorkOrder.create(
                [
                    {
                        **plan._prepare_work_order_vals(line_vals_list=line_vals[plan.id]),
                        "name": names[plan.id],
                    }
                    for plan in plans
                ]
            )

        created, _done, errors = call_with_fallback(self, create)
        orders = WorkOrder.concat(*created)
        failed = duplicates = self.browse()
        for plan, error in errors.items():
            if isinstance(error, pg_errors.UniqueViolation):
                duplicates |= plan
                continue
            _logger.warning(
                "Could not create the work order of maintenance plan %s: %s", plan.id, error
            )
            failed |= plan
            plan._message_log(
                body=self.env._(
                    "The work order of the visit due on %(date)s could not be created: %(error)s",
                    date=plan._format_date(plan.next_date),
                    error=str(error),
                )
            )
        if duplicates:
            _logger.info(
                "Maintenance plans %s already had a work order for their due date",
                duplicates.ids,
            )
        self._log_visit_technician_notes(orders)
        return orders, failed

    def _log_visit_technician_notes(self, orders):
        """Say on the plans and on their new work orders when the responsible of the plan
        could not be assigned: nothing changes silently."""
        bodies = {}
        for order in orders:
            note = order.maintenance_plan_id._visit_technicians()[1]
            if note:
                bodies[order] = Markup("<p>%s</p>") % note
        if not bodies:
            return
        orders.browse([order.id for order in bodies])._message_log_batch(
            {order.id: body for order, body in bodies.items()}
        )
        self.browse([order.maintenance_plan_id.id for order in bodies])._message_log_batch(
            {order.maintenance_plan_id.id: body for order, body in bodies.items()}
        )

    def _generate_work_orders(self):
        """Create the draft work order of the current due date of each plan, unless one
        exists already (a unique index on the plan and due date of work orders makes sure
        of it even when two workers run this at once)."""
        plans = self.filtered(lambda plan: plan.state == "active" and plan.next_date)
        taken = plans._existing_visit_plan_ids()
        to_create = plans.filtered(lambda plan: plan.id not in taken)
        orders, failed = self.env["field.work.order"], plans.browse()
        if to_create:
            orders, failed = to_create._create_visit_work_orders()
        (plans - failed)._write_per_date("generated_for")
        return orders

    @api.model
    def _generation_due_domain(self):
        return Domain(
            [
                ("auto_create_pending", "=", True),
                ("auto_create_date", "<=", fields.Date.context_today(self)),
            ]
        )

    @api.model
    def _cron_generate_work_orders(self, batch_size=None):
        self._run_in_batches(
            self._generation_due_domain(),
            "_generate_work_orders",
            batch_size or self._cron_batch_size(),
        )
