from odoo import models


class FieldWorkOrder(models.Model):
    """What the customer gets: the work order on the portal, the PDF report and the
    e-mail that sends it (the customer is the recipient)."""

    _inherit = "field.work.order"  # pylint: disable=consider-merging-classes-inherited

    def _compute_access_url(self):  # pylint: disable=missing-return
        super()._compute_access_url()
        for order in self:
            order.access_url = f"/my/work_orders/{order.id}"

    def action_send(self):
        """Open the composer with the work-order e-mail and its PDF."""
        self.ensure_one()
        template = self.env.ref(
            "field_maintenance.mail_template_work_order", raise_if_not_found=False
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": "mail.compose.message",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_model": self._name,
                "default_res_ids": self.ids,
                "default_template_id": template.id if template else False,
                "default_composition_mode": "comment",
                "default_email_layout_xmlid": (
                    "mail.mail_notification_layout_with_responsible_signature"
                ),
                "force_email": True,
            },
        }

    def _get_report_base_filename(self):
        self.ensure_one()
        return self.env._("Work Order %s", self.name)

    def _mail_get_partner_fields(self, introspect_fields=False):
        return ["partner_id"]
