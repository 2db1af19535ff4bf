from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools import (
    MAX_DUE_DATE,
    MAX_INTERVAL,
    MAX_LEAD_DAYS,
    MIN_DUE_DATE,
    as_number,
    due_date_in_bounds,
    interval_in_bounds,
    lead_days_in_bounds,
)
from .field_maintenance_plan import INTERVAL_UNITS


class FieldMaintenancePlan(models.Model):
    """What a maintenance plan accepts: intervals, numbers and dates within bounds,
    equipment of its customer; checked before a write, with one message per problem."""

    _inherit = "field.maintenance.plan"

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
        self._check_same_customer(
            "equipment_ids",
            lambda plan, foreign: self.env._(
                "Maintenance plan %(plan)s is for customer %(customer)s: equipment "
                "%(equipment)s belongs to another customer.",
                plan=plan.name,
                customer=plan.partner_id.display_name,
                equipment=", ".join(foreign.mapped("display_name")),
            ),
        )
