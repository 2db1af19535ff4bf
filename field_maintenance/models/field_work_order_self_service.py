from odoo import fields, models

from .field_work_order import PLANNING_FIELDS

# context key of the writes of the online booking itself (its own locks stay)
BOOKING_KEY = "fm_online_booking"


class FieldWorkOrder(models.Model):
    """Customer self-service: work orders that customers booked (a visit of periodic
    maintenance, from the reminder) or requested on the portal or the public form.
    The booking itself lives in field_maintenance_plan_booking.py, the requests in
    controllers/portal_request.py."""

    _inherit = "field.work.order"  # pylint: disable=consider-merging-classes-inherited

    self_service_origin = fields.Selection(
        [
            ("booking", "Booked online"),
            ("portal_request", "Portal request"),
            ("public_request", "Web form request"),
        ],
        string="Customer Self-Service",
        readonly=True,
        copy=False,
        index="btree_not_null",
        help="The customer booked this visit online, or requested the work on the portal or "
        "through the public form.",
    )
    booked_on = fields.Datetime(
        string="Booked Online On",
        readonly=True,
        copy=False,
        help="When the customer last booked or rescheduled this visit online.",
    )
    request_ip = fields.Char(
        string="Requested From",
        readonly=True,
        copy=False,
        groups="field_maintenance.group_field_user",
        help="Network address of the public request form (for its rate limit).",
    )

    def write(self, vals):
        result = super().write(vals)
        if (PLANNING_FIELDS | {"state", "active"}) & vals.keys() and not self.env.context.get(
            BOOKING_KEY
        ):
            # the time the customer booked is released when a dispatcher changes it
            # sudo: only the booking locks of the work orders just changed by the user
            locks = (
                self.env["field.booking.slot"].sudo().search([("work_order_id", "in", self.ids)])
            )
            locks.unlink()
        return result
