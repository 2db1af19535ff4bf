from collections import defaultdict

from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

# statuses in which technicians run their timers
TIMER_STATES = ("draft", "planned", "ready", "in_progress")


class FieldWorkOrder(models.Model):
    """Time per technician: each technician starts, pauses and stops their own
    timer of work or travel on the work orders they work on (field.work.order.time).
    Starting the work starts their work timer; putting the order on hold or reporting
    it complete stops the running timers of the order. The recorded work hours are the
    actual hours invoiced, per technician or summed (company setting)."""

    _inherit = "field.work.order"  # pylint: disable=consider-merging-classes-inherited

    time_ids = fields.One2many("field.work.order.time", "work_order_id")
    time_work_hours = fields.Float(
        string="Hours Recorded", compute="_compute_time_hours", help="Work time of all technicians."
    )
    time_travel_hours = fields.Float(string="Travel Recorded", compute="_compute_time_hours")
    my_timer = fields.Selection(
        [("stopped", "Stopped"), ("work", "Working"), ("travel", "Travelling")],
        compute="_compute_my_timer",
    )

    @api.depends("time_ids.duration", "time_ids.time_type")
    def _compute_time_hours(self):
        for order in self:
            hours = defaultdict(float)
            for entry in order.time_ids:
                hours[entry.time_type] += entry.duration
            order.time_work_hours = hours["work"]
            order.time_travel_hours = hours["travel"]

    @api.depends("time_ids.is_running", "time_ids.user_id", "time_ids.time_type")
    @api.depends_context("uid")
    def _compute_my_timer(self):
        for order in self:
            running = order.time_ids.filtered(
                lambda entry: entry.is_running and entry.user_id == self.env.user
            )
            order.my_timer = running[:1].time_type or "stopped"

    # ------------------------------------------------------------------
    # Timer buttons
    # ------------------------------------------------------------------

    def _check_timer(self):
        """The user works on these open work orders (or is a dispatcher)."""
        self.check_access("write")
        if not self._is_dispatcher():
            foreign = self.filtered(
                lambda order: self.env.user not in order.technician_ids | order.user_id
            )
            if foreign:
                raise AccessError(
                    self.env._(
                        "Only the technicians of work orders %s can run a timer on them.",
                        ", ".join(foreign.mapped("name")),
                    )
                )
        closed = self.filtered(lambda order: order.state not in TIMER_STATES)
        if closed:
            raise UserError(
                self.env._(
                    "Work orders %s are not open for work: no timer can run on them.",
                    ", ".join(closed.mapped("name")),
                )
            )

    @api.model
    def _stop_timers(self, domain):
        """End the running timers matching ``domain`` now."""
        # sudo: the domain names running timers of the user or of orders the caller
        # checked; only their end is set, to now
        running = (
            self.env["field.work.order.time"].sudo().search([("date_end", "=", False), *domain])
        )
        running.write({"date_end": fields.Datetime.now()})
        # before a new timer of the same person is inserted (one running timer per person)
        running.flush_recordset(["date_end"])
        return running

    def _start_timer(self, time_type):
        self.ensure_one()
        self._check_timer()
        self._stop_timers([("user_id", "=", self.env.uid)])
        # sudo: technicians do not create time entries themselves; this is their own timer
        # (user and start now), on an open order they work on (_check_timer)
        self.env["field.work.order.time"].sudo().create(
            {
                "work_order_id": self.id,
                "user_id": self.env.uid,
                "time_type": time_type,
                "date_start": fields.Datetime.now(),
            }
        )
        return True

    def action_timer_work(self):
        return self._start_timer("work")

    def action_timer_travel(self):
        return self._start_timer("travel")

    def action_timer_pause(self):
        """Pause (stop) the user's running timer on these work orders."""
        self.check_access("read")
        self._stop_timers([("user_id", "=", self.env.uid), ("work_order_id", "in", self.ids)])
        return True

    def _stop_order_timers(self):
        """The job stops (on hold, complete, cancelled): every timer running on it ends."""
        return self._stop_timers([("work_order_id", "in", self.ids)])

    def action_start(self):
        result = super().action_start()
        # the technicians who start a job start their work timer (not the office)
        mine = self.filtered(lambda order: self.env.user in order.technician_ids | order.user_id)
        if len(mine) == 1 and mine.my_timer != "work":
            mine._start_timer("work")
        return result

    # ------------------------------------------------------------------
    # Invoicing: labour from the recorded time
    # ------------------------------------------------------------------

    def _work_hours_by_technician(self):
        self.ensure_one()
        hours = defaultdict(float)
        for entry in self.time_ids:
            if entry.time_type == "work":
                hours[entry.user_id] += entry.duration
        return hours

    def _labour_hours_to_invoice(self):
        """Actual hours: the work time the technicians recorded, when they did."""
        self.ensure_one()
        if self.company_id.fm_labour_hours == "actual":
            recorded = self._work_hours_by_technician()
            if recorded:
                return round(sum(recorded.values()), 2)
        return super()._labour_hours_to_invoice()

    def _labour_hours_split(self):
        """One labour line per technician when the company asks for it."""
        self.ensure_one()
        if self.company_id.fm_labour_hours == "actual" and self.company_id.fm_labour_per_technician:
            recorded = self._work_hours_by_technician()
            if recorded:
                product = self.work_type_id.labour_product_id
                return [
                    (
                        self.env._(
                            "%(product)s - %(technician)s",
                            product=product.display_name,
                            technician=user.name,
                        ),
                        round(hours, 2),
                    )
                    for user, hours in sorted(recorded.items(), key=lambda item: item[0].name)
                    if round(hours, 2) > 0
                ]
        return super()._labour_hours_split()
