import logging
import uuid
from datetime import datetime, time, timedelta

import psycopg2
import pytz
from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import consteq, format_datetime

from ..tools import local_date
from ..tools.slots import free_slots, to_aware_utc, to_naive_utc
from .field_booking_slot import SLOT_CELL
from .field_work_order_self_service import BOOKING_KEY

_logger = logging.getLogger(__name__)

# the booking link works until this many days after the due date
BOOKING_GRACE_DAYS = 30
# slots are proposed from this many days before the due date to this many days after
BOOKING_DAYS_BEFORE = 14
BOOKING_DAYS_AFTER = 21
# time between two proposed starts
BOOKING_STEP = timedelta(minutes=30)
# states of the visit a customer who booked it may still change
CHANGEABLE_STATES = ("draft", "planned", "ready")


class BookingSlotTaken(UserError):
    """The time picked by the customer is no longer free."""


class FieldMaintenancePlan(models.Model):
    """Online booking of the maintenance visit from the reminder: the reminder carries a
    link with a token of the plan (this action only), to a page that proposes the free
    times of the technicians who do the visit around the due date; the customer picks
    one, reschedules or cancels it up to a number of hours before (company settings).

    The link works while the plan is active, until the visit is planned by the office or
    the due date is well past (BOOKING_GRACE_DAYS); the token changes with the due date.
    Two customers who pick the same time of the same technician at the same moment: the
    locks of field.booking.slot let one through (BookingSlotTaken for the other).
    """

    _inherit = "field.maintenance.plan"  # pylint: disable=consider-merging-classes-inherited

    booking_token = fields.Char(copy=False, readonly=True, groups="base.group_system")
    booking_url = fields.Char(
        string="Booking Link",
        compute="_compute_booking_url",
        groups="field_maintenance.group_field_user",
        help="Link of the reminder to the page where the customer books the visit.",
    )

    @api.depends("booking_token", "state", "company_id.fm_booking_enabled")
    def _compute_booking_url(self):
        # sudo: the plans' own tokens, to build their links (dispatchers and the reminder)
        for plan, plan_sudo in zip(self, self.sudo(), strict=True):
            token = plan_sudo.booking_token
            plan.booking_url = (
                f"{plan.get_base_url()}/my/maintenance/{plan.id}/book?access_token={token}"
                if token and plan.company_id.fm_booking_enabled and plan.state == "active"
                else False
            )

    def write(self, vals):
        result = super().write(vals)
        if "next_date" in vals:
            # sudo: a new due date makes a new link; the old one stops working
            self.sudo().filtered("booking_token").write({"booking_token": False})
        return result

    def _send_reminders(self):
        self._booking_ensure_token()
        return super()._send_reminders()

    def _booking_ensure_token(self):
        """Give the plans whose company books online a booking token (for their link)."""
        # sudo: only the technical token of plans whose reminder is being sent
        plans = self.sudo().filtered(
            lambda plan: not plan.booking_token and plan.company_id.fm_booking_enabled
        )
        for plan in plans:
            plan.booking_token = str(uuid.uuid4())
        return True

    # ------------------------------------------------------------------
    # Link and status
    # ------------------------------------------------------------------

    def _booking_check_token(self, token):
        """Whether ``token`` is the booking token of the plan (constant-time)."""
        self.ensure_one()
        # sudo: compared, never shown
        own = self.sudo().booking_token
        return bool(token and own and consteq(own, str(token)))

    def _booking_visit(self):
        """The work order (not cancelled) of the current due date, if any."""
        self.ensure_one()
        return self._open_work_orders_of_due_date()

    def _booking_status(self):
        """What the booking link may do now: ``'book'`` (pick a time), ``'booked'`` (the
        customer booked it: see, reschedule or cancel it) or False (no longer valid: plan
        cancelled, booking off, visit planned by the office or due date well past)."""
        self.ensure_one()
        if self.state != "active" or not self.company_id.fm_booking_enabled or not self.next_date:
            return False
        today = fields.Date.context_today(self)
        if self.next_date + timedelta(days=BOOKING_GRACE_DAYS) < today:
            return False
        visit = self._booking_visit()
        if not visit:
            return "book"
        if visit.self_service_origin == "booking" and visit.state in CHANGEABLE_STATES:
            return "booked"
        if visit.state == "draft":
            return "book"  # created ahead by the cron or proposed by the office, not planned
        return False

    def _booking_can_change(self):
        """Whether the customer may still reschedule or cancel the visit they booked."""
        self.ensure_one()
        visit = self._booking_visit()
        if not visit.planned_date_start:
            return False
        limit = timedelta(hours=self.company_id.fm_booking_change_hours or 0)
        return visit.planned_date_start - fields.Datetime.now() >= limit

    # ------------------------------------------------------------------
    # Free slots
    # ------------------------------------------------------------------

    def _booking_duration(self):
        self.ensure_one()
        return timedelta(hours=self.work_type_id.default_duration or 1.0)

    def _booking_technicians(self):
        """Technicians who may do the visit: the plan's responsible, else the technicians
        of its work type (online booking), else the technicians of its company."""
        self.ensure_one()
        if self.user_id and self._can_do_visits(self.user_id):
            return self.user_id
        of_type = self.work_type_id.booking_user_ids.filtered(self._can_do_visits)
        if of_type:
            return of_type.sorted("id")
        group = self.env.ref("field_maintenance.group_field_technician")
        return self.env["res.users"].search(
            [
                ("all_group_ids", "in", group.id),
                ("share", "=", False),
                ("company_ids", "in", self.company_id.id),
            ],
            order="id",
        )

    def _booking_window(self):
        """(start, end) aware UTC of the days proposed, and the earliest start."""
        self.ensure_one()
        tz = self._get_tz()
        zone = pytz.timezone(tz)
        hours = max(self.company_id.fm_booking_change_hours or 0, 1)
        earliest = to_aware_utc(fields.Datetime.now() + timedelta(hours=hours))
        first_day = max(
            self.next_date - timedelta(days=BOOKING_DAYS_BEFORE),
            local_date(to_naive_utc(earliest), tz),
        )
        last_day = max(
            self.next_date + timedelta(days=BOOKING_DAYS_AFTER),
            first_day + timedelta(days=BOOKING_DAYS_AFTER),
        )
        start = zone.localize(datetime.combine(first_day, time.min)).astimezone(pytz.utc)
        end = zone.localize(datetime.combine(last_day + timedelta(days=1), time.min)).astimezone(
            pytz.utc
        )
        return start, end, earliest

    def _booking_work_intervals(self, technicians, start, end):
        """``{user id: [(start, stop)]}``: working hours of each technician (their own
        calendar, else the company's) minus their leaves and the company's public
        holidays, between aware ``start`` and ``end``."""
        self.ensure_one()
        result = {}
        company_calendar = self.company_id.resource_calendar_id
        resource_of = {}
        for user in technicians:
            resources = user.resource_ids.filtered(
                lambda resource: resource.company_id in (self.company_id, resource.browse())
            )
            resource_of[user.id] = resources[:1]
        by_calendar = technicians.grouped(
            lambda user: resource_of[user.id].calendar_id or company_calendar
        )
        for calendar, users in by_calendar.items():
            if not calendar:
                continue
            resources = self.env["resource.resource"].union(
                *(resource_of[user.id] for user in users)
            )
            intervals = calendar._work_intervals_batch(start, end, resources=resources)
            for user in users:
                key = resource_of[user.id].id or False
                result[user.id] = [(begin, stop) for begin, stop, _record in intervals[key]]
        return result

    def _booking_busy(self, technicians, start, end, exclude_order=None):
        """``{user id: [(start, stop)]}``: when each technician is busy (calendar events
        they attend, open work orders they are on) between aware ``start`` and ``end``."""
        self.ensure_one()
        busy = {user.id: [] for user in technicians}
        user_of_partner = {user.partner_id.id: user.id for user in technicians}
        naive_start, naive_end = to_naive_utc(start), to_naive_utc(end)
        zone = pytz.timezone(self._get_tz())
        events = self.env["calendar.event"].search_fetch(
            [
                ("partner_ids", "in", list(user_of_partner)),
                ("start", "<", naive_end),
                ("stop", ">", naive_start - timedelta(days=1)),
                ("show_as", "=", "busy"),
            ],
            [
                "start",
                "stop",
                "allday",
                "start_date",
                "stop_date",
                "partner_ids",
                "fm_work_order_id",
            ],
        )
        if exclude_order:
            events = events.filtered(lambda event: event.fm_work_order_id != exclude_order)
        for event in events:
            if event.allday:
                begin = zone.localize(datetime.combine(event.start_date, time.min))
                stop = zone.localize(
                    datetime.combine(event.stop_date + timedelta(days=1), time.min)
                )
            else:
                begin, stop = to_aware_utc(event.start), to_aware_utc(event.stop)
            for partner in event.partner_ids:
                if partner.id in user_of_partner:
                    busy[user_of_partner[partner.id]].append((begin, stop))
        orders = self.env["field.work.order"].search_fetch(
            [
                ("technician_ids", "in", technicians.ids),
                ("state", "in", ("draft", "planned", "ready", "in_progress")),
                ("planned_date_start", "<", naive_end),
                ("planned_date_end", ">", naive_start),
                ("id", "!=", exclude_order.id if exclude_order else False),
            ],
            ["planned_date_start", "planned_date_end", "technician_ids"],
        )
        for order in orders:
            interval = (
                to_aware_utc(order.planned_date_start),
                to_aware_utc(order.planned_date_end),
            )
            for user in order.technician_ids:
                if user.id in busy:
                    busy[user.id].append(interval)
        return busy

    def _booking_slots(self, start=None, end=None, exclude_order=None):
        """Free starts for the visit: ``[(naive UTC start, res.users free then)]``.
        Called as superuser by the portal: the caller shows the times only."""
        self.ensure_one()
        window_start, window_end, earliest = self._booking_window()
        start = max(start or window_start, window_start)
        end = min(end or window_end, window_end)
        technicians = self._booking_technicians()
        if not technicians or start >= end:
            return []
        work = self._booking_work_intervals(technicians, start, end)
        busy = self._booking_busy(technicians, start, end, exclude_order=exclude_order)
        slots = free_slots(
            work,
            busy,
            self._booking_duration(),
            BOOKING_STEP,
            self._get_tz(),
            earliest=max(earliest, start),
        )
        Users = self.env["res.users"]
        return [(to_naive_utc(moment), Users.browse(user_ids)) for moment, user_ids in slots]

    def _booking_next_slots(self, after, count=6, exclude_order=None):
        """The first ``count`` free starts after naive UTC ``after``."""
        return [
            moment
            for moment, _users in self._booking_slots(
                start=to_aware_utc(after), exclude_order=exclude_order
            )
            if moment > after
        ][:count]

    # ------------------------------------------------------------------
    # Book, reschedule, cancel (called as superuser by the portal, after the token)
    # ------------------------------------------------------------------

    def _booking_book(self, start):
        """Book the visit of the current due date at naive UTC ``start``, or move the
        visit the customer booked there.

        :return: the work order
        :raise BookingSlotTaken: the time is not free (any more)
        :raise UserError: the link may not book now
        """
        self.ensure_one()
        status = self._booking_status()
        visit = self._booking_visit()
        if not status:
            raise UserError(self.env._("This booking link is no longer valid."))
        rescheduling = status == "booked"
        if rescheduling and not self._booking_can_change():
            raise UserError(self._booking_too_late_message())
        duration = self._booking_duration()
        aware = to_aware_utc(start)
        slots = self._booking_slots(
            start=aware - SLOT_CELL,
            end=aware + duration + SLOT_CELL,
            exclude_order=visit,
        )
        free = next((users for moment, users in slots if moment == start), None)
        if not free:
            raise BookingSlotTaken(self._booking_taken_message())
        previous = visit.planned_date_start if rescheduling else False
        Lock = self.env["field.booking.slot"]
        for user in free:
            try:
                with self.env.cr.savepoint():
                    order = self._booking_write_visit(visit, user, start, duration)
                    Lock.search([("work_order_id", "=", order.id)]).unlink()
                    Lock.create(Lock._prepare_cells(order, user, start, start + duration))
                break
            except psycopg2.IntegrityError:
                _logger.info("Booking of plan %s at %s: taken meanwhile", self.id, start)
                visit = self._booking_visit()
                continue
        else:
            raise BookingSlotTaken(self._booking_taken_message())
        self._booking_notify(order, "rescheduled" if rescheduling else "booked", previous)
        return order

    def _booking_write_visit(self, visit, user, start, duration):
        """Create the visit (or update the existing one) at ``start`` with ``user``;
        planned at once or left as a request, as the company chose."""
        self.ensure_one()
        vals = {
            "technician_ids": [Command.set(user.ids)],
            "user_id": user.id,
            "planned_date_start": start,
            "planned_hours": duration.total_seconds() / 3600,
            "booked_on": fields.Datetime.now(),
            "self_service_origin": "booking",
        }
        if visit:
            visit = visit.with_context(**{BOOKING_KEY: True})
            visit.write(vals)
        else:
            visit = (
                self.env["field.work.order"]
                .with_context(**{BOOKING_KEY: True}, mail_create_nosubscribe=True)
                .create({**self._prepare_work_order_vals(), **vals})
            )
        if self.company_id.fm_booking_mode == "plan" and visit.state == "draft":
            visit.action_plan()
        return visit.with_context(**{BOOKING_KEY: False})

    def _booking_cancel(self):
        """Cancel the visit the customer booked."""
        self.ensure_one()
        visit = self._booking_visit()
        if self._booking_status() != "booked":
            raise UserError(self.env._("This booking link is no longer valid."))
        if not self._booking_can_change():
            raise UserError(self._booking_too_late_message())
        previous = visit.planned_date_start
        self.env["field.booking.slot"].search([("work_order_id", "=", visit.id)]).unlink()
        visit.action_cancel()
        self._booking_notify(visit, "cancelled", previous)
        return visit

    def _booking_taken_message(self):
        return self.env._(
            "Sorry, this time has just been booked by someone else. Please pick another one."
        )

    def _booking_too_late_message(self):
        return self.env._(
            "The visit can only be changed online up to %s hours before it starts; please "
            "contact us.",
            self.company_id.fm_booking_change_hours,
        )

    def _booking_format(self, moment, lang=None):
        """``moment`` (naive UTC) in the plan's time zone, in words."""
        env = self.with_context(lang=lang).env if lang else self.env
        return format_datetime(env, moment, tz=self._get_tz(), dt_format="EEEE d MMMM y, HH:mm")

    def _booking_dispatchers(self):
        """Who hears of the customer's bookings: the dispatchers who follow the plan, else
        the dispatchers of its company, else the user who created it."""
        self.ensure_one()
        dispatcher = self.env.ref("field_maintenance.group_field_user")
        following = self.message_partner_ids.user_ids.filtered(
            lambda user: not user.share and dispatcher in user.all_group_ids
        )
        if following:
            return following.partner_id
        # sudo: the dispatchers of the plan's company, only to notify them (the customer
        # who booked may not read users)
        users = (
            self.env["res.users"]
            .sudo()
            .search(
                [
                    ("all_group_ids", "in", dispatcher.ids),
                    ("share", "=", False),
                    ("company_ids", "in", self.company_id.ids),
                ]
            )
        )
        return users.partner_id or self.create_uid.partner_id

    def _booking_notify(self, order, change, previous=False):
        """Say on the plan and on the work order what the customer did, to the
        dispatchers (a note that notifies them)."""
        self.ensure_one()
        lang = self.company_id.partner_id.lang or self.env.lang
        plan = self.with_context(lang=lang)
        when = plan._booking_format(order.planned_date_start, lang)
        before = plan._booking_format(previous, lang) if previous else ""
        customer = self.partner_id.display_name
        bodies = {
            "booked": plan.env._(
                "%(customer)s booked the maintenance visit online for %(when)s (%(order)s).",
                customer=customer,
                when=when,
                order=order.name,
            ),
            "rescheduled": plan.env._(
                "%(customer)s moved the maintenance visit online from %(before)s to "
                "%(when)s (%(order)s).",
                customer=customer,
                before=before,
                when=when,
                order=order.name,
            ),
            "cancelled": plan.env._(
                "%(customer)s cancelled online the maintenance visit of %(before)s (%(order)s).",
                customer=customer,
                before=before,
                order=order.name,
            ),
        }
        body = Markup("<p>%s</p>") % bodies[change]
        if change != "cancelled" and order.state == "draft":
            body += Markup("<p>%s</p>") % plan.env._(
                "The work order is a request: plan it to confirm the visit."
            )
        dispatchers = self._booking_dispatchers()
        for record in (self, order):
            record.message_post(
                body=body,
                author_id=self.partner_id.id,
                message_type="comment",
                subtype_xmlid="mail.mt_note",
                partner_ids=dispatchers.ids,
            )
