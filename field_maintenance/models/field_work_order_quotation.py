from markupsafe import Markup

from odoo import api, fields, models
from odoo.exceptions import UserError
from odoo.tools import format_amount

# statuses in which the customer decides on extra work on the portal (as online signing)
PORTAL_QUOTATION_STATES = ("planned", "ready", "in_progress", "done")


class FieldWorkOrder(models.Model):
    """Quotations of extra work: the technician marks lines as extra work to be accepted
    and sends them for approval; the customer accepts them (name and drawn signature,
    with the time and network address recorded and the PDF attached) or declines them on
    the portal, when the company uses it (setting)."""

    _inherit = "field.work.order"  # pylint: disable=consider-merging-classes-inherited

    extra_work_portal = fields.Boolean(related="company_id.fm_extra_work_portal")
    extra_work_proposed = fields.Boolean(
        string="Extra Work to Be Accepted", compute="_compute_extra_work_proposed"
    )
    extra_work_signature = fields.Image(
        max_width=1024,
        max_height=1024,
        readonly=True,
        copy=False,
        attachment=True,
    )
    extra_work_signed_by = fields.Char(string="Extra Work Accepted By", readonly=True, copy=False)
    extra_work_signed_on = fields.Datetime(
        string="Extra Work Accepted On", readonly=True, copy=False
    )
    extra_work_signed_ip = fields.Char(
        string="Extra Work Accepted From",
        readonly=True,
        copy=False,
        help="Network address from which the customer accepted the extra work on the portal.",
    )

    @api.depends("line_ids.extra_work_state")
    def _compute_amounts(self):  # pylint: disable=missing-return
        """Declined extra work is not part of the work order's amount (nor invoiced)."""
        super()._compute_amounts()
        for order in self:
            declined = order.line_ids.filtered(
                lambda line: line.extra_work_state == "declined" and not line.display_type
            )
            if declined:
                order.amount_untaxed -= sum(declined.mapped("price_subtotal"))

    @api.depends("line_ids.extra_work_state")
    def _compute_extra_work_proposed(self):
        for order in self:
            order.extra_work_proposed = any(
                line.extra_work_state == "proposed" for line in order.line_ids
            )

    def _extra_work_lines(self):
        """The extra work waiting for the customer's answer."""
        return self.line_ids.filtered(lambda line: line.extra_work_state == "proposed")

    def _portal_can_decide_extra_work(self):
        self.ensure_one()
        return bool(
            self.company_id.fm_extra_work_portal
            and self.state in PORTAL_QUOTATION_STATES
            and self._extra_work_lines()
        )

    def _check_can_decide_extra_work(self):
        if not self._portal_can_decide_extra_work():
            raise UserError(self.env._("There is no extra work to accept or decline."))

    def action_send_extra_work(self):
        """E-mail the customer the portal link of the work order, where they accept or
        decline the proposed extra work; posted in the chatter (as the user)."""
        self.ensure_one()
        if not self.company_id.fm_extra_work_portal:
            raise UserError(
                self.env._("Extra work quotations on the portal are not enabled (Settings).")
            )
        if not self._portal_can_decide_extra_work():
            raise UserError(
                self.env._(
                    "Mark the extra work lines as 'To Be Accepted' first; the work order must "
                    "be planned."
                )
            )
        if not self.partner_id.email:
            raise UserError(
                self.env._(
                    "The customer %(name)s has no e-mail address.", name=self.partner_id.name
                )
            )
        # sudo: the work order's own access token (portal.mixin), written by the server
        # only; the user reached this work order through their own access rights
        self.sudo()._portal_ensure_token()
        url = self.get_base_url() + self.get_portal_url()
        lines = self._extra_work_lines()
        body = Markup(
            "<p>%(intro)s</p><ul>%(lines)s</ul><p>%(total)s</p>"
            '<p><a href="%(url)s" class="btn btn-primary">%(button)s</a></p>'
        ) % {
            "intro": self.env._(
                "Our technician proposes the following extra work on %(order)s. Please accept "
                "or decline it online.",
                order=self.name,
            ),
            "lines": Markup().join(
                Markup("<li>%s</li>")
                % f"{line.name} ({line.quantity:g} {line.product_uom_id.name or ''})"
                for line in lines
            ),
            "total": self.env._(
                "Total (excl. taxes): %(amount)s",
                amount=self._format_extra_work_amount(sum(lines.mapped("price_subtotal"))),
            ),
            "url": url,
            "button": self.env._("Accept or Decline"),
        }
        self.message_post(
            body=body,
            subject=self.env._("Extra work for %(order)s", order=self.name),
            partner_ids=self.partner_id.ids,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        return True

    def _format_extra_work_amount(self, amount):
        self.ensure_one()
        return format_amount(self.env, amount, self.currency_id)

    def _portal_accept_extra_work(self, name, signature, ip_address):
        """Accept the proposed extra work with the customer's name and drawn signature
        (called as superuser by the portal controller after the access check); the PDF
        of the work order is attached to the chatter.

        :param signature: base64 PNG of the widget
        """
        self.ensure_one()
        self._check_can_decide_extra_work()
        values = self._portal_signature_values(name, signature, ip_address)
        lines = self._extra_work_lines()
        lines.extra_work_state = "accepted"
        self.write(
            {
                "extra_work_signature": values["signature"],
                "extra_work_signed_by": values["name"],
                "extra_work_signed_on": values["date"],
                "extra_work_signed_ip": values["ip"],
            }
        )
        pdf = self.env["ir.actions.report"]._render_qweb_pdf(
            "field_maintenance.action_report_work_order", self.ids
        )[0]
        self._post_extra_work_decision(
            self.env._(
                "Extra work accepted online by %(name)s: %(lines)s.",
                name=self.extra_work_signed_by,
                lines=", ".join(lines.mapped("name")),
            ),
            attachments=[(f"{self._get_report_base_filename()}.pdf", pdf)],
        )
        return True

    def _portal_decline_extra_work(self):
        """Decline the proposed extra work (called as superuser by the portal controller
        after the access check); declined lines are not invoiced."""
        self.ensure_one()
        self._check_can_decide_extra_work()
        lines = self._extra_work_lines()
        lines.extra_work_state = "declined"
        self._post_extra_work_decision(
            self.env._(
                "Extra work declined online: %(lines)s.", lines=", ".join(lines.mapped("name"))
            )
        )
        return True

    def _post_extra_work_decision(self, text, attachments=None):
        """In the chatter, as the customer (a note, as online signing)."""
        self.message_post(
            body=Markup("<p>%s</p>") % text,
            attachments=attachments or [],
            author_id=self.partner_id.id,
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )
