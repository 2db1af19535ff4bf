from datetime import timedelta

import pytz

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import clean_context

from .field_work_order import PLANNING_FIELDS

# states in which a work order has a calendar event for its technicians
# (on hold: the visit keeps its place until the dispatcher moves it)
CALENDAR_STATES = ("planned", "ready", "in_progress", "on_hold", "done")
# fields whose change must be reflected on the calendar event
CALENDAR_FIELDS = PLANNING_FIELDS | {
    "active",
    "state",
    "name",
    "summary",
    "partner_id",
    "site_partner_id",
}


class FieldWorkOrder(models.Model):
    """The technicians' agenda: a private calendar event per planned work order, kept in
    step with its planning both ways (a dispatcher moving the event moves the work order).
    """

    _inherit = "field.work.order"  # pylint: disable=consider-merging-classes-inherited

    calendar_event_ids = fields.One2many(
        "calendar.event", "fm_work_order_id", string="Calendar Events", copy=False
    )
    calendar_title = fields.Char(
        compute="_compute_calendar_title",
        help="Title of the work order's tile in the calendar: its status (when not "
        "simply planned), customer, place and summary.",
    )

    @api.depends_context("lang")
    @api.depends(
        "state",
        "is_overdue",
        "partner_id.name",
        "site_partner_id.city",
        "site_partner_id.name",
        "partner_id.city",
        "summary",
        "name",
    )
    def _compute_calendar_title(self):
        states = dict(self._fields["state"]._description_selection(self.env))
        for order in self:
            # what the dispatcher must see at a glance: overdue, done, started, a draft
            if order.is_overdue:
                mark = "⚠ " + self.env._("Overdue")
            elif order.state in ("planned", "ready"):
                mark = ""
            else:
                mark = {"done": "✓", "in_progress": "▶", "on_hold": "⏸"}.get(order.state, "")
                mark = f"{mark} {states.get(order.state, '')}".strip()
            site = order.site_partner_id
            place = site.city or order.partner_id.city or (site.name if site else "")
            parts = [
                order.partner_id.commercial_partner_id.name or order.partner_id.name,
                place,
                order.summary or order.name,
            ]
            title = " · ".join(part for part in parts if part)
            order.calendar_title = f"{mark} · {title}" if mark else title

    @api.model
    def default_get(self, fields_list):
        """A slot picked in the calendar gives a start and an end (``default_planned_date_
        start/end`` in the context, one hour by default). When the work type of the new
        work order has a duration (e.g. a visit scheduled from a maintenance plan), the
        slot's end would override it: planned hours 1:30 but an end one hour after the
        start. The slot gives the start only then; the end follows the duration."""
        context = self.env.context
        work_type_id = context.get("default_work_type_id")
        if (
            context.get("default_planned_date_start")
            and context.get("default_planned_date_end")
            and "default_planned_hours" not in context
            and work_type_id
            and self.env["field.work.type"].browse(work_type_id).exists().default_duration
        ):
            fields_list = [name for name in fields_list if name != "planned_date_end"]
        return super().default_get(fields_list)

    @api.onchange("technician_ids")
    def _onchange_technicians_propose_slot(self):
        """A technician given to a draft without a date: its planned start proposes the
        next working slot (the date picker would start on the current hour, 22:00 in
        the evening), for the dispatcher to move."""
        if (
            self.state == "draft"
            and self.technician_ids
            and not self.planned_date_start
            and not self.is_adhoc
            and self._is_dispatcher()
        ):
            self.planned_date_start = self._fm_next_working_slot()

    @api.model
    def _fm_next_working_slot(self, after=None):
        """Start (naive UTC) of the next half hour in the working hours of the company
        (its resource calendar), from ``after`` (now by default)."""
        after = after or fields.Datetime.now()
        company = self.company_id or self.env.company
        calendar = company.resource_calendar_id
        moment = after.replace(second=0, microsecond=0)
        moment += timedelta(minutes=(30 - moment.minute % 30) % 30)
        if not calendar:
            return moment
        start = pytz.utc.localize(moment)
        intervals = calendar._work_intervals_batch(start, start + timedelta(days=14))[False]
        for interval_start, interval_stop, _attendance in intervals:
            if interval_stop > start:
                slot = max(interval_start, start)
                return slot.astimezone(pytz.utc).replace(tzinfo=None)
        return moment

    @api.model_create_multi
    def create(self, vals_list):
        orders = super().create(vals_list)
        orders._sync_calendar_events()
        if self.env.context.get("fm_plan_on_create") and self._is_dispatcher():
            # scheduled from a maintenance plan on the calendar: planned in one step when
            # it has a date and a technician (else it stays a draft to complete)
            orders.filtered(
                lambda order: (
                    order.state == "draft" and order.planned_date_start and order.technician_ids
                )
            ).action_plan()
        return orders

    def write(self, vals):
        if "calendar_title" in vals:
            # the calendar sends its tile's title back when a tile is moved: not a value
            vals = dict(vals)
            vals.pop("calendar_title")
            if not vals:
                return True
        calendar_fields = CALENDAR_FIELDS & set(vals)
        if not calendar_fields or ("state" in vals and not self.env.su):
            # nothing the events show, or a status written by a user: the status goes
            # through its action method, whose own write moves the events
            return super().write(vals)
        if calendar_fields == {"state"}:
            # a status change matters to the calendar only when the work order enters or
            # leaves the statuses that have an event
            on_calendar = {order.id: order.state in CALENDAR_STATES for order in self}
        result = super().write(vals)
        if calendar_fields == {"state"}:
            self.filtered(
                lambda order: (order.state in CALENDAR_STATES) != on_calendar[order.id]
            )._sync_calendar_events()
        else:
            self._sync_calendar_events()
        return result

    def unlink(self):
        # sudo: the events belong to the work orders the user may delete (checked by the
        # ORM's unlink below, in the same transaction); technicians may not delete them
        self.calendar_event_ids.sudo().with_context(**self._calendar_event_context()).unlink()
        return super().unlink()

    @api.model
    def _calendar_event_context(self):
        return {
            "fm_skip_work_order_sync": True,
            "no_mail_to_attendees": True,
            "skip_attendee_notification": True,
            "mail_create_nolog": True,
            "mail_create_nosubscribe": True,
            "mail_notrack": True,
        }

    def _prepare_calendar_event_vals(self):
        self.ensure_one()
        title = " - ".join(filter(None, [self.name, self.partner_id.display_name, self.summary]))
        return {
            "name": title,
            "start": self.planned_date_start,
            "stop": self.planned_date_end or self.planned_date_start,
            "user_id": self.user_id.id or self.env.user.id,
            "partner_ids": [Command.set(self.technician_ids.partner_id.ids)],
            "location": self.site_address,
            "res_model_id": self.env["ir.model"]._get_id(self._name),
            "res_id": self.id,
            "fm_work_order_id": self.id,
            # customer data: busy time to the employees who are not on the event
            # (dispatchers see it too, see calendar.event._check_private_event_conditions)
            "privacy": "private",
        }

    def _sync_calendar_events(self):
        """Create, move or remove the calendar event of each work order."""
        if self.env.context.get("fm_skip_event_sync"):
            return
        # no default_* of the work-order screen may reach the events.
        # sudo: events are written from the work orders' own values (the user changed
        # these orders, with their rights); the event is private (see
        # _prepare_calendar_event_vals), the user gives nothing else
        Event = (
            self.env["calendar.event"]
            .sudo()
            .with_context(clean_context(self.env.context), **self._calendar_event_context())
        )
        to_remove = Event
        to_create = []
        # sudo: the events of these orders are read to compare them with the orders
        orders = self.sudo()
        # the events of all the work orders in one read, not one each
        orders.calendar_event_ids.fetch(
            ["name", "start", "stop", "user_id", "location", "partner_ids"]
        )
        for order in orders:
            events = order.calendar_event_ids
            wanted = (
                order.active
                and order.state in CALENDAR_STATES
                and order.planned_date_start
                and order.technician_ids
            )
            if not wanted:
                to_remove |= events
                continue
            vals = order._prepare_calendar_event_vals()
            if not events:
                to_create.append(vals)
                continue
            event = events[:1]
            to_remove |= events[1:]
            current = {
                "name": event.name,
                "start": event.start,
                "stop": event.stop,
                "user_id": event.user_id.id,
                "location": event.location or False,
            }
            changed = {
                key: vals[key] for key, value in current.items() if (vals[key] or False) != value
            }
            if set(event.partner_ids.ids) != set(order.technician_ids.partner_id.ids):
                changed["partner_ids"] = vals["partner_ids"]
            if changed:
                event.with_env(Event.env).write(changed)
        if to_remove:
            to_remove.with_env(Event.env).unlink()
        if to_create:
            Event.create(to_create)

    def _update_from_calendar_events(self, events):
        """Reflect a move or resize of events in the calendar on their work orders.

        Only dispatchers change the planning of a work order, also through its event:
        anyone else (a technician moving their event in the Calendar app) gets a
        UserError and nothing changes. Writing the same dates again (e.g. a calendar
        synchronisation) is no move.
        """
        moves = []
        for event in events:
            # sudo: only the planned dates (compared with the event's) and the reference
            # (named in the refusal); the work orders are written with the user's rights
            order = event.sudo().fm_work_order_id
            if order and (order.planned_date_start, order.planned_date_end) != (
                event.start,
                event.stop,
            ):
                moves.append((order, event))
        if not moves:
            return
        if not self.with_env(events.env)._is_dispatcher():
            raise UserError(
                self.env._(
                    "You cannot move the calendar event of work order %(orders)s: only "
                    "dispatchers can change the planning of work orders. Ask a dispatcher "
                    "to reschedule it.",
                    orders=", ".join(order.name for order, _event in moves),
                )
            )
        for order, event in moves:
            order.with_env(events.env).with_context(fm_skip_event_sync=True).write(
                {"planned_date_start": event.start, "planned_date_end": event.stop}
            )

    def action_view_calendar_event(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "calendar.event",
            "view_mode": "form",
            "res_id": self.calendar_event_ids[:1].id,
        }
