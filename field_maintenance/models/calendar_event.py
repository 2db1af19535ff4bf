from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.fields import Domain

# fields of a calendar event whose change moves or resizes it
EVENT_TIME_FIELDS = {"start", "stop", "start_date", "stop_date", "duration", "allday"}


class CalendarEvent(models.Model):
    """The events of work orders (field.work.order._sync_calendar_events).

    They carry customer data (customer, summary, site address), so they are private:
    employees who are not on the event see busy time only. Their
    organizer and attendees (the technicians) see them in full, also through a
    Google/Outlook synchronisation; dispatchers see those of the work orders of their
    companies in full too. The work order manages its event: only dispatchers can move
    it (which moves the work order), and only the work order links events to itself.
    """

    _inherit = "calendar.event"

    # the busy time of the technicians ahead (booking page, slot proposals): the events
    # that end after a moment, among years of past ones which an index on the start
    # alone reads through
    _fm_busy_stop_idx = models.Index("(stop) WHERE show_as = 'busy'")

    fm_work_order_id = fields.Many2one(
        "field.work.order",
        string="Work Order",
        index="btree_not_null",
        ondelete="cascade",
        copy=False,
    )

    @api.model
    def _get_activity_excluded_models(self):
        # the work order is planned through its event, not through an activity
        return super()._get_activity_excluded_models() + ["field.work.order"]

    # ------------------------------------------------------------------
    # Privacy of work-order events. Odoo internals of calendar 19.0 relied on, all here:
    # - privacy='private' hides an event from everyone but its organizer and attendees:
    #   _fetch_query masks its non-public fields ("Busy") and _compute_display_name its
    #   name, both when _check_private_event_conditions() is True for the current user;
    # - _check_calendar_privacy_write_permissions (in write) refuses the same users;
    # - the global rule calendar.calendar_event_rule_private limits write, create and
    #   unlink of private events to their organizer and attendees, whatever the
    #   override below says;
    # - _read_group only groups private events by private fields for users that
    #   _get_default_privacy_domain() lets through.
    # ------------------------------------------------------------------

    @api.model
    def _fm_user_is_dispatcher(self):
        # the user's group, also in a superuser environment (unlike
        # field.work.order._is_dispatcher): what the user may see
        return self.env.user.has_group("field_maintenance.group_field_user")

    def _check_private_event_conditions(self):
        """Dispatchers see the work-order events of their companies in full."""
        hidden = super()._check_private_event_conditions()
        if not hidden or not self._fm_user_is_dispatcher():
            return hidden
        # read as the user: when it is not in the cache yet, _fetch_query reads it and
        # calls this method again, with the link in the cache, before masking it
        order = self.fm_work_order_id
        # sudo: only the company of the work order, to compare it with the user's
        return not (order and order.sudo().company_id in self.env.companies)

    def _get_default_privacy_domain(self):
        domain = super()._get_default_privacy_domain()
        if self._fm_user_is_dispatcher():
            # the work orders' own record rules apply to this sub-domain
            domain = Domain.OR(
                [domain, [("fm_work_order_id.company_id", "in", self.env.companies.ids)]]
            )
        return domain

    @api.model
    def _fm_make_work_order_events_private(self):
        """Make the events of work orders private (the events created before version
        19.0.1.1.0 have the organizer's default privacy). Called by the migration.

        :return: the events made private
        """
        events = self.with_context(active_test=False).search(
            [("fm_work_order_id", "!=", False), ("privacy", "!=", "private")]
        )
        events.with_context(**self.env["field.work.order"]._calendar_event_context()).write(
            {"privacy": "private"}
        )
        return events

    # ------------------------------------------------------------------
    # The work order manages its event
    # ------------------------------------------------------------------

    def _fm_check_work_order_link(self, vals, create=False):
        if not self.env.su and (
            vals.get("fm_work_order_id") or (not create and "fm_work_order_id" in vals)
        ):
            raise AccessError(
                self.env._(
                    "The calendar events of work orders are created by the work orders "
                    "themselves: plan the work order instead."
                )
            )

    def _fm_work_order_events(self):
        """The events of work orders among ``self`` that the current user sees in full.
        The others are busy time to the user, whom Odoo's own privacy checks refuse."""
        if self.env.su:
            return self.filtered("fm_work_order_id")
        return self.filtered(
            lambda event: not event._check_private_event_conditions() and event.fm_work_order_id
        )

    def _fm_check_work_order_event_write(self, vals):
        """Refuse clearly a dispatcher who changes the event of a work order without
        being on it, instead of Odoo's generic access error (rule
        calendar_event_rule_private). Moving the event is checked against the work
        order's planning rights by field.work.order._update_from_calendar_events.

        :return: the events of work orders among ``self`` that the user sees in full
        """
        self._fm_check_work_order_link(vals)
        events = self._fm_work_order_events()
        if self.env.su or not events:
            return events
        user = self.env.user
        not_theirs = events.filtered(
            lambda event: (
                event.privacy == "private"
                and event.user_id != user
                and user.partner_id not in event.partner_ids
            )
        )
        if not_theirs:
            raise UserError(
                self.env._(
                    "Only the technicians of work order %(orders)s can change its event in "
                    "their calendar. To reschedule the work order, move it in Field "
                    "Service > Work Orders > Calendar.",
                    # the dispatcher reads these work orders (same company)
                    orders=", ".join(not_theirs.fm_work_order_id.mapped("name")),
                )
            )
        return events

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._fm_check_work_order_link(vals, create=True)
            if vals.get("fm_work_order_id"):
                # the event of a work order carries customer data: see the class docstring
                vals["privacy"] = "private"
        return super().create(vals_list)

    def write(self, vals):
        work_order_events = self._fm_check_work_order_event_write(vals)
        if work_order_events and vals.get("privacy", "private") != "private":
            # the event of a work order stays private, also when a calendar
            # synchronisation sends another privacy back
            other_events = self - work_order_events
            if other_events:
                other_events.write(vals)
            return work_order_events.write(dict(vals, privacy="private"))
        result = super().write(vals)
        if (
            work_order_events
            and not self.env.context.get("fm_skip_work_order_sync")
            and EVENT_TIME_FIELDS & set(vals)
        ):
            self.env["field.work.order"]._update_from_calendar_events(work_order_events)
        return result
