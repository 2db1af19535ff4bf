import bisect
from datetime import timedelta

from pytz import utc

from odoo import api, fields, models

from .field_work_order import PRIORITIES


class FieldSlaPolicy(models.Model):
    """Response and resolution targets for work orders, in working hours.

    A work order gets the first active policy (by sequence) of its company
    that matches its work type, priority and customer tags; empty criteria
    match everything. Targets count working hours of the policy's calendar
    from the work order's SLA start, skipping weekends and the calendar's
    public holidays (time off without a resource).
    """

    _name = "field.sla.policy"
    _description = "SLA Policy"
    _order = "sequence, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    sequence = fields.Integer(
        default=10,
        help="The first matching policy in this order applies to a new work order.",
    )
    company_id = fields.Many2one(
        "res.company",
        index=True,
        default=lambda self: self.env.company,
        help="Leave empty to use this policy in every company.",
    )
    description = fields.Text(translate=True)
    work_type_ids = fields.Many2many(
        "field.work.type",
        string="Work Types",
        check_company=True,
        help="Applies to work orders of these work types. Leave empty for all work types.",
    )
    priority = fields.Selection(
        PRIORITIES,
        string="From Priority",
        help="Applies to work orders of this priority or higher. Leave empty for all priorities.",
    )
    partner_category_ids = fields.Many2many(
        "res.partner.category",
        string="Customer Tags",
        help="Applies to customers with at least one of these tags (on the contact or on its "
        "company). Leave empty for all customers.",
    )
    resource_calendar_id = fields.Many2one(
        "resource.calendar",
        string="Working Hours",
        required=True,
        check_company=True,
        default=lambda self: self.env.company.resource_calendar_id,
        help="Targets are counted in the working hours of this calendar. Its public holidays "
        "(time off without a resource) are not counted.",
    )
    response_time = fields.Float(
        string="Response Target",
        help="Working hours between the SLA start and the first response: the work order "
        "is planned (a technician and a date are committed) or started. 0 for no target.",
    )
    resolution_time = fields.Float(
        string="Resolution Target",
        help="Working hours between the SLA start and the moment the work order is "
        "reported complete. 0 for no target.",
    )
    at_risk_time = fields.Float(
        string="At Risk Before",
        help="Working hours before a deadline from which a waiting work order is shown as "
        "at risk. 0 to skip the at-risk status.",
    )
    work_order_count = fields.Integer(compute="_compute_work_order_count")

    _response_time_positive = models.Constraint(
        "CHECK (response_time >= 0 AND resolution_time >= 0 AND at_risk_time >= 0)",
        "SLA targets and the at-risk threshold cannot be negative.",
    )

    def _compute_work_order_count(self):
        counts = dict(
            self.env["field.work.order"]._read_group(
                [("sla_policy_id", "in", self.ids)], ["sla_policy_id"], ["__count"]
            )
        )
        for policy in self:
            policy.work_order_count = counts.get(policy, 0)

    def action_view_work_orders(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "field_maintenance.action_field_work_order"
        )
        action["domain"] = [("sla_policy_id", "=", self.id)]
        action["context"] = {"search_default_sla_policy_id": self.id}
        return action

    # ------------------------------------------------------------------
    # Matching
    # ------------------------------------------------------------------

    def _matches(self, order):
        """Whether policy ``self`` applies to work order ``order``."""
        self.ensure_one()
        if self.company_id and self.company_id != order.company_id:
            return False
        if self.work_type_ids and order.work_type_id not in self.work_type_ids:
            return False
        if self.priority and int(order.priority or 0) < int(self.priority):
            return False
        if self.partner_category_ids:
            tags = order.partner_id.category_id | order.partner_id.commercial_partner_id.category_id
            if not tags & self.partner_category_ids:
                return False
        return True

    @api.model
    def _find_for_orders(self, orders):
        """Return {order: policy} for the given work orders, in one search."""
        # sudo: the policies of the orders' companies are matched, the result is given back
        # in the user's environment; technicians may set no policy themselves
        policies = (
            self.sudo()
            .search([("company_id", "in", [*orders.company_id.ids, False])])
            .with_env(self.env)
        )
        return {
            order: next((policy for policy in policies if policy._matches(order)), self.browse())
            for order in orders
        }

    # ------------------------------------------------------------------
    # Working-time arithmetic
    # ------------------------------------------------------------------

    def _plan(self, start, hours):
        """Datetime (naive UTC) ``hours`` working hours after ``start``,
        or False when there is no target."""
        self.ensure_one()
        if not hours or not start:
            return False
        calendar = self.resource_calendar_id
        if not calendar:
            return start + timedelta(hours=hours)
        return calendar.plan_hours(hours, start, compute_leaves=True)

    def _deadlines(self, start):
        """Deadlines and at-risk moments of policy ``self`` for an SLA start."""
        self.ensure_one()
        values = {}
        for key, target in (("response", self.response_time), ("resolution", self.resolution_time)):
            deadline = self._plan(start, target)
            risk = False
            if deadline and self.at_risk_time:
                risk = self._plan(start, max(target - self.at_risk_time, 0.0)) or False
            values[key] = (deadline, risk)
        return values

    @api.model
    def _work_hours_batch(self, calendar, periods):
        """Working hours of ``calendar`` in each (start, end) of ``periods``
        (naive UTC datetimes), with public holidays removed, computed from one
        read of the calendar's intervals. Returns a list of floats."""
        valid = [(start, end) for start, end in periods if start and end and end > start]
        if not valid:
            return [0.0] * len(periods)
        if not calendar:
            return [
                (end - start).total_seconds() / 3600 if start and end and end > start else 0.0
                for start, end in periods
            ]
        low = min(start for start, __ in valid).replace(tzinfo=utc)
        high = max(end for __, end in valid).replace(tzinfo=utc)
        intervals = [
            (start.astimezone(utc), stop.astimezone(utc))
            for start, stop, __ in calendar._work_intervals_batch(low, high)[False]
        ]
        stops = [stop for __, stop in intervals]
        result = []
        for start, end in periods:
            if not (start and end and end > start):
                result.append(0.0)
                continue
            start, end = start.replace(tzinfo=utc), end.replace(tzinfo=utc)
            seconds = 0.0
            index = bisect.bisect_right(stops, start)
            while index < len(intervals) and intervals[index][0] < end:
                begin, stop = intervals[index]
                seconds += max((min(stop, end) - max(begin, start)).total_seconds(), 0.0)
                index += 1
            result.append(seconds / 3600)
        return result
