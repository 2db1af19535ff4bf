from datetime import datetime, timedelta

from odoo import api, fields, models

# the grid of the booking locks: a booked visit holds every cell of this length it
# covers, one row per technician and cell
SLOT_CELL = timedelta(minutes=15)
EPOCH = datetime(2000, 1, 1)


def cells(start, stop):
    """Starts (naive UTC) of the grid cells that [start, stop) covers."""
    first = EPOCH + ((start - EPOCH) // SLOT_CELL) * SLOT_CELL
    result = []
    moment = first
    while moment < stop:
        result.append(moment)
        moment += SLOT_CELL
    return result


class FieldBookingSlot(models.Model):
    """The lock of a technician's time booked online by a customer: one row per
    technician and quarter of an hour of the visit, unique. Two customers who book the
    same time of the same technician at the same moment both insert the rows: the
    database lets one transaction through and refuses the other (unique violation), even
    when neither sees the other's visit yet (each transaction reads its own snapshot).

    Rows are created and deleted by the booking only (sudo in field.maintenance.plan);
    they follow the work order: deleted when it is rescheduled, cancelled, or its planning
    is changed by a dispatcher, and cleaned up once the time is past.
    """

    _name = "field.booking.slot"
    _description = "Booked Time of a Technician"
    _order = "start, id"

    user_id = fields.Many2one("res.users", required=True, ondelete="cascade", readonly=True)
    start = fields.Datetime(required=True, readonly=True)
    work_order_id = fields.Many2one(
        "field.work.order", required=True, index=True, ondelete="cascade", readonly=True
    )
    company_id = fields.Many2one(related="work_order_id.company_id", store=True)

    _user_start_uniq = models.Constraint(
        "UNIQUE (user_id, start)",
        "This time of the technician is booked already.",
    )

    @api.model
    def _prepare_cells(self, order, user, start, stop):
        return [
            {"user_id": user.id, "start": cell, "work_order_id": order.id}
            for cell in cells(start, stop)
        ]

    @api.autovacuum
    def _gc_past_slots(self):
        """The locks of visits that are over: their time can no longer be booked."""
        self.search([("start", "<", fields.Datetime.now() - timedelta(days=1))]).unlink()
