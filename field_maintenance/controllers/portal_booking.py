from collections import OrderedDict
from datetime import datetime

from werkzeug.urls import url_encode

from odoo import fields, http
from odoo.exceptions import UserError
from odoo.http import request
from odoo.tools import format_date, format_datetime

from ..models.field_maintenance_plan_booking import BookingSlotTaken
from ..tools import local_date
from .portal import FieldMaintenancePortal


class FieldMaintenanceBookingPortal(http.Controller):
    """Online booking of a maintenance visit from the reminder.

    Every route takes the plan's booking token (``access_token``), compared in constant
    time with the plan's (``_booking_check_token``): it opens this page of this plan only,
    not the plan nor its work orders. The plan is read as superuser after that check; the
    page shows free times, never whose they are. The POST routes are ``type="http"``
    routes with Odoo's CSRF protection (the forms carry ``csrf_token``).
    """

    def _booking_plan(self, plan_id, access_token):
        """The plan as superuser if ``access_token`` is its booking token, else None."""
        # sudo: the plan is returned only when the token given is its own booking token
        plan_sudo = request.env["field.maintenance.plan"].sudo().browse(plan_id).exists()
        if not plan_sudo or not plan_sudo._booking_check_token(access_token):
            return None
        if request.env.user._is_public() and plan_sudo.partner_id.lang:
            # the customer reads the page in their own language
            langs = {code for code, _name in request.env["res.lang"].get_installed()}
            if plan_sudo.partner_id.lang in langs:
                request.update_context(lang=plan_sudo.partner_id.lang)
        return plan_sudo.with_env(request.env(su=True))

    def _booking_days(self, plan_sudo, moments):
        """The free times grouped by local day: ``[(day label, [(value, time label)])]``."""
        env = request.env
        tz = plan_sudo._get_tz()
        days = OrderedDict()
        for moment in moments:
            day = local_date(moment, tz)
            label = format_date(env, day, date_format="EEEE d MMMM y")
            days.setdefault(label, []).append(
                (
                    fields.Datetime.to_string(moment),
                    format_datetime(env, moment, tz=tz, dt_format="HH:mm"),
                )
            )
        return list(days.items())

    def _booking_render(self, plan_sudo, access_token, error=None, next_slots=None, status=200):
        booking_status = plan_sudo._booking_status()
        own_visit = plan_sudo._booking_visit() if booking_status else None
        visit = own_visit if booking_status == "booked" else None
        can_change = bool(visit) and plan_sudo._booking_can_change()
        if next_slots is not None:
            moments = next_slots
        elif booking_status == "book" or can_change:
            moments = [
                moment for moment, _users in plan_sudo._booking_slots(exclude_order=own_visit)
            ]
        else:
            moments = []
        values = {
            "plan": plan_sudo,
            "res_company": plan_sudo.company_id,
            "access_token": access_token,
            "booking_status": booking_status,
            "visit_time": (
                plan_sudo._booking_format(visit.planned_date_start)
                if visit and visit.planned_date_start
                else False
            ),
            "visit_is_request": bool(visit) and visit.state == "draft",
            "can_change": can_change,
            "days": self._booking_days(plan_sudo, moments),
            "error": error,
            "next_slots_only": next_slots is not None,
            "due_date": format_date(request.env, plan_sudo.next_date),
            "duration": self._booking_duration_label(plan_sudo),
            "change_hours": plan_sudo.company_id.fm_booking_change_hours,
            "booked": request.params.get("booked"),
        }
        return request.render("field_maintenance.portal_maintenance_booking", values, status=status)

    def _booking_duration_label(self, plan_sudo):
        hours, minutes = divmod(round(plan_sudo._booking_duration().total_seconds() / 60), 60)
        if not minutes:
            return request.env._("%s h", hours)
        if not hours:
            return request.env._("%s min", minutes)
        return request.env._("%(hours)s h %(minutes)s min", hours=hours, minutes=minutes)

    def _booking_url(self, plan_sudo, access_token, **params):
        query = url_encode({"access_token": access_token, **params})
        return f"/my/maintenance/{plan_sudo.id}/book?{query}"

    def _readonly_booking(self, rule, args):
        """The page only reads; but right after booking or cancelling (the redirect with
        ``booked``) it reads the primary database, which has the customer's change even
        when the replica did not replay it yet."""
        return "booked" not in request.httprequest.args

    @http.route(
        "/my/maintenance/<int:plan_id>/book",
        type="http",
        auth="public",
        methods=["GET"],
        website=True,
        sitemap=False,
        readonly=_readonly_booking,
    )
    def portal_maintenance_booking(self, plan_id, access_token=None, **kwargs):
        plan_sudo = self._booking_plan(plan_id, access_token)
        if plan_sudo is None:
            raise request.not_found()
        if not plan_sudo._booking_status():
            return self._booking_render(plan_sudo, access_token, status=410)
        return self._booking_render(plan_sudo, access_token)

    @http.route(
        "/my/maintenance/<int:plan_id>/book",
        type="http",
        auth="public",
        methods=["POST"],
        website=True,
        sitemap=False,
    )
    def portal_maintenance_book(self, plan_id, access_token=None, start=None, **kwargs):
        plan_sudo = self._booking_plan(plan_id, access_token)
        if plan_sudo is None:
            raise request.not_found()
        try:
            moment = datetime.strptime(start or "", "%Y-%m-%d %H:%M:%S")
        except ValueError:
            return self._booking_render(
                plan_sudo, access_token, error=request.env._("Please pick a time."), status=400
            )
        try:
            plan_sudo._booking_book(moment)
        except BookingSlotTaken as taken:
            # a new snapshot: the next times offered take the visit that won into account
            request.env.cr.rollback()
            return self._booking_render(
                plan_sudo,
                access_token,
                error=str(taken),
                next_slots=plan_sudo._booking_next_slots(
                    moment, exclude_order=plan_sudo._booking_visit()
                ),
                status=409,
            )
        except UserError as error:
            return self._booking_render(plan_sudo, access_token, error=str(error), status=403)
        return request.redirect(self._booking_url(plan_sudo, access_token, booked=1))

    @http.route(
        "/my/maintenance/<int:plan_id>/cancel",
        type="http",
        auth="public",
        methods=["POST"],
        website=True,
        sitemap=False,
    )
    def portal_maintenance_booking_cancel(self, plan_id, access_token=None, **kwargs):
        plan_sudo = self._booking_plan(plan_id, access_token)
        if plan_sudo is None:
            raise request.not_found()
        try:
            plan_sudo._booking_cancel()
        except UserError as error:
            return self._booking_render(plan_sudo, access_token, error=str(error), status=403)
        return request.redirect(self._booking_url(plan_sudo, access_token, booked="cancelled"))


class FieldMaintenanceBookingInstallations(FieldMaintenancePortal):
    """A logged-in customer books from *My Installations* too: the installation's next
    maintenance links to the booking page of its plan."""

    def _prepare_installations_portal_rendering_values(self, *args, **kwargs):
        values = super()._prepare_installations_portal_rendering_values(*args, **kwargs)
        values["booking_urls"] = self._installations_booking_urls(
            values["installations"], request.env.user.partner_id
        )
        return values

    def _installations_page_readonly(self, customer):
        """A read/write cursor while a plan of the customer that can be booked has no
        booking token yet (``_installations_booking_urls`` creates it for its link)."""
        if not super()._installations_page_readonly(customer):
            return False
        if not customer:
            return True
        # sudo: the active plans of the user's own customer without a token, to choose the
        # cursor; nothing is shown
        plans = (
            request.env["field.maintenance.plan"]
            .sudo()
            .search(
                [
                    ("commercial_partner_id", "=", customer.id),
                    ("state", "=", "active"),
                    ("booking_token", "=", False),
                    ("company_id.fm_booking_enabled", "=", True),
                ]
            )
        )
        return not any(plan._booking_status() for plan in plans)

    def _installations_booking_urls(self, installations, partner):
        """``{equipment id: booking page}`` for the installations of the page whose plan
        (of the user's own customer) can be booked online now, the earliest due first."""
        if not installations:
            return {}
        # sudo: the active plans of the user's own customer, on the installations shown
        plans = (
            request.env["field.maintenance.plan"]
            .sudo()
            .search(
                [
                    ("commercial_partner_id", "=", partner.commercial_partner_id.id),
                    ("state", "=", "active"),
                    ("equipment_ids", "in", installations.ids),
                ],
                order="next_date, id",
            )
        )
        # one page of installations: a few plans
        bookable = plans.filtered(lambda plan: plan._booking_status())
        bookable._booking_ensure_token()
        urls = {}
        for plan in bookable:
            url = f"/my/maintenance/{plan.id}/book?access_token={plan.booking_token}"
            for equipment in plan.equipment_ids & installations:
                urls.setdefault(equipment.id, url)
        return urls
