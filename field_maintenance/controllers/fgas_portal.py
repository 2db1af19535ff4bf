from odoo import http
from odoo.exceptions import AccessError, MissingError
from odoo.http import request

from .portal import FieldMaintenancePortal

LOGBOOK_REPORT = "field_maintenance.action_report_fgas_logbook"


class FieldFgasPortal(FieldMaintenancePortal):
    """The F-gas logbook of an installation on the portal: for the customer's own
    installations, and for anyone holding the link with the equipment's access token
    (the QR label at the installation: the Dutch practice wants the logbook viewable on
    site, also by inspectors and visiting technicians)."""

    def _fgas_equipment_check_access(self, equipment_id, access_token=None):
        """The equipment as superuser, if the current user may see its logbook: through
        its access token, or because it is an installation of their customer.

        :raise MissingError: no such equipment with a refrigerant
        :raise AccessError: the current user may not see it
        """
        try:
            equipment_sudo = self._document_check_access(
                "field.equipment", equipment_id, access_token=access_token
            )
        except AccessError:
            user = request.env.user
            if user._is_public():
                raise
            # sudo: searched within the user's own customer (the installations' domain)
            equipment_sudo = (
                request.env["field.equipment"]
                .sudo()
                .search(
                    [
                        ("id", "=", equipment_id),
                        *self._prepare_installations_domain(user.partner_id),
                    ]
                )
            )
            if not equipment_sudo:
                raise
        if not equipment_sudo.refrigerant_id:
            raise MissingError(request.env._("This installation has no F-gas logbook."))
        return equipment_sudo

    @http.route(
        ["/my/installations/<int:equipment_id>/fgas"],
        type="http",
        auth="public",
        website=True,
        readonly=True,
    )
    def portal_fgas_logbook(self, equipment_id, access_token=None, report_type=None, **kwargs):
        try:
            equipment_sudo = self._fgas_equipment_check_access(equipment_id, access_token)
        except (AccessError, MissingError):
            return request.redirect("/my")
        if report_type in ("html", "pdf", "text"):
            return self._show_report(
                model=equipment_sudo,
                report_type=report_type,
                report_ref=LOGBOOK_REPORT,
                download=kwargs.get("download") == "true",
            )
        values = {
            "page_name": "fgas_logbook",
            "equipment": equipment_sudo,
            "entries": equipment_sudo._fgas_logbook_entries(),
            "access_token": access_token,
        }
        return request.render("field_maintenance.portal_fgas_logbook", values)
