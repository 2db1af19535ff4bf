from odoo import fields, models
from odoo.exceptions import AccessError, UserError


class FieldMaintenancePlan(models.Model):
    """Periodic maintenance proposed on site: a technician proposes a plan from
    the work order (field.work.order._propose_maintenance_plan); it waits in the status
    Proposed, without reminders nor visits, until a dispatcher confirms it (Active)."""

    _inherit = "field.maintenance.plan"  # pylint: disable=consider-merging-classes-inherited

    state = fields.Selection(
        selection_add=[("proposed", "Proposed"), ("active",)],
        ondelete={"proposed": "set default"},
    )
    proposed_by_id = fields.Many2one("res.users", readonly=True, copy=False)

    def action_confirm_proposal(self):
        """The dispatcher confirms proposed plans: they become active (reminders, visits)."""
        if not self.env["field.work.order"]._is_dispatcher():
            raise AccessError(self.env._("Only dispatchers can confirm proposed maintenance."))
        not_proposed = self.filtered(lambda plan: plan.state != "proposed")
        if not_proposed:
            raise UserError(
                self.env._(
                    "Maintenance plans %s are not proposed.", ", ".join(not_proposed.mapped("name"))
                )
            )
        self.write({"state": "active"})
        for plan in self:
            plan.message_post(
                body=self.env._("Proposal confirmed."),
                message_type="comment",
                subtype_xmlid="mail.mt_note",
            )
        return True
