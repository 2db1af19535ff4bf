import logging
import math
from datetime import date, datetime, time, timedelta

import pytz
from dateutil.relativedelta import relativedelta
from markupsafe import Markup
from psycopg2 import errors as pg_errors

from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Domain
from odoo.tools import format_date

_logger = logging.getLogger(__name__)

INTERVAL_UNITS = [
    ("day", "Days"),
    ("week", "Weeks"),
    ("month", "Months"),
    ("year", "Years"),
]
# local hour (in the plan's time zone) at which the reminder of a due date is sent
REMINDER_HOUR = 8.0
# plans handled per transaction by the crons
CRON_BATCH_SIZE = 500
# material lines of the origin work order become the plan's template lines
TEMPLATE_LINE_TYPES = ("material",)
# bounds of the numbers of a plan: an interval of at most 10 years in its unit, lead
# times of at most a year, due dates far enough from date.min and date.max that no date
# arithmetic of a plan can overflow
MAX_INTERVAL = {"day": 3650, "week": 520, "month": 120, "year": 10}
MAX_LEAD_DAYS = 365
MIN_DUE_DATE = date(1900, 1, 1)
MAX_DUE_DATE = date(2999, 12, 31)


def as_number(value, kind=int):
    """``value`` as a finite int or float, or None when it is not a number (the ORM then
    refuses it) or not finite."""
    if isinstance(value, bool):
        return int(value)
    try:
        number = kind(value or 0)
    except (TypeError, ValueError, OverflowError):
        return None
    if isinstance(number, float) and not math.isfinite(number):
        return None
    return number


def interval_in_bounds(number, unit):
    """Whether an interval of ``number`` ``unit`` is one a plan may have."""
    number = as_number(number)
    return number is not None and 0 < number <= MAX_INTERVAL.get(unit, 0)


def due_date_in_bounds(day):
    return bool(day) and MIN_DUE_DATE <= day <= MAX_DUE_DATE


def lead_days_in_bounds(days):
    days = as_number(days)
    return days is not None and 0 <= days <= MAX_LEAD_DAYS


# ----------------------------------------------------------------------
# Calendar arithmetic
# ----------------------------------------------------------------------


def add_interval(value, number, unit, anchor_day=None, tz=None):
    """Move ``value`` by ``number`` days, weeks, months or years, calendar-correct.

    - Months and years keep the day of the month, clipped to the end of shorter months:
      31 January + 1 month = 28 (or 29) February, 29 February 2028 + 1 year = 28 February 2029.
      ``anchor_day`` is the day of the month the plan was set on, so that clipping does not
      drift: 28 February + 1 month with anchor day 31 = 31 March.
    - A datetime (naive, UTC as stored by Odoo) given with ``tz`` moves in local wall-clock
      time: a weekly visit at 08:00 in Brussels stays at 08:00 across daylight-saving changes.
    """
    if isinstance(value, datetime) and tz:
        zone = pytz.timezone(tz)
        local = pytz.utc.localize(value).astimezone(zone).replace(tzinfo=None)
        moved = add_interval(local, number, unit, anchor_day=anchor_day)
        return zone.localize(moved, is_dst=False).astimezone(pytz.utc).replace(tzinfo=None)
    if unit == "day":
        delta = relativedelta(days=number)
    elif unit == "week":
        delta = relativedelta(weeks=number)
    elif unit == "month":
        delta = relativedelta(months=number, day=anchor_day or value.day)
    elif unit == "year":
        delta = relativedelta(years=number, day=anchor_day or value.day)
    else:
        raise ValueError(f"Unknown interval unit {unit!r}")
    return value + delta


def local_date(value, tz):
    """Date in time zone ``tz`` of a naive UTC datetime."""
    return pytz.utc.localize(value).astimezone(pytz.timezone(tz)).date()


def local_to_utc(day, hour, tz):
    """Naive UTC datetime of ``hour`` (float, e.g. 8.5 = 08:30) on ``day`` in time zone ``tz``."""
    hours = int(hour)
    minutes = min(int(round((hour - hours) * 60)), 59)
    local = datetime.combine(day, time(hours % 24, minutes))
    zone = pytz.timezone(tz)
    return zone.localize(local, is_dst=False).astimezone(pytz.utc).replace(tzinfo=None)


def company_tz(company, user=None):
    """Time zone of a company's plans: the company's, else the responsible user's, else
    the company's working hours', else UTC."""
    for tz in (company.partner_id.tz, user and user.tz, company.resource_calendar_id.tz):
        if tz and tz in pytz.all_timezones_set:
            return tz
    return "UTC"


class FieldMaintenancePlan(models.Model):
    _name = "field.maintenance.plan"
    _description = "Periodic Maintenance Plan"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "next_date, id"
    _check_company_auto = True

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
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
    )
    commercial_partner_id = fields.Many2one(
        related="partner_id.commercial_partner_id", store=True, index=True
    )
    site_partner_id = fields.Many2one(
        "res.partner",
        string="Site Address",
        compute="_compute_site_partner_id",
        store=True,
        readonly=False,
        precompute=True,
        check_company=True,
        domain="[('commercial_partner_id', '=', commercial_partner_id)]",
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
    site_address = fields.Char(string="Full Site Address", compute="_compute_site_address")
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
    fixed_time = fields.Boolean(
        string="Fixed Visit Time",
        help="Work orders created automatically are planned on the due date at this time "
        "(local time of the company), with the responsible as technician.",
    )
    visit_time = fields.Float(default=8.0)
    send_reminder = fields.Boolean(
        string="Remind Customer",
        default=True,
        help="Send the customer a reminder by e-mail (and SMS when configured) before the "
        "due date, asking to get in touch to schedule the visit.",
    )
    reminder_days = fields.Integer(
        string="Reminder Lead Time",
        default=lambda self: self.env.company.fm_reminder_days,
        help="Days before the due date the reminder is sent.",
    )
    reminder_date = fields.Date(compute="_compute_reminder_date", store=True)
    reminder_datetime = fields.Datetime(
        string="Reminder Time", compute="_compute_reminder_date", store=True, index=True
    )
    reminder_sent_for = fields.Date(
        readonly=True,
        copy=False,
        help="Due date of the last reminder sent.",
    )
    reminder_skipped_for = fields.Date(
        readonly=True,
        copy=False,
        help="Due date for which no reminder could be sent (no e-mail address).",
    )
    reminder_state = fields.Selection(
        [
            ("pending", "Not sent"),
            ("sent", "Sent"),
            ("skipped", "No contact"),
        ],
        string="Reminder",
        compute="_compute_reminder_state",
        store=True,
        index=True,
    )
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

    @api.depends("partner_id")
    def _compute_site_partner_id(self):
        for plan in self:
            site = plan.site_partner_id
            if not site or site.commercial_partner_id != plan.partner_id.commercial_partner_id:
                plan.site_partner_id = plan.partner_id

    @api.depends("user_id.active", "user_id.share", "user_id.company_ids", "company_id")
    def _compute_responsible_unavailable(self):
        for plan in self:
            plan.responsible_unavailable = bool(plan.user_id) and not plan._can_do_visits(
                plan.user_id
            )

    @api.depends(
        "site_partner_id.street",
        "site_partner_id.street2",
        "site_partner_id.zip",
        "site_partner_id.city",
    )
    def _compute_site_address(self):
        for plan in self:
            plan.site_address = plan.site_partner_id._fm_one_line_address() or False

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

    @api.depends(
        "next_date",
        "reminder_days",
        "user_id.tz",
        "company_id.partner_id.tz",
        "company_id.resource_calendar_id.tz",
    )
    def _compute_reminder_date(self):
        for plan in self:
            # out of bounds (refused by _check_plan, which runs after the computes): no
            # reminder rather than an overflow
            if not (due_date_in_bounds(plan.next_date) and lead_days_in_bounds(plan.reminder_days)):
                plan.reminder_date = plan.reminder_datetime = False
                continue
            reminder_date = plan.next_date - timedelta(days=plan.reminder_days)
            plan.reminder_date = reminder_date
            plan.reminder_datetime = local_to_utc(reminder_date, REMINDER_HOUR, plan._get_tz())

    @api.depends("next_date", "reminder_sent_for", "reminder_skipped_for")
    def _compute_reminder_state(self):
        for plan in self:
            if plan.next_date and plan.reminder_sent_for == plan.next_date:
                plan.reminder_state = "sent"
            elif plan.next_date and plan.reminder_skipped_for == plan.next_date:
                plan.reminder_state = "skipped"
            else:
                plan.reminder_state = "pending"

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
    # Helpers: time zone and dates
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

    def _visit_datetime(self, day):
        """Planned start (naive UTC) of a visit on ``day`` at the plan's visit time."""
        self.ensure_one()
        return local_to_utc(day, self.visit_time or 0.0, self._get_tz())

    # ------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------

    def _interval_error(self, number, unit):
        """Translated message when ``number`` ``unit`` is not an interval a plan may
        have, else False."""
        if unit not in dict(INTERVAL_UNITS):
            return self.env._(
                "The interval of a maintenance plan is counted in days, weeks, months or years."
            )
        if interval_in_bounds(number, unit):
            return False
        unit_words = {
            "day": self.env._("days"),
            "week": self.env._("weeks"),
            "month": self.env._("months"),
            "year": self.env._("years"),
        }
        return self.env._(
            "The interval of a maintenance plan must be from 1 to %(max)s %(unit)s (at "
            "most 10 years), e.g. every 1 year or every 6 months.",
            max=MAX_INTERVAL[unit],
            unit=unit_words[unit],
        )

    def _value_errors(self, vals):
        """Translated messages of the values of ``vals`` (other than the interval) that
        are out of bounds."""
        errors = []
        if "reminder_days" in vals and not lead_days_in_bounds(vals["reminder_days"]):
            errors.append(
                self.env._(
                    "The reminder of a maintenance plan is sent from 0 to %(max)s days "
                    "before the due date.",
                    max=MAX_LEAD_DAYS,
                )
            )
        if "auto_create_days" in vals and not lead_days_in_bounds(vals["auto_create_days"]):
            errors.append(
                self.env._(
                    "The work order of a maintenance plan is created automatically from 0 "
                    "to %(max)s days before the due date (0: the visits are scheduled "
                    "manually).",
                    max=MAX_LEAD_DAYS,
                )
            )
        if "visit_time" in vals:
            visit_time = as_number(vals["visit_time"], float)
            if visit_time is None or not 0 <= visit_time < 24:
                errors.append(
                    self.env._(
                        "The visit time of a maintenance plan must be between 00:00 and 23:59."
                    )
                )
        if "anchor_day" in vals:
            anchor_day = as_number(vals["anchor_day"])
            if anchor_day is None or not 0 <= anchor_day <= 31:
                errors.append(
                    self.env._(
                        "The day of the month of the due dates of a maintenance plan must be "
                        "from 1 to 31."
                    )
                )
        if vals.get("next_date"):
            try:
                next_date = fields.Date.to_date(vals["next_date"])
            except (TypeError, ValueError):
                next_date = None  # not a date: the ORM refuses it
            if next_date and not due_date_in_bounds(next_date):
                errors.append(
                    self.env._(
                        "The next due date of a maintenance plan must be between %(min)s "
                        "and %(max)s.",
                        min=self._format_date(MIN_DUE_DATE),
                        max=self._format_date(MAX_DUE_DATE),
                    )
                )
        return errors

    def _check_plan_vals(self, vals, creating=False):
        """Refuse bad input before anything is written (the computes of the dates would
        otherwise work with it). When the interval is written without its unit (or the
        other way round), it is checked with the unit (number) of each plan."""
        errors = []
        if "interval_number" in vals or "interval_unit" in vals:
            if creating or not self:
                intervals = {(vals.get("interval_number"), vals.get("interval_unit"))}
            else:
                intervals = {
                    (
                        vals.get("interval_number", plan.interval_number),
                        vals.get("interval_unit", plan.interval_unit),
                    )
                    for plan in self
                }
            errors += filter(None, (self._interval_error(*interval) for interval in intervals))
        errors += self._value_errors(vals)
        if ("partner_id" in vals or creating) and not vals.get("partner_id"):
            errors.append(self.env._("A maintenance plan needs a customer."))
        if errors:
            raise ValidationError("\n".join(dict.fromkeys(errors)))

    @api.constrains(
        "interval_number",
        "interval_unit",
        "reminder_days",
        "auto_create_days",
        "visit_time",
        "anchor_day",
        "next_date",
        "partner_id",
    )
    def _check_plan(self):
        for plan in self:
            plan._check_plan_vals(
                {
                    "interval_number": plan.interval_number,
                    "interval_unit": plan.interval_unit,
                    "reminder_days": plan.reminder_days,
                    "auto_create_days": plan.auto_create_days,
                    "visit_time": plan.visit_time,
                    "anchor_day": plan.anchor_day,
                    "next_date": plan.next_date,
                    "partner_id": plan.partner_id.id,
                },
                creating=True,
            )

    @api.constrains("equipment_ids", "partner_id")
    def _check_equipment_customer(self):
        for plan in self:
            foreign = plan.equipment_ids.filtered(
                lambda equipment, plan=plan: (
                    equipment.commercial_partner_id != plan.commercial_partner_id
                )
            )
            if foreign:
                raise ValidationError(
                    self.env._(
                        "Maintenance plan %(plan)s is for customer %(customer)s: equipment "
                        "%(equipment)s belongs to another customer.",
                        plan=plan.name,
                        customer=plan.partner_id.display_name,
                        equipment=", ".join(foreign.mapped("display_name")),
                    )
                )

    @api.constrains("origin_work_order_id")
    def _check_origin_work_order_customer(self):
        for plan in self:
            origin = plan.origin_work_order_id
            if origin and origin.partner_id.commercial_partner_id != plan.commercial_partner_id:
                raise ValidationError(
                    self.env._(
                        "Maintenance plan %(plan)s is for customer %(customer)s: work order "
                        "%(order)s of another customer cannot be its origin.",
                        plan=plan.name,
                        customer=plan.partner_id.display_name,
                        order=origin.name,
                    )
                )

    @api.constrains("site_partner_id", "partner_id")
    def _check_site_partner(self):
        for plan in self:
            site = plan.site_partner_id
            if site and site.commercial_partner_id != plan.partner_id.commercial_partner_id:
                raise ValidationError(
                    self.env._(
                        "The site address %(site)s of maintenance plan %(plan)s is not an "
                        "address of customer %(customer)s.",
                        site=site.display_name,
                        plan=plan.name,
                        customer=plan.partner_id.display_name,
                    )
                )

    # ------------------------------------------------------------------
    # Defaults from the origin work order
    # ------------------------------------------------------------------

    @api.model
    def _prepare_vals_from_work_order(self, order):
        """Defaults of a plan made from a work order: everything but its name and interval."""
        template_lines = order.line_ids.filtered(
            lambda line: (
                not line.display_type
                and line.line_type in TEMPLATE_LINE_TYPES
                and not line.is_travel_cost
            )
        )
        Line = self.env["field.maintenance.plan.line"]
        vals = {
            "partner_id": order.partner_id.id,
            "site_partner_id": order.site_partner_id.id,
            "equipment_ids": [Command.set(order.equipment_ids.ids)],
            "work_type_id": order.work_type_id.id,
            "user_id": order.user_id.id,
            "company_id": order.company_id.id,
            "line_ids": [
                Command.create(Line._prepare_from_work_order_line(line)) for line in template_lines
            ],
        }
        if order.description:
            vals["description"] = order.description
        if order.planned_date_start:
            zone = pytz.timezone(company_tz(order.company_id, order.user_id))
            start = pytz.utc.localize(order.planned_date_start).astimezone(zone)
            vals["visit_time"] = start.hour + start.minute / 60.0
        return vals

    @api.model
    def default_get(self, fields_list):
        defaults = super().default_get(fields_list)
        origin_id = defaults.get("origin_work_order_id")
        if origin_id:
            order = self.env["field.work.order"].browse(origin_id)
            for fname, value in self._prepare_vals_from_work_order(order).items():
                if fname in fields_list and not defaults.get(fname):
                    defaults[fname] = value
        return defaults

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        WorkOrder = self.env["field.work.order"]
        for vals in vals_list:
            origin_id = vals.get("origin_work_order_id") or self.env.context.get(
                "default_origin_work_order_id"
            )
            if origin_id:
                from_order = self._prepare_vals_from_work_order(WorkOrder.browse(origin_id))
                for fname, value in from_order.items():
                    if fname not in vals and f"default_{fname}" not in self.env.context:
                        vals[fname] = value
            check = {
                "partner_id": self.env.context.get("default_partner_id"),
                "interval_number": self.env.context.get("default_interval_number", 1),
                "interval_unit": self.env.context.get("default_interval_unit", "year"),
                **vals,
            }
            self._check_plan_vals(check, creating=True)
        plans = super().create(vals_list)
        # the origin work order is the plan's first visit
        for plan in plans:
            origin = plan.origin_work_order_id
            if origin and not origin.maintenance_plan_id:
                # sudo: links an order the user could read (its values were copied above)
                # of the plan's own customer (_check_origin_work_order_customer) and
                # without a plan yet; a technician cannot edit that field of the order
                origin.sudo().maintenance_plan_id = plan
        plans._schedule_reminder_trigger()
        return plans

    def write(self, vals):
        self._check_plan_vals(vals)
        vals = dict(vals)
        if vals.get("state") == "cancelled":
            vals.setdefault("cancel_date", fields.Date.context_today(self))
        elif vals.get("state") == "active":
            vals.setdefault("cancel_date", False)
            vals.setdefault("cancel_reason", False)
        result = super().write(vals)
        if {
            "next_date",
            "reminder_days",
            "send_reminder",
            "state",
            "company_id",
            "user_id",
        } & set(vals):
            self._schedule_reminder_trigger()
        return result

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

    def _can_do_visits(self, user):
        """Whether ``user`` can be the technician of the plan's visits: an active
        internal user of the plan's company."""
        self.ensure_one()
        return bool(user and user.active and not user.share and self.company_id in user.company_ids)

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
        if self._can_do_visits(fallback):
            return fallback, self.env._(
                "%(responsible)s, responsible of maintenance plan %(plan)s, is archived or "
                "no longer works for %(company)s: the visit due on %(date)s is assigned to "
                "%(technician)s, the technician of the origin work order. Choose another "
                "responsible for the plan.",
                responsible=responsible.name,
                plan=self.name,
                company=self.company_id.name,
                date=self._format_date(self.next_date),
                technician=fallback.name,
            )
        return fallback.browse(), self.env._(
            "%(responsible)s, responsible of maintenance plan %(plan)s, is archived or no "
            "longer works for %(company)s: the visit due on %(date)s has no technician. "
            "Assign one, and choose another responsible for the plan.",
            responsible=responsible.name,
            plan=self.name,
            company=self.company_id.name,
            date=self._format_date(self.next_date),
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
        action["name"] = self.env._("Schedule %s", self.name)
        action["context"] = {
            **self._prepare_work_order_defaults(),
            # the calendar opens on the due date (noon UTC: the same day in any time zone)
            "initial_date": fields.Datetime.to_string(
                datetime.combine(max(self.next_date, fields.Date.today()), time(12))
            ),
        }
        return action

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

    def action_send_reminder(self):
        """Send the reminder of the current due date now (again)."""
        active = self.filtered(lambda plan: plan.state == "active")
        if not active:
            raise UserError(self.env._("Reminders are only sent for active maintenance plans."))
        active.write({"reminder_sent_for": False, "reminder_skipped_for": False})
        active._send_reminders()
        return True

    # ------------------------------------------------------------------
    # Visits: work orders and advancing the due date
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
            # the price date of the draft work order (_fm_price_date): its planned start
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
        for vals, price in zip(priced, Line._fm_prices(requests), strict=True):
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

    def _write_per_date(self, fname):
        """Set ``fname`` to the current due date of each plan, one write per due date."""
        for next_date, plans in self.grouped("next_date").items():
            plans.write({fname: next_date})

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
        if sequence.use_date_range:
            today = fields.Date.today()
            # sudo: as above, the date range of that sequence
            date_range = self.env["ir.sequence.date_range"].sudo().search(
                [
                    ("sequence_id", "=", sequence.id),
                    ("date_from", "<=", today),
                    ("date_to", ">=", today),
                ],
                limit=1,
            ) or sequence._create_date_range_seq(today)
            pg_sequence = "ir_sequence_%03d_%03d" % (sequence.id, date_range.id)
            sequence = sequence.with_context(ir_sequence_date_range=date_range.date_from)
        else:
            pg_sequence = "ir_sequence_%03d" % sequence.id
        self.env.cr.execute("SELECT nextval(%s) FROM generate_series(1, %s)", [pg_sequence, count])
        numbers = [row[0] for row in self.env.cr.fetchall()]
        # as get_next_char() for each number, with the prefix and suffix interpolated once
        prefix, suffix = sequence._get_prefix_suffix()
        number_format = f"%0{sequence.padding}d"
        return [f"{prefix}{number_format % number}{suffix}" for number in numbers]

    def _create_visit_work_orders(self):
        """Create the draft work orders of the current due dates of the plans in one batch
        (one INSERT per table); when the batch fails, e.g. because a work order for a
        plan and due date was created meanwhile, fall back to one plan at a time.

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

        def vals_of(plan):
            return {
                **plan._prepare_work_order_vals(line_vals_list=line_vals[plan.id]),
                "name": names[plan.id],
            }

        try:
            with self.env.cr.savepoint():
                orders = WorkOrder.create([vals_of(plan) for plan in self])
            self._log_visit_technician_notes(orders)
            return orders, self.browse()
        except Exception:  # noqa: BLE001 - one bad plan must not stop the others
            if len(self) == 1:
                raise
            _logger.info("Batch creation of maintenance work orders failed, retrying one by one")
        orders = WorkOrder
        failed = duplicates = self.browse()
        for plan in self:
            try:
                with self.env.cr.savepoint():
                    orders |= WorkOrder.create([vals_of(plan)])
            except pg_errors.UniqueViolation:
                duplicates |= plan
            except Exception as error:  # noqa: BLE001
                _logger.warning(
                    "Could not create the work order of maintenance plan %s: %s", plan.id, error
                )
                failed |= plan
                plan._message_log(
                    body=self.env._(
                        "The work order of the visit due on %(date)s could not be created: "
                        "%(error)s",
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

    # ------------------------------------------------------------------
    # Reminders
    # ------------------------------------------------------------------

    def _get_reminder_mail_template(self):
        self.ensure_one()
        return self.company_id.fm_reminder_mail_template_id or self.env.ref(
            "field_maintenance.mail_template_maintenance_reminder", raise_if_not_found=False
        )

    def _schedule_reminder_trigger(self):
        """Wake the reminder cron up when a reminder falls due, not at its next daily run."""
        cron = self.env.ref(
            "field_maintenance.ir_cron_maintenance_plan_reminder", raise_if_not_found=False
        )
        if not cron:
            return
        now = fields.Datetime.now()
        moments = {
            max(plan.reminder_datetime, now)
            for plan in self
            if plan.state == "active"
            and plan.send_reminder
            and plan.reminder_state == "pending"
            and plan.reminder_datetime
            and plan.company_id.fm_reminder_enabled
            and plan.next_date >= fields.Date.context_today(plan)
        }
        if moments:
            # sudo: only wakes the module's reminder cron earlier; it selects its plans itself
            cron.sudo()._trigger(sorted(moments))

    def _send_reminder_mails(self, template):
        """Render and queue the reminder e-mails in batch; when the batch fails, one plan at
        a time so that one bad plan does not stop the others.

        :return: (plans whose e-mail was queued, {plan: error})
        """
        if not self:
            return self, {}
        try:
            with self.env.cr.savepoint():
                template.send_mail_batch(self.ids)
            return self, {}
        except Exception:  # noqa: BLE001
            _logger.info("Batch of maintenance reminders failed, retrying one by one")
        sent = self.browse()
        errors = {}
        for plan in self:
            try:
                with self.env.cr.savepoint():
                    template.send_mail_batch(plan.ids)
                sent |= plan
            except Exception as error:  # noqa: BLE001
                _logger.warning("Maintenance reminder of plan %s failed: %s", plan.id, error)
                errors[plan] = error
        return sent, errors

    def _send_reminder_sms(self, template):
        """Queue the reminder SMS (logged on the chatter by the SMS composer).

        :return: (plans whose SMS was queued, {plan: error})
        """
        if not self:
            return self, {}
        try:
            with self.env.cr.savepoint():
                self._message_sms_schedule_mass(template=template, mass_keep_log=True)
            return self, {}
        except Exception:  # noqa: BLE001
            _logger.info("Batch of maintenance reminder SMS failed, retrying one by one")
        sent = self.browse()
        errors = {}
        for plan in self:
            try:
                with self.env.cr.savepoint():
                    plan._message_sms_schedule_mass(template=template, mass_keep_log=True)
                sent |= plan
            except Exception as error:  # noqa: BLE001
                _logger.warning("Maintenance reminder SMS of plan %s failed: %s", plan.id, error)
                errors[plan] = error
        return sent, errors

    def _send_reminders(self):
        """Send the reminder of the current due date of each plan: an e-mail to the
        customer and, when an SMS template is set in the settings, an SMS. Plans whose
        customer has no e-mail address (nor mobile number for SMS) are skipped with a note
        on their chatter. Each plan's reminder is logged on its chatter.

        :return: plans whose reminder was sent
        """
        sent_mail = sent_sms = skipped = self.browse()
        errors = {}
        for company, plans in self.grouped("company_id").items():
            plans = plans.with_company(company)
            mail_template = plans[:1]._get_reminder_mail_template()
            sms_template = company.fm_reminder_sms_template_id
            mail_plans = plans.filtered(lambda plan: plan.partner_id.email_normalized)
            if not mail_template:
                mail_plans = plans.browse()
            sms_plans = plans.browse()
            if sms_template:
                numbers = plans._sms_get_recipients_info()
                sms_plans = plans.browse(
                    [plan_id for plan_id, info in numbers.items() if info and info["sanitized"]]
                )
            done, mail_errors = mail_plans._send_reminder_mails(mail_template)
            sent_mail |= done
            done, sms_errors = sms_plans._send_reminder_sms(sms_template)
            sent_sms |= done
            errors.update(mail_errors)
            errors.update(sms_errors)
            skipped |= plans - mail_plans - sms_plans
        sent = (sent_mail | sent_sms).with_env(self.env)
        skipped = skipped.with_env(self.env)
        sent._write_per_date("reminder_sent_for")
        skipped._write_per_date("reminder_skipped_for")
        if sent_mail or sent_sms:
            # sudo: only wakes the mail queue up to send what was queued
            self.env.ref("mail.ir_cron_mail_scheduler_action").sudo()._trigger()
        bodies = {}
        for plan in sent:
            if plan in sent_mail and plan in sent_sms:
                channel = self.env._("by e-mail and SMS")
            elif plan in sent_mail:
                channel = self.env._("by e-mail")
            else:
                channel = self.env._("by SMS")
            bodies[plan.id] = self.env._(
                "Maintenance reminder for the visit due on %(date)s sent to %(customer)s "
                "%(channel)s.",
                date=plan._format_date(plan.next_date),
                customer=plan.partner_id.display_name,
                channel=channel,
            )
        for plan in skipped:
            bodies[plan.id] = self.env._(
                "No maintenance reminder sent for the visit due on %(date)s: customer "
                "%(customer)s has no e-mail address.",
                date=plan._format_date(plan.next_date),
                customer=plan.partner_id.display_name,
            )
        for plan, error in errors.items():
            if plan not in sent:
                bodies[plan.id] = self.env._(
                    "The maintenance reminder for the visit due on %(date)s could not be "
                    "sent: %(error)s",
                    date=plan._format_date(plan.next_date),
                    error=str(error),
                )
        if bodies:
            self.browse(list(bodies))._message_log_batch(
                {plan_id: Markup("<p>%s</p>") % body for plan_id, body in bodies.items()}
            )
        return sent

    # ------------------------------------------------------------------
    # Crons
    # ------------------------------------------------------------------

    @api.model
    def _reminder_due_domain(self):
        return Domain(
            [
                ("state", "=", "active"),
                ("send_reminder", "=", True),
                ("reminder_state", "=", "pending"),
                ("reminder_datetime", "<=", fields.Datetime.now()),
                ("next_date", ">=", fields.Date.context_today(self)),
                ("company_id.fm_reminder_enabled", "=", True),
            ]
        )

    @api.model
    def _generation_due_domain(self):
        return Domain(
            [
                ("auto_create_pending", "=", True),
                ("auto_create_date", "<=", fields.Date.context_today(self)),
            ]
        )

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

    @api.model
    def _cron_send_reminders(self, batch_size=None):
        """Daily, and at the moment a reminder falls due (see _schedule_reminder_trigger)."""
        self._run_in_batches(
            self._reminder_due_domain(), "_send_reminders", batch_size or self._cron_batch_size()
        )

    @api.model
    def _cron_generate_work_orders(self, batch_size=None):
        self._run_in_batches(
            self._generation_due_domain(),
            "_generate_work_orders",
            batch_size or self._cron_batch_size(),
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
