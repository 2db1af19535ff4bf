from odoo import api, fields, models
from odoo.exceptions import ValidationError

from ..tools import company_tz, local_date

TIME_TYPES = [("work", "Work"), ("travel", "Travel")]


class FieldWorkOrderTime(models.Model):
    """A period of work or travel of one technician on a work order: made by
    the technician's timer buttons on the work order (start, pause, report complete), or
    entered and corrected by dispatchers. The hours per person and day are exported for
    payroll, and the work hours become the labour lines of the invoice."""

    _name = "field.work.order.time"
    _description = "Work Order Time"
    _order = "date_start desc, id desc"
    _check_company_auto = True

    work_order_id = fields.Many2one(
        "field.work.order", required=True, index=True, ondelete="cascade", check_company=True
    )
    company_id = fields.Many2one(
        related="work_order_id.company_id", store=True, index=True, precompute=True
    )
    partner_id = fields.Many2one(related="work_order_id.partner_id", string="Customer")
    user_id = fields.Many2one(
        "res.users",
        string="Technician",
        required=True,
        index=True,
        default=lambda self: self.env.user,
        domain="[('share', '=', False)]",
    )
    time_type = fields.Selection(TIME_TYPES, string="Type", default="work", required=True)
    date_start = fields.Datetime(string="Start", required=True, default=fields.Datetime.now)
    date_end = fields.Datetime(string="End")
    date = fields.Date(
        string="Day",
        compute="_compute_date",
        store=True,
        index=True,
        help="Day of the start, in the company's time zone.",
    )
    duration = fields.Float(
        string="Hours",
        compute="_compute_duration",
        store=True,
        aggregator="sum",
        help="Hours between start and end; 0 while the timer runs.",
    )
    is_running = fields.Boolean(compute="_compute_duration", store=True, string="Running")
    note = fields.Char()

    _one_running_timer = models.UniqueIndex(
        "(user_id) WHERE date_end IS NULL",
        "A technician has one running timer at a time: pause it before starting another.",
    )

    @api.depends("date_start", "company_id")
    def _compute_date(self):
        for entry in self:
            entry.date = (
                local_date(entry.date_start, company_tz(entry.company_id, entry.user_id))
                if entry.date_start
                else False
            )

    @api.depends("date_start", "date_end")
    def _compute_duration(self):
        for entry in self:
            entry.is_running = not entry.date_end
            if entry.date_start and entry.date_end:
                entry.duration = (entry.date_end - entry.date_start).total_seconds() / 3600
            else:
                entry.duration = 0.0

    @api.constrains("date_start", "date_end")
    def _check_dates(self):
        for entry in self:
            if entry.date_end and entry.date_end < entry.date_start:
                raise ValidationError(
                    self.env._(
                        "The time of %(technician)s on work order %(order)s cannot end "
                        "before it starts.",
                        technician=entry.user_id.name,
                        order=entry.work_order_id.name,
                    )
                )

    @api.depends("work_order_id", "user_id", "time_type")
    def _compute_display_name(self):
        types = dict(self._fields["time_type"]._description_selection(self.env))
        for entry in self:
            entry.display_name = " - ".join(
                filter(
                    None,
                    [entry.work_order_id.name, entry.user_id.name, types.get(entry.time_type)],
                )
            )
