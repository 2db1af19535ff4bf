from odoo import fields, models
from odoo.exceptions import UserError

from .field_work_order import WORK_ORDER_STATES

# statuses a work order can be put on hold from, and the reasons
HOLD_FROM_STATES = ("planned", "ready", "in_progress")
HOLD_REASONS = [
    ("parts", "Waiting for parts"),
    ("customer", "Waiting for the customer"),
    ("other", "Other"),
]


class FieldWorkOrder(models.Model):
    """On hold: a planned, ready or started job waits for parts or for the
    customer. The SLA resolution clock stops while it waits (field_work_order_sla.py adds
    the working hours on hold to the resolution deadline), the technicians' timers stop,
    and automation rules can trigger on the status (preset "Work order put on hold").
    Resuming brings the job back to the status it had."""

    _inherit = "field.work.order"  # pylint: disable=consider-merging-classes-inherited

    hold_reason = fields.Selection(HOLD_REASONS, readonly=True, copy=False, tracking=True)
    hold_note = fields.Char(string="Hold Details", readonly=True, copy=False, tracking=True)
    hold_from_state = fields.Selection(
        [(state, label) for state, label in WORK_ORDER_STATES if state in HOLD_FROM_STATES],
        string="On Hold From",
        readonly=True,
        copy=False,
    )
    hold_date = fields.Datetime(string="On Hold Since", readonly=True, copy=False)
    sla_hold_hours = fields.Float(
        string="Time On Hold",
        readonly=True,
        copy=False,
        help="Working hours (of the SLA calendar) the work order spent on hold: the "
        "resolution deadline moves by as much.",
    )

    def action_hold(self):
        """Ask why the work order waits (wizard), then put it on hold."""
        self._check_holdable()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Put On Hold"),
            "res_model": "field.work.order.hold",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {"default_work_order_ids": self.ids},
        }

    def _check_holdable(self):
        self._check_transition(
            HOLD_FROM_STATES,
            self.env._("Work order %(order)s cannot be put on hold: it is %(state)s."),
        )

    def _hold(self, reason, note=False):
        if reason not in dict(HOLD_REASONS):
            raise UserError(self.env._("Say why the work order is put on hold."))
        self._check_holdable()
        self._stop_order_timers()
        for from_state, orders in self.grouped("state").items():
            orders._write_state(
                {
                    "state": "on_hold",
                    "hold_reason": reason,
                    "hold_note": note or False,
                    "hold_from_state": from_state,
                    "hold_date": fields.Datetime.now(),
                }
            )
        return True

    def _action_hold_other(self):
        """The status written directly (e.g. a card dragged to On Hold)."""
        return self._hold("other")

    def _resume(self):
        """Back to the status before the hold; the working hours on hold move the SLA
        resolution deadline."""
        self._check_transition(
            ("on_hold",),
            self.env._("Work order %(order)s cannot be resumed: it is %(state)s, not on hold."),
        )
        now = fields.Datetime.now()
        Policy = self.env["field.sla.policy"]
        for order in self:
            held = 0.0
            if order.hold_date and order.sla_policy_id:
                held = Policy._work_hours_batch(
                    order.sla_policy_id.resource_calendar_id, [(order.hold_date, now)]
                )[0]
            order._write_state(
                {
                    "state": order.hold_from_state or "planned",
                    "hold_reason": False,
                    "hold_note": False,
                    "hold_from_state": False,
                    "hold_date": False,
                    "sla_hold_hours": order.sla_hold_hours + held,
                }
            )
        return True

    def action_resume(self):
        self._resume()
        mine = self.filtered(
            lambda order: (
                order.state == "in_progress"
                and self.env.user in order.technician_ids | order.user_id
            )
        )
        if len(mine) == 1:
            mine._start_timer("work")
        return True

    def action_start(self):
        """Starting a held job resumes it (a card dragged from On Hold to In Progress)."""
        held = self.filtered(lambda order: order.state == "on_hold")
        if held:
            held._resume()
        to_start = self - held.filtered(lambda order: order.state == "in_progress")
        return super(FieldWorkOrder, to_start).action_start() if to_start else True

    def action_cancel(self):
        result = super().action_cancel()
        self._stop_order_timers()
        return result
