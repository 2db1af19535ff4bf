from odoo import fields, models


class ResCompany(models.Model):
    """Settings of customer self-service on the portal: online booking of maintenance
    visits from the reminder, service requests and the public request form."""

    _inherit = "res.company"  # pylint: disable=consider-merging-classes-inherited

    fm_booking_enabled = fields.Boolean(
        string="Online Booking of Maintenance",
        default=True,
        help="The maintenance reminder carries a link to a page where the customer picks a "
        "free time for the visit.",
    )
    fm_booking_mode = fields.Selection(
        [
            ("plan", "Planned visit"),
            ("request", "Request the dispatcher confirms"),
        ],
        string="A Booking Creates",
        default="plan",
        required=True,
        help="Planned visit: the work order is planned at once, with a calendar event for "
        "the technician. Request: the work order stays a draft at the chosen time until a "
        "dispatcher plans it.",
    )
    fm_booking_change_hours = fields.Integer(
        string="Reschedule or Cancel Until (hours)",
        default=24,
        help="Customers may reschedule or cancel a visit they booked up to this many hours "
        "before it starts; no visit can be booked closer to now either.",
    )
    fm_public_request_enabled = fields.Boolean(
        string="Public Service Request Form",
        help="Anyone may ask for service through a form on the website, without a portal "
        "account (rate limited per address).",
    )
    fm_request_rate_limit = fields.Integer(
        string="Public Requests per Hour",
        default=3,
        help="Requests of the public form accepted per hour from one network address.",
    )

    _fm_booking_change_hours_positive = models.Constraint(
        "CHECK (fm_booking_change_hours IS NULL OR fm_booking_change_hours >= 0)",
        "The number of hours before a visit until which customers may change it cannot "
        "be negative.",
    )
    _fm_request_rate_limit_positive = models.Constraint(
        "CHECK (fm_request_rate_limit IS NULL OR fm_request_rate_limit >= 0)",
        "The number of public requests per hour cannot be negative.",
    )
