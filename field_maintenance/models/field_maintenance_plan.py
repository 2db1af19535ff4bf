import logging

from psycopg2 import errors as pg_errors

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.fields import Domain
from odoo.tools import format_date

from ..tools import (
    add_interval,
    company_tz,
    due_date_in_bounds,
    interval_in_bounds,
    local_date,
)

_logger = logging.getLogger(__name__)

INTERVAL_UNITS = [
    ("day", "Days"),
    ("week", "Weeks"),
    ("month", "Months"),
    ("year", "Years"),
]
# plans handled per transaction by the crons
CRON_BATCH_SIZE = 500


class FieldMaintenancePlan(models.Model):
    """Periodic maintenance of a customer's installation: a visit every interval, the
    next due date, and the end of the plan (cancelled, with a reason).

    Besides this file: the visits and their work orders (scheduled by hand or created
    ahead of the due date) in field_maintenance_plan_generation.py, the customer
    reminders in field_maintenance_plan_reminder.py, plans made from a work order in
    field_maintenance_plan_origin.py.
    """

    _name = "field.maintenance.plan"
    _description = "Periodic Maintenance Plan"
    _inherit = ["mail.thread", "mail.activity.mixin", "field.site.mixin"]
    _order = "next_date, id"

    name = fields.Char(required=True, tracking=True)
    state = fields.Selection(
        [("active", "Active"), ("cancelled", "Cancelled")],
        string="Status",
        default="active",
        required=True,
        copy=False,
        index=True,
        tracking=True,
    )
    equipment_ids = fields.Many2many(
        "field.equipment",
        "field_equipment_maintenance_plan_rel",
        "plan_id",
        "equipment_id",
        check_company=True,
        domain="[('partner_id.commercial_partner_id', '=', commercial_partner_id)]",
    )
    origin_work_order_id = fields.Many2one(
        "field.work.order",
        index="btree_not_null",
        copy=False,
        check_company=True,
        ondelete="set null",
        help="The work order this plan was made from; its customer, site, equipment, "
        "work type and materials are the plan's defaults.",
    )
    installation_name = fields.Char(
        compute="_compute_installation_name",
        help="How the reminder names the installation: its equipment, else the plan.",
    )
    work_type_id = fields.Many2one("field.work.type", check_company=True)
    user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        index=True,
        tracking=True,
        domain="[('share', '=', False), ('company_ids', 'in', company_id)]",
        help="Technician of the visits: the work orders of the plan are assigned to them.",
    )
    responsible_unavailable = fields.Boolean(
        compute="_compute_responsible_unavailable",
        help="The responsible is archived or no longer works for the plan's company.",
    )
    description = fields.Html(
        string="Work Description",
        help="What has to be done at each visit; copied into its work order.",
    )
    interval_number = fields.Integer(string="Repeat Every", default=1, required=True, tracking=True)
    interval_unit = fields.Selection(
        INTERVAL_UNITS, string="Unit", default="year", required=True, tracking=True
    )
    interval_label = fields.Char(string="Interval", compute="_compute_interval_label")
    next_date_base = fields.Selection(
        [
            ("due_date", "Due date"),
            ("completion_date", "Completion date"),
        ],
        string="Next Visit From",
        default="due_date",
        required=True,
        help="When a visit is done, the next due date is the interval after the due date of "
        "that visit, or after the day it was completed.",
    )
    next_date = fields.Date(
        string="Next Due Date",
        compute="_compute_next_date",
        store=True,
        readonly=False,
        precompute=True,
        required=True,
        index=True,
        tracking=True,
    )
    anchor_day = fields.Integer(
        compute="_compute_anchor_day",
        store=True,
        readonly=False,
        precompute=True,
        copy=False,
        help="Technical: day of the month the due dates fall on, so that a plan due on the "
        "31st is due on the last day of shorter months and on the 31st again afterwards.",
    )
    line_ids = fields.One2many(
        "field.maintenance.plan.line", "plan_id", string="Template Lines", copy=True
    )
    work_order_ids = fields.One2many(
        "field.work.order", "maintenance_plan_id", string="Work Orders", copy=False
    )
    work_order_count = fields.Integer(compute="_compute_work_order_count")
    last_done_date = fields.Datetime(string="Last Visit", compute="_compute_work_order_count")
    cancel_reason = fields.Text(string="Cancellation Reason", copy=False, tracking=True)
    cancel_date = fields.Date(string="Cancelled On", copy=False)
    is_overdue = fields.Boolean(compute="_compute_is_overdue", search="_search_is_overdue")

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------

    @api.depends("user_id.active", "user_id.share", "user_id.company_ids", "company_id")
    def _compute_responsible_unavailable(self):
        for plan in self:
            plan.responsible_unavailable = bool(plan.user_id) and not plan._can_do_visits(
                plan.user_id
            )

    @api.depends("equipment_ids.name", "name")
    def _compute_installation_name(self):
        for plan in self:
            plan.installation_name = ", ".join(plan.equipment_ids.mapped("name")) or plan.name

    @api.depends("interval_number", "interval_unit")
    def _compute_interval_label(self):
        for plan in self:
            number, unit = plan.interval_number, plan.interval_unit
            if number == 1:
                label = {
                    "day": self.env._("Every day"),
                    "week": self.env._("Every week"),
                    "month": self.env._("Every month"),
                    "year": self.env._("Every year"),
                }.get(unit)
            else:
                label = {
                    "day": self.env._("Every %s days", number),
                    "week": self.env._("Every %s weeks", number),
                    "month": self.env._("Every %s months", number),
                    "year": self.env._("Every %s years", number),
                }.get(unit)
            plan.interval_label = label or False

    @api.depends("interval_number", "interval_unit", "origin_work_order_id")
    def _compute_next_date(self):
        """Default due date of a new plan: one interval after the origin work order (or
        today). The due date of an existing plan only moves when a visit is done or when
        it is edited."""
        for plan in self:
            if plan._origin.id and plan.next_date:
                plan.next_date = plan.next_date
                continue
            # computed before the constraints run: an interval out of bounds (refused by
            # _check_plan) leaves the date as it is instead of overflowing
            base = plan._base_date()
            if interval_in_bounds(plan.interval_number, plan.interval_unit) and (
                due_date_in_bounds(base)
            ):
                plan.next_date = add_interval(base, plan.interval_number, plan.interval_unit)
            else:
                plan.next_date = plan.next_date or False

    @api.depends("next_date")
    def _compute_anchor_day(self):
        for plan in self:
            plan.anchor_day = plan.next_date.day if plan.next_date else 0

    def _compute_work_order_count(self):
        # sudo: a count and a date only, of the visits of plans the user can read (a
        # technician may not read all of them); no content of the work orders is shown
        groups = (
            self.env["field.work.order"]
            .sudo()
            ._read_group(
                [("maintenance_plan_id", "in", self.ids)],
                ["maintenance_plan_id"],
                ["__count"],
            )
        )
        counts = {plan.id: count for plan, count in groups}
        # sudo: as above, only the date of the last done visit
        done = (
            self.env["field.work.order"]
            .sudo()
            ._read_group(
                [("maintenance_plan_id", "in", self.ids), ("state", "=", "done")],
                ["maintenance_plan_id"],
                ["date_end:max"],
            )
        )
        last = {plan.id: date_end for plan, date_end in done}
        for plan in self:
            plan.work_order_count = counts.get(plan._origin.id, 0)
            plan.last_done_date = last.get(plan._origin.id, False)

    @api.depends("next_date", "state")
    def _compute_is_overdue(self):
        today = fields.Date.context_today(self)
        for plan in self:
            plan.is_overdue = bool(
                plan.state == "active" and plan.next_date and plan.next_date < today
            )

    def _search_is_overdue(self, operator, value):
        if operator not in ("in", "not in"):
            return NotImplemented
        domain = Domain("state", "=", "active") & Domain(
            "next_date", "<", fields.Date.context_today(self)
        )
        return domain if (operator == "in") == (True in value) else ~domain

    # ------------------------------------------------------------------
    # Time zone, dates and the responsible
    # ------------------------------------------------------------------

    def _get_tz(self):
        """Time zone in which the plan's dates and times are meant."""
        self.ensure_one()
        return company_tz(self.company_id, self.user_id)

    def _base_date(self):
        """Day from which the first due date of a new plan is counted."""
        self.ensure_one()
        order = self.origin_work_order_id
        moment = order.date_end or order.date_start or order.planned_date_start
        today = fields.Date.context_today(self)
        if not moment:
            return today
        try:
            return local_date(moment, self._get_tz())
        except OverflowError:
            return today  # a moment at the end of time: no due date can follow it

    def _next_due_date(self, base, anchor_day=None):
        self.ensure_one()
        return add_interval(
            base, self.interval_number, self.interval_unit, anchor_day=anchor_day or base.day
        )

    def _can_do_visits(self, user):
        """Whether ``user`` can be the technician of the plan's visits: an active
        internal user of the plan's company."""
        self.ensure_one()
        return bool(user and user.active and not user.share and self.company_id in user.company_ids)

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            check = {
                "partner_id": self.env.context.get("default_partner_id"),
                "interval_number": self.env.context.get("default_interval_number", 1),
                "interval_unit": self.env.context.get("default_interval_unit", "year"),
                **vals,
            }
            self._check_plan_vals(check, creating=True)
        return super().create(vals_list)

    def write(self, vals):
        self._check_plan_vals(vals)
        vals = dict(vals)
        if vals.get("state") == "cancelled":
            vals.setdefault("cancel_date", fields.Date.context_today(self))
        elif vals.get("state") == "active":
            vals.setdefault("cancel_date", False)
            vals.setdefault("cancel_reason", False)
        return super().write(vals)

    @api.onchange(
        "interval_number", "interval_unit", "reminder_days", "auto_create_days", "visit_time"
    )
    def _onchange_check_numbers(self):
        """Say at once in the form what saving will refuse."""
        errors = [self._interval_error(self.interval_number, self.interval_unit)]
        errors += self._value_errors(
            {
                "reminder_days": self.reminder_days,
                "auto_create_days": self.auto_create_days,
                "visit_time": self.visit_time,
            }
        )
        errors = [error for error in errors if error]
        if errors:
            return {
                "warning": {
                    "title": self.env._("Invalid maintenance plan"),
                    "message": "\n".join(errors),
                }
            }
        return None

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_open_cancel_wizard(self):
        plans = self.filtered(lambda plan: plan.state == "active")
        if not plans:
            raise UserError(self.env._("The selected maintenance plans are already cancelled."))
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Cancel Future Maintenance"),
            "res_model": "field.maintenance.plan.cancel",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {"default_plan_ids": plans.ids},
        }

    def _cancel(self, reason):
        """Cancel the plans: no more reminders nor work orders. The draft work orders of
        their next visit (not planned yet) are cancelled too."""
        if not (reason or "").strip():
            raise UserError(self.env._("Give the reason why the maintenance is cancelled."))
        cancelled = self.filtered(lambda plan: plan.state == "cancelled")
        if cancelled:
            raise UserError(
                self.env._(
                    "Maintenance plan %s is already cancelled.",
                    ", ".join(cancelled.mapped("name")),
                )
            )
        self.write({"state": "cancelled", "cancel_reason": reason})
        # sudo: only the draft visits of the plans the user has just cancelled (write()
        # checked the user's access to them); they may not see every visit
        drafts = (
            self.env["field.work.order"]
            .sudo()
            .search(
                [
                    ("maintenance_plan_id", "in", self.ids),
                    ("maintenance_due_date", "!=", False),
                    ("state", "=", "draft"),
                ]
            )
        )
        if drafts:
            drafts.action_cancel()
        for plan in self:
            plan.message_post(
                body=self.env._("Future maintenance cancelled: %s", reason),
                message_type="comment",
                subtype_xmlid="mail.mt_note",
            )
        return True

    def action_reactivate(self):
        self.write({"state": "active"})
        return True

    def action_view_work_orders(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "field_maintenance.action_field_work_order"
        )
        action["domain"] = [("maintenance_plan_id", "=", self.id)]
        action["context"] = {"create": False}
        return action

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    def _write_per_date(self, fname):
        """Set ``fname`` to the current due date of each plan, one write per due date."""
        for next_date, plans in self.grouped("next_date").items():
            plans.write({fname: next_date})

    # ------------------------------------------------------------------
    # Crons
    # ------------------------------------------------------------------

    @api.model
    def _run_in_batches(self, domain, method, batch_size):
        """Run ``method`` on the plans matching ``domain``, ``batch_size`` at a time, each
        batch locked (plans locked by another worker are left to it) and committed with
        its progress."""
        IrCron = self.env["ir.cron"]
        IrCron._commit_progress(remaining=self.search_count(domain))
        last_id = 0
        while True:
            plans = self.search(domain & Domain("id", ">", last_id), order="id", limit=batch_size)
            if not plans:
                break
            last_id = plans.ids[-1]
            try:
                locked = plans.try_lock_for_update(allow_referencing=True)
                if locked:
                    getattr(locked, method)()
                    self.env.flush_all()
            except pg_errors.SerializationFailure:
                # another worker handled these plans since this batch was read: its job
                self.env.cr.rollback()
                _logger.info("Maintenance plans %s handled by another worker", plans.ids)
            if not IrCron._commit_progress(len(plans)):
                break

    @api.model
    def _cron_batch_size(self):
        return (
            int(
                # sudo: reads one technical setting (a batch size) of the crons
                self.env["ir.config_parameter"]
                .sudo()
                .get_param("field_maintenance.cron_batch_size", CRON_BATCH_SIZE)
            )
            or CRON_BATCH_SIZE
        )

    # ------------------------------------------------------------------
    # Mail
    # ------------------------------------------------------------------

    def _format_date(self, value):
        return format_date(self.env, value) if value else ""

    def _mail_get_partner_fields(self, introspect_fields=False):
        return ["partner_id"]

    def _phone_get_number_fields(self):
        return []
