from odoo import Command, api, fields, models


class FieldWorkOrderComplete(models.TransientModel):
    """What is missing when the technician reports a work order complete:
    one line per item, each with a button to the place where it is fixed; "Report
    Complete Anyway" when nothing blocks."""

    _name = "field.work.order.complete"
    _description = "Report Work Order Complete"

    work_order_id = fields.Many2one("field.work.order", required=True, ondelete="cascade")
    line_ids = fields.One2many("field.work.order.complete.line", "wizard_id", readonly=True)
    blocked = fields.Boolean(compute="_compute_blocked")

    @api.depends("line_ids.blocking")
    def _compute_blocked(self):
        for wizard in self:
            wizard.blocked = any(wizard.line_ids.mapped("blocking"))

    @api.model
    def _open(self, order, problems):
        """The wizard listing ``problems`` (see field.work.order._completion_problems)."""
        wizard = self.create(
            {
                "work_order_id": order.id,
                "line_ids": [
                    Command.create({"key": key, "message": message, "blocking": blocking})
                    for key, message, blocking in problems
                ],
            }
        )
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Report Complete: %s", order.name),
            "res_model": self._name,
            "res_id": wizard.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
        }

    def action_complete(self):
        """Complete anyway: what is missing does not block (checked again)."""
        self.ensure_one()
        self.work_order_id.action_done()
        return {"type": "ir.actions.act_window_close"}


class FieldWorkOrderCompleteLine(models.TransientModel):
    _name = "field.work.order.complete.line"
    _description = "Missing Item of a Work Order to Complete"

    wizard_id = fields.Many2one("field.work.order.complete", required=True, ondelete="cascade")
    key = fields.Selection(
        [
            ("checklist", "Checklist"),
            ("hours", "Hours"),
            ("materials", "Materials"),
            ("signature", "Signature"),
        ],
        required=True,
    )
    message = fields.Char(required=True)
    blocking = fields.Boolean()

    def action_fix(self):
        """Open the place where the item is fixed."""
        self.ensure_one()
        return self.wizard_id.work_order_id._action_fix(self.key)
