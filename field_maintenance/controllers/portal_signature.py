from odoo import http
from odoo.exceptions import AccessError, MissingError, UserError
from odoo.http import request

from .portal import FieldMaintenancePortal


class FieldWorkOrderSignaturePortal(FieldMaintenancePortal):
    """Online signing of a work order sent to the customer, with Odoo's portal signature
    widget (``portal.signature_form``), as sale orders are accepted: a JSON-RPC route
    (the widget's call), checked with the work order's access token or the customer's own
    account (``_work_order_check_access``)."""

    @http.route(
        "/my/work_orders/<int:order_id>/sign",
        type="jsonrpc",
        auth="public",
        methods=["POST"],
        website=True,
    )
    def portal_work_order_sign(self, order_id, access_token=None, name=None, signature=None):
        return self._work_order_signed(
            order_id, access_token, "_portal_sign", name, signature, "signed"
        )

    def _work_order_signed(self, order_id, access_token, method, name, signature, message):
        """The answer of Odoo's signature widget: ``method`` of the work order (as
        superuser, after the access check with the token or the customer's account) records
        the signature, then the page reloads with ``message``, or the widget shows the
        error."""
        access_token = access_token or request.httprequest.args.get("access_token")
        try:
            order_sudo = self._work_order_check_access(order_id, access_token=access_token)
        except (AccessError, MissingError):
            return {"error": request.env._("Invalid work order.")}
        try:
            getattr(order_sudo, method)(name, signature, request.httprequest.remote_addr)
        except UserError as error:
            return {"error": str(error)}
        return {
            "force_refresh": True,
            "redirect_url": order_sudo.get_portal_url(query_string=f"&message={message}"),
        }
