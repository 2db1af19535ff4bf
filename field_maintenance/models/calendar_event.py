from odoo import api, fields, models


class CalendarEvent(models.Model):
    _inherit = "calendar.event"

    fm_work_order_id = fields.Many2one(
        "field.work.order",
        string="Work Order",
        index="btree_not_null",
        ondelete="cascade",
        copy=False,
    )

    @api.model
    def _get_activity_excluded_models(self):
        # the work order is planned through its event, not through an activity
        return super()._get_activity_excluded_models() + ["field.work.order"]

    def write(self, vals):
        result = super().write(vals)
        if not self.env.context.get("fm_skip_work_order_sync") and {
            "start",
            "stop",
            "start_date",
            "stop_date",
            "duration",
            "allday",
        } & set(vals):
            events = self.filtered("fm_work_order_id")
            if events:
                self.env["field.work.order"]._update_from_calendar_events(events)
        return result
