from odoo import http
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.http import request

from .portal_signature import FieldWorkOrderSignaturePortal


class FieldWorkOrderQuotationPortal(FieldWorkOrderSignaturePortal):
    """Quotations of extra work on the portal: the customer accepts the extra work the
    technician proposed with Odoo's signature widget (a JSON-RPC route, as online signing)
    or declines it (a form POST with Odoo's CSRF token); checked with the work order's
    access token or the customer's own account (``_work_order_check_access``)."""

    @http.route(
        "/my/work_orders/<int:order_id>/extra_work/accept",
        type="jsonrpc",
        auth="public",
        methods=["POST"],
        website=True,
    )
    def portal_work_order_extra_work_accept(
        self, order_id, access_token=None, name=None, signature=None
    ):
        return self._work_order_signed(
            order_id,
            access_token,
            "_portal_accept_extra_work",
            name,
            signature,
            "extra_work_accepted",
        )

    @http.route(
        "/my/work_orders/<int:order_id>/extra_work/decline",
        type="http",
        auth="public",
        methods=["POST"],
        website=True,
    )
    def portal_work_order_extra_work_decline(self, order_id, access_token=None, **kwargs):
        try:
            order_sudo = self._work_order_check_access(order_id, access_token=access_token)
        except (AccessError, MissingError):
            return request.redirect("/my")
        try:
            order_sudo._portal_decline_extra_work()
        except UserError:
            return request.redirect(
                order_sudo.get_portal_url(query_string="&message=extra_work_not_declined")
            )
        return request.redirect(
            order_sudo.get_portal_url(query_string="&message=extra_work_declined")
        )
