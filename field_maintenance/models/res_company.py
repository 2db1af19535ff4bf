from odoo import fields, models


class ResCompany(models.Model):
    _inherit = "res.company"

    # ------------------------------------------------------------------
    # Invoicing of work orders
    # ------------------------------------------------------------------

    fm_invoice_grouping = fields.Selection(
        [
            ("customer", "One invoice per customer"),
            ("work_order", "One invoice per work order"),
        ],
        string="Work Order Invoices",
        default="customer",
        required=True,
        help="Invoice the work orders of a customer together (one section per work order), "
        "or each work order on its own invoice.",
    )
    fm_labour_hours = fields.Selection(
        [
            ("actual", "Actual hours"),
            ("planned", "Planned hours"),
        ],
        string="Invoiced Hours",
        default="actual",
        required=True,
        help="Hours invoiced with the labour product of the work type when the technician "
        "recorded no labour line: the time between start and completion, or the planned "
        "hours.",
    )

    # ------------------------------------------------------------------
    # Travel costs
    # ------------------------------------------------------------------

    fm_travel_product_id = fields.Many2one(
        "product.product",
        string="Travel Product",
        domain=[("type", "=", "service")],
        help="Service product of the travel line added to work orders; its taxes and "
        "income account are used on the invoice.",
    )
    fm_travel_callout_fee = fields.Monetary(
        string="Call-out Fee",
        currency_field="currency_id",
        help="Fixed amount charged for each trip to a site.",
    )
    fm_travel_price_per_km = fields.Float(
        string="Price per km",
        digits="Product Price",
        help="Amount charged per kilometre beyond the free kilometres.",
    )
    fm_travel_free_km = fields.Float(
        string="Free Kilometres",
        digits=(16, 1),
        help="Kilometres of each trip that are not charged (after counting the way back "
        "for round trips).",
    )
    fm_travel_mode = fields.Selection(
        [
            ("round_trip", "Round trip"),
            ("one_way", "One way"),
        ],
        string="Charged Distance",
        default="round_trip",
        required=True,
        help="The recorded or estimated distance is the distance to the site; a round trip "
        "charges it twice.",
    )
    fm_travel_road_factor = fields.Float(
        string="Road Factor",
        digits=(16, 2),
        default=1.3,
        help="Estimated distance by road divided by the distance as the crow flies, used "
        "when the distance is estimated from the coordinates of the company and the site.",
    )

    _fm_travel_road_factor_positive = models.Constraint(
        "CHECK (fm_travel_road_factor IS NULL OR fm_travel_road_factor > 0)",
        "The road factor of travel costs must be positive.",
    )
    _fm_travel_amounts_positive = models.Constraint(
        "CHECK (COALESCE(fm_travel_callout_fee, 0) >= 0"
        " AND COALESCE(fm_travel_price_per_km, 0) >= 0"
        " AND COALESCE(fm_travel_free_km, 0) >= 0)",
        "The call-out fee, price per km and free kilometres of travel costs cannot be negative.",
    )

    # ------------------------------------------------------------------
    # Periodic maintenance: reminders
    # ------------------------------------------------------------------

    fm_reminder_enabled = fields.Boolean(
        string="Maintenance Reminders",
        default=True,
        help="Remind customers by e-mail (and SMS) that a periodic maintenance falls due, "
        "asking them to get in touch to schedule the visit.",
    )
    fm_reminder_days = fields.Integer(
        string="Reminder Lead Time",
        default=30,
        help="Default number of days before the due date a reminder is sent.",
    )
    fm_reminder_mail_template_id = fields.Many2one(
        "mail.template",
        string="Reminder E-mail Template",
        domain=[("model", "=", "field.maintenance.plan")],
        help="Leave empty to use the standard reminder e-mail.",
    )
    fm_reminder_sms_template_id = fields.Many2one(
        "sms.template",
        string="Reminder SMS Template",
        domain=[("model", "=", "field.maintenance.plan")],
        help="When set, customers with a mobile number also get the reminder by SMS.",
    )

    _fm_reminder_days_positive = models.Constraint(
        "CHECK (fm_reminder_days IS NULL OR fm_reminder_days >= 0)",
        "The lead time of maintenance reminders cannot be negative.",
    )
