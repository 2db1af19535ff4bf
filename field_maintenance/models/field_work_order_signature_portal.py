import base64

from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError

# statuses in which the customer may sign the work order on the portal
PORTAL_SIGN_STATES = ("planned", "ready", "in_progress", "done")


class FieldWorkOrder(models.Model):
    """Online signing: a work order sent to the customer is signed on the portal with
    Odoo's signature widget; the signer's name, the time and the network address are
    recorded and the signed PDF is attached to the chatter."""

    _inherit = "field.work.order"  # pylint: disable=consider-merging-classes-inherited

    signed_ip = fields.Char(
        string="Signed From",
        readonly=True,
        copy=False,
        help="Network address from which the customer signed on the portal.",
    )

    def _portal_can_sign(self):
        self.ensure_one()
        return self.state in PORTAL_SIGN_STATES and not self.signature

    @api.model
    def _portal_signature_values(self, name, signature, ip_address):
        """The name, signature (base64 PNG of Odoo's widget), time and network address of
        a signature given on the portal, checked (a clear error when one is missing or the
        image is not base64)."""
        name = (name or "").strip()
        if not name or not signature:
            raise UserError(self.env._("Please enter your name and sign."))
        try:
            base64.b64decode(signature, validate=True)
        except ValueError as error:
            raise UserError(self.env._("The signature is not valid.")) from error
        return {
            "name": name[:128],
            "signature": signature,
            "date": fields.Datetime.now(),
            "ip": (ip_address or "")[:64],
        }

    def _portal_sign(self, name, signature, ip_address):
        """Record the customer's signature given on the portal (called as superuser by
        the portal controller after the access check) and attach the signed PDF.

        :param signature: base64 PNG of the widget
        """
        self.ensure_one()
        if not self._portal_can_sign():
            raise UserError(self.env._("This work order cannot be signed online."))
        values = self._portal_signature_values(name, signature, ip_address)
        self.write(
            {
                "signature": values["signature"],
                "signed_by": values["name"],
                "signed_on": values["date"],
                "signed_ip": values["ip"],
            }
        )
        pdf = self.env["ir.actions.report"]._render_qweb_pdf(
            "field_maintenance.action_report_work_order", self.ids
        )[0]
        self.message_post(
            body=Markup("<p>%s</p>")
            % self.env._("Signed online by %(name)s.", name=self.signed_by),
            attachments=[(f"{self._get_report_base_filename()}.pdf", pdf)],
            author_id=self.partner_id.id,
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )
        return True
