from odoo import http
from odoo.exceptions import AccessError, MissingError
from odoo.http import request

from odoo.addons.portal.controllers.portal import CustomerPortal
from odoo.addons.portal.controllers.portal import pager as portal_pager

# the work orders a customer sees on the portal: a draft is not decided yet, a cancelled
# one will not happen
PORTAL_STATES = ("planned", "ready", "in_progress", "done")
OPEN_PORTAL_STATES = ("planned", "ready", "in_progress")
BACKEND_ACTION = "field_maintenance.action_field_work_order"


class FieldMaintenancePortal(CustomerPortal):
    """Customer portal: the work orders and the installations (equipment, with
    their next maintenance date) of the customer (commercial partner) of the
    logged-in user, and each work order (also through its access token).

    Portal users have no access rights on work orders and equipment: the
    controller reads them as superuser, restricted to the user's own
    commercial partner (_prepare_work_orders_domain and
    _prepare_installations_domain) or to the one work order of a valid access
    token (_document_check_access). Draft and cancelled work orders are never
    shown (PORTAL_STATES).
    """

    # ------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------

    def _prepare_home_portal_values(self, counters):
        values = super()._prepare_home_portal_values(counters)
        partner = request.env.user.partner_id
        if "work_order_count" in counters:
            values["work_order_count"] = (
                request.env["field.work.order"]
                # sudo: counted within the user's own customer (the list's domain)
                .sudo()
                .search_count(self._prepare_work_orders_domain(partner))
            )
        if "installation_count" in counters:
            values["installation_count"] = (
                request.env["field.equipment"]
                # sudo: counted within the user's own customer (the list's domain)
                .sudo()
                .search_count(self._prepare_installations_domain(partner))
            )
        return values

    def _prepare_work_orders_domain(self, partner):
        return [
            ("commercial_partner_id", "=", partner.commercial_partner_id.id),
            *self._portal_work_orders_domain(),
        ]

    def _portal_work_orders_domain(self):
        """The work orders that are shown on the portal at all, to anyone."""
        return [("state", "in", PORTAL_STATES), ("active", "=", True)]

    def _prepare_installations_domain(self, partner):
        return [("commercial_partner_id", "=", partner.commercial_partner_id.id)]

    def _get_work_order_searchbar_sortings(self):
        return {
            "date": {
                "label": request.env._("Planned Date"),
                "order": "planned_date_start desc nulls last, id desc",
            },
            "name": {"label": request.env._("Reference"), "order": "name desc, id desc"},
            "state": {
                "label": request.env._("Status"),
                "order": "state, planned_date_start desc nulls last, id desc",
            },
        }

    def _get_work_order_searchbar_filters(self):
        return {
            "all": {"label": request.env._("All"), "domain": []},
            "open": {
                "label": request.env._("To Do"),
                "domain": [("state", "in", OPEN_PORTAL_STATES)],
            },
            "done": {"label": request.env._("Done"), "domain": [("state", "=", "done")]},
        }

    def _work_order_check_access(self, order_id, access_token=None):
        """Return the work order as superuser if the current user may see it on the
        portal: through its access token or their own access rights (Odoo's
        _document_check_access), or because it is a work order of their customer
        (commercial partner). Draft and cancelled work orders are never shown.

        :raise MissingError: the work order does not exist or is not on the portal
        :raise AccessError: the current user may not see the work order
        """
        try:
            order_sudo = self._document_check_access(
                "field.work.order", order_id, access_token=access_token
            )
        except AccessError:
            user = request.env.user
            if user._is_public():
                raise
            # sudo: searched within the user's own customer, with the list's domain
            order_sudo = (
                request.env["field.work.order"]
                .sudo()
                .search([("id", "=", order_id), *self._prepare_work_orders_domain(user.partner_id)])
            )
            if not order_sudo:
                raise
        if not order_sudo.filtered_domain(self._portal_work_orders_domain()):
            raise MissingError(request.env._("This document does not exist."))
        return order_sudo

    def _portal_page(self, model, domain, url, page, order, url_args):
        """The records of ``domain`` on portal page ``page``, and the pager values."""
        pager_values = portal_pager(
            url=url,
            total=model.search_count(domain),
            page=page,
            step=self._items_per_page,
            url_args=url_args,
        )
        records = model.search(
            domain, order=order, limit=self._items_per_page, offset=pager_values["offset"]
        )
        return records, pager_values

    def _prepare_work_orders_portal_rendering_values(
        self, page=1, sortby=None, filterby=None, installation=None, **kwargs
    ):
        # sudo: searched with the user's own customer's domain (_portal_page)
        WorkOrder = request.env["field.work.order"].sudo()
        partner = request.env.user.partner_id
        values = self._prepare_portal_layout_values()
        # the work orders of one installation of the customer (from "My Installations")
        # sudo: searched within the user's own customer (the installations' domain)
        equipment = request.env["field.equipment"].sudo()
        if installation and str(installation).isdigit():
            equipment = equipment.search(
                [*self._prepare_installations_domain(partner), ("id", "=", int(installation))]
            )

        searchbar_sortings = self._get_work_order_searchbar_sortings()
        if sortby not in searchbar_sortings:
            sortby = "date"
        searchbar_filters = self._get_work_order_searchbar_filters()
        if filterby not in searchbar_filters:
            filterby = "all"

        domain = self._prepare_work_orders_domain(partner) + searchbar_filters[filterby]["domain"]
        url_args = {"sortby": sortby, "filterby": filterby}
        if equipment:
            domain += [("equipment_ids", "in", equipment.ids)]
            url_args["installation"] = equipment.id
        url = "/my/work_orders"
        orders, pager_values = self._portal_page(
            WorkOrder, domain, url, page, searchbar_sortings[sortby]["order"], url_args
        )
        values.update(
            {
                "work_orders": orders,
                "page_name": "work_order",
                "pager": pager_values,
                "default_url": url,
                "searchbar_sortings": searchbar_sortings,
                "sortby": sortby,
                "searchbar_filters": searchbar_filters,
                "filterby": filterby,
                "installation": equipment,
            }
        )
        return values

    def _get_installation_searchbar_sortings(self):
        return {
            "next": {
                "label": request.env._("Next Maintenance"),
                "order": "next_maintenance_date asc nulls last, name, id",
            },
            "name": {"label": request.env._("Name"), "order": "name, id"},
        }

    def _prepare_installations_portal_rendering_values(self, page=1, sortby=None, **kwargs):
        # sudo: searched with the user's own customer's domain (_portal_page)
        Equipment = request.env["field.equipment"].sudo()
        partner = request.env.user.partner_id
        values = self._prepare_portal_layout_values()
        searchbar_sortings = self._get_installation_searchbar_sortings()
        if sortby not in searchbar_sortings:
            sortby = "next"
        domain = self._prepare_installations_domain(partner)
        url = "/my/installations"
        installations, pager_values = self._portal_page(
            Equipment, domain, url, page, searchbar_sortings[sortby]["order"], {"sortby": sortby}
        )
        values.update(
            {
                "installations": installations,
                "last_services": self._installations_last_service(installations, partner),
                "page_name": "installation",
                "pager": pager_values,
                "default_url": url,
                "searchbar_sortings": searchbar_sortings,
                "sortby": sortby,
            }
        )
        return values

    def _installations_last_service(self, installations, partner):
        """The end of the last work order of the customer on each installation: an
        installation's own last_service_date also counts the work orders of its
        previous owners.

        :return: {equipment id: datetime}
        """
        groups = (
            request.env["field.work.order"]
            # sudo: grouped within the user's own customer (the work orders' domain)
            .sudo()
            ._read_group(
                [
                    *self._prepare_work_orders_domain(partner),
                    ("equipment_ids", "in", installations.ids),
                    ("date_end", "!=", False),
                ],
                ["equipment_ids"],
                ["date_end:max"],
            )
        )
        return {equipment.id: last for equipment, last in groups}

    # ------------------------------------------------------------------
    # Read-only routes (served from a replica: db_replica_host)
    # ------------------------------------------------------------------

    def _session_customer(self):
        """The commercial partner of the session's user (empty for a visitor).

        For the ``readonly`` callables of the routes, which Odoo calls before it
        authenticates the request: they only choose the cursor (replica or primary),
        authentication and access checks follow as for any request.
        """
        uid = request.session.uid
        if not uid:
            return request.env["res.partner"]
        # sudo: only the user's commercial partner, to choose the cursor; nothing is shown
        user = request.env["res.users"].sudo().browse(uid).exists()
        return user.partner_id.commercial_partner_id

    def _readonly_my_work_orders(self, rule, args):
        """The list links each work order with its access token (``get_portal_url``):
        a read/write cursor only while a work order of the customer has none yet."""
        customer = self._session_customer()
        if not customer:
            return True
        # sudo: a count within the user's own customer (the list's domain), nothing is shown
        return not (
            request.env["field.work.order"]
            .sudo()
            .search_count(
                [
                    *self._prepare_work_orders_domain(customer),
                    ("access_token", "=", False),
                ],
                limit=1,
            )
        )

    def _readonly_my_installations(self, rule, args):
        return self._installations_page_readonly(self._session_customer())

    def _installations_page_readonly(self, customer):
        """Whether *My Installations* of ``customer`` renders without writing: the
        extensions that write (a token for a link) return False while they need to."""
        return True

    def _readonly_my_work_order(self, rule, args):
        """A report (html, pdf: rendered, not stored) only reads; the page reads too once
        the work order has its access token (the portal chatter's), which the page
        creates at the first visit on a read/write cursor."""
        if request.httprequest.args.get("report_type") in ("html", "pdf"):
            return True
        # sudo: whether one work order has its token, nothing is shown
        return not (
            request.env["field.work.order"]
            .sudo()
            .search_count([("id", "=", args["order_id"]), ("access_token", "=", False)], limit=1)
        )

    # ------------------------------------------------------------------
    # Routes
    # ------------------------------------------------------------------

    @http.route(
        ["/my/work_orders", "/my/work_orders/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
        readonly=_readonly_my_work_orders,
    )
    def portal_my_work_orders(self, **kwargs):
        values = self._prepare_work_orders_portal_rendering_values(**kwargs)
        request.session["my_work_orders_history"] = values["work_orders"].ids[:100]
        return request.render("field_maintenance.portal_my_work_orders", values)

    @http.route(
        ["/my/installations", "/my/installations/page/<int:page>"],
        type="http",
        auth="user",
        website=True,
        readonly=_readonly_my_installations,
    )
    def portal_my_installations(self, **kwargs):
        values = self._prepare_installations_portal_rendering_values(**kwargs)
        return request.render("field_maintenance.portal_my_installations", values)

    @http.route(
        ["/my/work_orders/<int:order_id>"],
        type="http",
        auth="public",
        website=True,
        readonly=_readonly_my_work_order,
    )
    def portal_my_work_order(
        self, order_id, report_type=None, access_token=None, download=False, **kwargs
    ):
        try:
            order_sudo = self._work_order_check_access(order_id, access_token=access_token)
        except (AccessError, MissingError):
            return request.redirect("/my")

        if report_type in ("html", "pdf"):
            return self._show_report(
                model=order_sudo,
                report_type=report_type,
                report_ref="field_maintenance.action_report_work_order",
                download=download in (True, "true", "True", "1"),
            )

        values = {
            "work_order": order_sudo,
            "page_name": "work_order",
            "report_type": "html",
            # logo of the right company
            "res_company": order_sudo.company_id,
            "backend_url": f"/odoo/action-{BACKEND_ACTION}/{order_sudo.id}",
        }
        values = self._get_page_view_values(
            order_sudo, access_token, values, "my_work_orders_history", False, **kwargs
        )
        if not values.get("token"):
            # the portal chatter reads and posts through the access token:
            # portal users have no access rights on work orders
            values["token"] = order_sudo._portal_ensure_token()
        return request.render("field_maintenance.portal_my_work_order", values)
