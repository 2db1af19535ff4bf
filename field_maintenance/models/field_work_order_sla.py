from odoo import api, fields, models
from odoo.fields import Domain

from ..tools import assign_by_value
from .field_work_order import OPEN_STATES

# states in which a work order has had its first response
SLA_RESPONSE_STATES = ("planned", "ready", "in_progress", "on_hold", "done")
SLA_STATUSES = [
    ("on_track", "On Track"),
    ("at_risk", "At Risk"),
    ("breached", "Breached"),
    ("met", "Met"),
    # on hold: the resolution clock stops
    ("paused", "Paused (On Hold)"),
]


class FieldWorkOrder(models.Model):
    """Service levels: the SLA policy of a work order, its deadlines, response and
    resolution.

    Response: the first moment the work order is planned (a technician and a date are
    committed) or started. Resolution: the moment it is reported complete. Targets count
    working hours of the policy's calendar from the SLA start (see field.sla.policy). The
    SLA triggers of automation rules are on_time rules on the stored deadlines.
    """

    _inherit = "field.work.order"  # pylint: disable=consider-merging-classes-inherited

    sla_policy_id = fields.Many2one(
        "field.sla.policy",
        string="SLA Policy",
        compute="_compute_sla_policy_id",
        store=True,
        readonly=False,
        index="btree_not_null",
        tracking=True,
        check_company=True,
        help="Set from the first matching SLA policy when the work order is created, or when "
        "its work type, priority or customer changes while it is open.",
    )
    sla_start_date = fields.Datetime(
        string="SLA Start",
        default=fields.Datetime.now,
        copy=False,
        help="When the request was received; SLA targets count from here.",
    )
    sla_response_deadline = fields.Datetime(
        string="Response Deadline", compute="_compute_sla_deadlines", store=True
    )
    sla_resolution_deadline = fields.Datetime(
        string="Resolution Deadline", compute="_compute_sla_deadlines", store=True
    )
    sla_response_risk_date = fields.Datetime(compute="_compute_sla_deadlines", store=True)
    sla_resolution_risk_date = fields.Datetime(compute="_compute_sla_deadlines", store=True)
    sla_responded_on = fields.Datetime(
        string="Responded On",
        compute="_compute_sla_responded_on",
        store=True,
        copy=False,
        help="First time the work order was planned or started.",
    )
    sla_resolved_on = fields.Datetime(
        string="Resolved On",
        compute="_compute_sla_resolved_on",
        store=True,
        copy=False,
        help="When the work order was reported complete.",
    )
    sla_response_hours = fields.Float(
        string="Response Time",
        compute="_compute_sla_hours",
        store=True,
        aggregator="avg",
        help="Working hours from the SLA start to the first response.",
    )
    sla_resolution_hours = fields.Float(
        string="Resolution Time",
        compute="_compute_sla_hours",
        store=True,
        aggregator="avg",
        help="Working hours from the SLA start to the resolution.",
    )
    sla_failed = fields.Boolean(
        string="SLA Failed",
        compute="_compute_sla_failed",
        store=True,
        help="Responded or resolved after its deadline.",
    )
    sla_status = fields.Selection(
        SLA_STATUSES,
        string="SLA Status",
        compute="_compute_sla_status",
        search="_search_sla_status",
    )

    @api.depends("work_type_id", "priority", "partner_id", "company_id")
    def _compute_sla_policy_id(self):
        open_orders = self.filtered(lambda order: order.state in OPEN_STATES)
        policies = self.env["field.sla.policy"]._find_for_orders(open_orders)
        for order in self:
            order.sla_policy_id = policies.get(order, order.sla_policy_id)

    @api.depends("sla_policy_id", "sla_start_date", "sla_hold_hours")
    def _compute_sla_deadlines(self):
        with_policy = self.filtered(lambda order: order.sla_policy_id and order.sla_start_date)
        without = self - with_policy
        # at once for the work orders without SLA, e.g. generated maintenance visits
        without.sla_response_deadline = without.sla_response_risk_date = False
        without.sla_resolution_deadline = without.sla_resolution_risk_date = False
        for order in with_policy:
            deadlines = order.sla_policy_id._deadlines(order.sla_start_date)
            order.sla_response_deadline, order.sla_response_risk_date = deadlines["response"]
            deadline, risk = deadlines["resolution"]
            if order.sla_hold_hours:
                # the clock stopped while the order was on hold (field_work_order_hold.py)
                policy = order.sla_policy_id
                deadline = deadline and policy._plan(deadline, order.sla_hold_hours)
                risk = risk and policy._plan(risk, order.sla_hold_hours)
            order.sla_resolution_deadline, order.sla_resolution_risk_date = deadline, risk
        self.env["base.automation"]._fm_sla_deadlines_changed(self)

    @api.depends("state")
    def _compute_sla_responded_on(self):
        now = fields.Datetime.now()
        for order in self:
            if not order.sla_responded_on and order.state in SLA_RESPONSE_STATES:
                order.sla_responded_on = now
            else:
                order.sla_responded_on = order.sla_responded_on

    @api.depends("state", "date_end")
    def _compute_sla_resolved_on(self):
        now = fields.Datetime.now()
        for order in self:
            order.sla_resolved_on = (order.date_end or now) if order.state == "done" else False

    @api.depends("sla_policy_id", "sla_start_date", "sla_responded_on", "sla_resolved_on")
    def _compute_sla_hours(self):
        Policy = self.env["field.sla.policy"]
        for calendar, orders in self.grouped(
            lambda order: order.sla_policy_id.resource_calendar_id
        ).items():
            if not orders.sla_policy_id:
                orders.sla_response_hours = orders.sla_resolution_hours = 0.0
                continue
            periods = [(o.sla_start_date, o.sla_responded_on) for o in orders]
            periods += [(o.sla_start_date, o.sla_resolved_on) for o in orders]
            hours = Policy._work_hours_batch(calendar, periods)
            for order, response, resolution in zip(
                orders, hours[: len(orders)], hours[len(orders) :], strict=True
            ):
                order.sla_response_hours = response
                order.sla_resolution_hours = resolution

    @api.depends(
        "sla_response_deadline",
        "sla_resolution_deadline",
        "sla_responded_on",
        "sla_resolved_on",
    )
    def _compute_sla_failed(self):
        def failed(order):
            return bool(
                (
                    order.sla_responded_on
                    and order.sla_response_deadline
                    and order.sla_responded_on > order.sla_response_deadline
                )
                or (
                    order.sla_resolved_on
                    and order.sla_resolution_deadline
                    and order.sla_resolved_on > order.sla_resolution_deadline
                )
            )

        assign_by_value(self, "sla_failed", [failed(order) for order in self])

    @api.depends(
        "state",
        "sla_policy_id",
        "sla_failed",
        "sla_response_deadline",
        "sla_resolution_deadline",
        "sla_response_risk_date",
        "sla_resolution_risk_date",
        "sla_responded_on",
        "sla_resolved_on",
    )
    def _compute_sla_status(self):
        now = fields.Datetime.now()
        for order in self:
            order.sla_status = order._sla_status_at(now)

    def _sla_status_at(self, now):
        self.ensure_one()
        if not self.sla_policy_id or self.state == "cancelled":
            return False
        waiting_response = not self.sla_responded_on
        waiting_resolution = not self.sla_resolved_on

        def passed(waiting, moment):
            return bool(waiting and moment and moment < now)

        def reached(waiting, moment):
            return bool(waiting and moment and moment <= now)

        held = self.state == "on_hold"
        if (
            self.sla_failed
            or passed(waiting_response, self.sla_response_deadline)
            or (not held and passed(waiting_resolution, self.sla_resolution_deadline))
        ):
            return "breached"
        if held:
            return "paused"
        if not waiting_resolution:
            return "met"
        if reached(waiting_response, self.sla_response_risk_date) or reached(
            waiting_resolution, self.sla_resolution_risk_date
        ):
            return "at_risk"
        return "on_track"

    @api.model
    def _sla_status_domains(self):
        """Domain of each SLA status, consistent with _sla_status_at()."""
        now = fields.Datetime.now()
        applies = Domain("sla_policy_id", "!=", False) & Domain("state", "!=", "cancelled")

        def passed(waiting_field, moment_field, operator):
            return (
                Domain(waiting_field, "=", False)
                & Domain(moment_field, "!=", False)
                & Domain(moment_field, operator, now)
            )

        held = Domain("state", "=", "on_hold")
        breached = (
            Domain("sla_failed", "=", True)
            | passed("sla_responded_on", "sla_response_deadline", "<")
            | (~held & passed("sla_resolved_on", "sla_resolution_deadline", "<"))
        )
        at_risk = passed("sla_responded_on", "sla_response_risk_date", "<=") | passed(
            "sla_resolved_on", "sla_resolution_risk_date", "<="
        )
        resolved = Domain("sla_resolved_on", "!=", False)
        return {
            False: ~applies,
            "breached": applies & breached,
            "paused": applies & ~breached & held,
            "met": applies & ~breached & ~held & resolved,
            "at_risk": applies & ~breached & ~held & ~resolved & at_risk,
            "on_track": applies & ~breached & ~held & ~resolved & ~at_risk,
        }

    def _search_sla_status(self, operator, value):
        if operator not in ("in", "not in"):
            return NotImplemented
        domains = self._sla_status_domains()
        domain = Domain.OR(domains[status] for status in value if status in domains)
        return domain if operator == "in" else ~domain
