from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from .field_work_order import OPEN_STATES


class FieldWorkOrder(models.Model):
    """The workflow of a work order: its transitions (``action_*``) and who may make them."""

    _inherit = "field.work.order"

    # ------------------------------------------------------------------
    # Workflow
    # ------------------------------------------------------------------

    def _check_transition(self, allowed_states, refusal, extra_check=None):
        """Raise one UserError naming every work order that cannot make the
        transition, before anything is changed.

        :param refusal: translated sentence with the placeholders %(order)s and
            %(state)s, used for the work orders in a state not in allowed_states
        :param extra_check: function returning a translated refusal for a work
            order in an allowed state, or None
        """
        state_labels = dict(self._fields["state"]._description_selection(self.env))
        problems = []
        for order in self:
            if order.state not in allowed_states:
                problems.append(refusal % {"order": order.name, "state": state_labels[order.state]})
            elif extra_check and (reason := extra_check(order)):
                problems.append(reason)
        if problems:
            raise UserError("\n".join(problems))

    @api.model
    def _is_dispatcher(self):
        """Superuser or dispatcher: may change every field and write the status (through
        the action methods); see field_work_order_access.py for what technicians may do."""
        return self.env.su or self.env.user.has_group("field_maintenance.group_field_user")

    def _check_dispatcher(self):
        if not self._is_dispatcher():
            raise AccessError(
                self.env._("Only dispatchers can plan, prepare, cancel or reset work orders.")
            )

    def _write_state(self, vals):
        """Write the status change of an action method, after its checks."""
        self.check_access("write")
        # sudo: the calling action method checked the transition and the user's right to
        # make it; ``vals`` is built by that method (status and its dates), not by the user
        return self.sudo().write(vals)

    def action_plan(self):
        self._check_dispatcher()

        def check(order):
            if not order.planned_date_start:
                return self.env._(
                    "Work order %s cannot be planned: it has no planned start.", order.name
                )
            if not order.technician_ids:
                return self.env._(
                    "Work order %s cannot be planned: no technician is assigned.", order.name
                )
            return None

        self._check_transition(
            ("draft",),
            self.env._("Work order %(order)s cannot be planned: it is %(state)s."),
            check,
        )
        self._write_state({"state": "planned"})
        self._subscribe_technicians()
        return True

    def action_ready(self):
        self._check_dispatcher()
        self._check_transition(
            ("planned",),
            self.env._(
                "Work order %(order)s cannot be marked as ready: it is %(state)s, not planned."
            ),
        )
        self._write_state({"state": "ready"})
        return True

    def action_start(self):
        """Start planned or ready work orders, and ad-hoc ones decided on site."""

        def check(order):
            if order.state == "draft" and not order.is_adhoc:
                return self.env._(
                    "Work order %s cannot be started: it is not planned yet.", order.name
                )
            return None

        self._check_transition(
            ("draft", "planned", "ready"),
            self.env._("Work order %(order)s cannot be started: it is %(state)s."),
            check,
        )
        now = fields.Datetime.now()
        not_started = self.filtered(lambda order: not order.date_start)
        (self - not_started)._write_state({"state": "in_progress"})
        not_started._write_state({"state": "in_progress", "date_start": now})
        return True

    def action_done(self):
        """Report complete: refused while something the work type requires is missing
        (signature, drawn signature, checklist, hours: _completion_refusal); the running
        timers of the job stop."""
        self._check_transition(
            ("in_progress",),
            self.env._(
                "Work order %(order)s cannot be reported complete: it is %(state)s, "
                "not in progress."
            ),
            lambda order: order._completion_refusal(),
        )
        self._stop_order_timers()
        self._write_state({"state": "done", "date_end": fields.Datetime.now()})
        return True

    def action_cancel(self):
        self._check_dispatcher()
        self._check_transition(
            OPEN_STATES,
            self.env._("Work order %(order)s cannot be cancelled: it is %(state)s."),
        )
        self._write_state({"state": "cancelled"})
        return True

    def action_draft(self):
        self._check_dispatcher()
        self._check_transition(
            ("cancelled",),
            self.env._(
                "Work order %(order)s cannot be reset to draft: it is %(state)s, not cancelled."
            ),
        )
        self._write_state({"state": "draft", "date_start": False, "date_end": False})
        return True

    def _subscribe_technicians(self):
        """The technicians follow their work orders: one subscription per team."""
        for partners, orders in self.grouped(lambda order: order.technician_ids.partner_id).items():
            if partners:
                orders.message_subscribe(partner_ids=partners.ids)
