from odoo import fields, models


class FieldWorkOrder(models.Model):
    """Follow-ups: a work order made to continue another one (by hand or by the
    automation action "Create Follow-up Work Order", see field.follow.up.field)."""

    _inherit = "field.work.order"  # pylint: disable=consider-merging-classes-inherited

    origin_work_order_id = fields.Many2one(
        "field.work.order",
        copy=False,
        index="btree_not_null",
        check_company=True,
        help="The work order this one follows up on.",
    )
    follow_up_ids = fields.One2many(
        "field.work.order", "origin_work_order_id", string="Follow-up Work Orders"
    )
    follow_up_count = fields.Integer(compute="_compute_follow_up_count")

    def _compute_follow_up_count(self):
        counts = dict(
            self.env["field.work.order"]._read_group(
                [("origin_work_order_id", "in", self.ids)], ["origin_work_order_id"], ["__count"]
            )
        )
        for order in self:
            order.follow_up_count = counts.get(order, 0)

    def action_view_follow_ups(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "field_maintenance.action_field_work_order"
        )
        action["domain"] = [("origin_work_order_id", "=", self.id)]
        action["context"] = {"default_origin_work_order_id": self.id}
        return action
