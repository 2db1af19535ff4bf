from datetime import timedelta
from urllib.parse import quote_plus

from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.fields import Domain

WORK_ORDER_STATES = [
    ("draft", "Draft"),
    ("planned", "Planned"),
    ("ready", "Ready"),
    ("in_progress", "In Progress"),
    # waiting for parts, the customer, ...: the SLA clock stops, see _hold
    ("on_hold", "On Hold"),
    ("done", "Done"),
    ("cancelled", "Cancelled"),
]
OPEN_STATES = ("draft", "planned", "ready", "in_progress", "on_hold")
# kanban colour of each status (an open emergency is red, 9)
STATE_COLORS = {
    "draft": 0,
    "planned": 4,
    "ready": 2,
    "in_progress": 3,
    "on_hold": 5,
    "done": 10,
    "cancelled": 1,
}

# priority of a work order, and the lowest priority an SLA policy applies to
PRIORITIES = [("0", "Normal"), ("1", "Important"), ("2", "Urgent"), ("3", "Emergency")]
# The planning: what the calendar shows (dispatchers only, see field_work_order_access.py).
PLANNING_FIELDS = {
    "user_id",
    "technician_ids",
    "planned_date_start",
    "planned_date_end",
    "planned_hours",
    "company_id",
}
# the action method behind each status, used when a dispatcher writes the status directly
# (e.g. drags a card in the kanban view): the same checks and side effects as the buttons
STATE_ACTIONS = {
    "draft": "action_draft",
    "planned": "action_plan",
    "ready": "action_ready",
    "in_progress": "action_start",
    "on_hold": "_action_hold_other",
    "done": "action_done",
    "cancelled": "action_cancel",
}
# planned hours of one work order: a month of work at most
MAX_PLANNED_HOURS = 24 * 31


class FieldWorkOrder(models.Model):
    """The job at a customer's site: customer and site (field.site.mixin), equipment,
    work type, status and its workflow, planning, and the work done (description, lines,
    checklist, photos, signature).

    Each feature extends the model in its own file: field_work_order_access.py (what
    technicians may give and change), _calendar (the technicians' agenda), _follow_up,
    _portal (what the customer gets), _sla (service levels), _invoicing (amounts,
    invoices, price agreements), _travel (travel costs) and _maintenance (visits of
    periodic maintenance).
    """

    _name = "field.work.order"
    _description = "Work Order"
    _inherit = [
        "portal.mixin",
        "mail.thread",
        "mail.activity.mixin",
        "field.company.check.mixin",
        "field.site.mixin",
    ]
    _order = "priority desc, planned_date_start, id desc"

    # the open work orders by planned date (My Work, the calendar, overdue): a few hundred
    # among years of done ones, which an index on the planned date alone reads through
    _open_planned_date_idx = models.Index(
        "(planned_date_start) WHERE state NOT IN ('done', 'cancelled')"
    )
    # My Work: the open orders with a technician (its domain says ``user_id != False``,
    # which the lead technician among the technicians makes true of every order of a
    # technician), without the backlog of requests nobody is planned on yet
    _open_assigned_planned_date_idx = models.Index(
        "(planned_date_start) WHERE state NOT IN ('done', 'cancelled') AND user_id IS NOT NULL"
    )
    # the columns of the kanban by status (and the open lists): the first orders of a
    # status in the default order, read from the index instead of sorting the status;
    # the open orders summed by status (the list grouped by status) from the index alone
    # (INCLUDE: the record rule's company, active, the sums), not from the table's pages
    # where years of history spread the open orders (4.1 -> 1.6 ms at 200,000 orders)
    _open_state_order_idx = models.Index(
        "(state, priority DESC, planned_date_start, id DESC) "
        "INCLUDE (company_id, active, planned_hours, amount_untaxed) "
        "WHERE state NOT IN ('done', 'cancelled')"
    )
    _check_company_auto = True
    _mail_post_access = "read"
    # the site address names the country: technicians and map apps cross borders
    _site_address_with_country = True

    name = fields.Char(
        string="Reference",
        required=True,
        copy=False,
        readonly=True,
        index="trigram",
        default=lambda self: self.env._("New"),
    )
    summary = fields.Char(string="Short Description", tracking=True)
    active = fields.Boolean(default=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    site_map_url = fields.Char(string="Map", compute="_compute_site_map_url")
    partner_phone = fields.Char(string="Phone", compute="_compute_partner_phone")
    equipment_ids = fields.Many2many(
        "field.equipment",
        "field_equipment_work_order_rel",
        "work_order_id",
        "equipment_id",
        check_company=True,
        domain="[('partner_id.commercial_partner_id', '=', commercial_partner_id)]",
    )
    work_type_id = fields.Many2one("field.work.type", tracking=True, check_company=True, index=True)
    signature_required = fields.Boolean(related="work_type_id.signature_required")
    priority = fields.Selection(PRIORITIES, default="0", index=True, tracking=True)
    state = fields.Selection(
        WORK_ORDER_STATES,
        string="Status",
        default="draft",
        required=True,
        copy=False,
        index=True,
        tracking=True,
        group_expand=True,
    )
    is_adhoc = fields.Boolean(string="Ad-hoc", help="Unplanned work, decided on site.")
    technician_ids = fields.Many2many(
        "res.users",
        "field_work_order_technician_rel",
        "work_order_id",
        "user_id",
        string="Technicians",
        domain="[('share', '=', False), ('company_ids', 'in', company_id)]",
    )
    user_id = fields.Many2one(
        "res.users",
        string="Lead Technician",
        compute="_compute_user_id",
        store=True,
        readonly=False,
        index=True,
        tracking=True,
        domain="[('id', 'in', technician_ids)]",
    )
    planned_date_start = fields.Datetime(
        string="Planned Start", tracking=True, index=True, copy=False
    )
    planned_hours = fields.Float(compute="_compute_planned_hours", store=True, readonly=False)
    planned_date_end = fields.Datetime(
        string="Planned End",
        compute="_compute_planned_date_end",
        store=True,
        readonly=False,
        copy=False,
        index=True,  # the calendar's range: start before the week's end, end after its start
    )
    date_start = fields.Datetime(string="Started On", copy=False, tracking=True)
    date_end = fields.Datetime(string="Completed On", copy=False, tracking=True)
    actual_hours = fields.Float(compute="_compute_actual_hours")
    is_overdue = fields.Boolean(compute="_compute_is_overdue", search="_search_is_overdue")
    description = fields.Html(
        string="Work Description",
        compute="_compute_description",
        store=True,
        readonly=False,
    )
    internal_note = fields.Html()
    comment = fields.Text(help="Remarks of the technician or the customer, printed on the report.")
    properties = fields.Properties(definition="work_type_id.properties_definition", copy=True)
    line_ids = fields.One2many("field.work.order.line", "work_order_id", string="Lines", copy=True)
    checklist_ids = fields.One2many("field.work.order.checklist", "work_order_id", copy=True)
    checklist_progress = fields.Float(compute="_compute_checklist_progress")
    photo_ids = fields.Many2many(
        "ir.attachment",
        "field_work_order_photo_rel",
        "work_order_id",
        "attachment_id",
        string="Photos",
        copy=False,
    )
    signature = fields.Image(
        string="Customer Signature",
        copy=False,
        attachment=True,
        max_width=1024,
        max_height=1024,
    )
    signed_by = fields.Char(copy=False, tracking=True)
    signed_on = fields.Datetime(copy=False)
    color = fields.Integer(compute="_compute_color")

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------

    @api.depends(
        "site_partner_id.partner_latitude",
        "site_partner_id.partner_longitude",
        "site_address",
    )
    def _compute_site_map_url(self):
        for order in self:
            site = order.site_partner_id
            if site.partner_latitude or site.partner_longitude:
                query = f"{site.partner_latitude},{site.partner_longitude}"
            else:
                query = order.site_address
            order.site_map_url = (
                f"https://www.google.com/maps/search/?api=1&query={quote_plus(query)}"
                if query
                else False
            )

    @api.depends("site_partner_id.phone", "partner_id.phone")
    def _compute_partner_phone(self):
        for order in self:
            order.partner_phone = order.site_partner_id.phone or order.partner_id.phone

    @api.depends("technician_ids")
    def _compute_user_id(self):
        for order in self:
            if order.user_id not in order.technician_ids:
                order.user_id = order.technician_ids[:1]

    @api.depends("work_type_id")
    def _compute_planned_hours(self):
        for order in self:
            if order.work_type_id.default_duration:
                order.planned_hours = order.work_type_id.default_duration
            elif not order.planned_hours:
                order.planned_hours = 1.0

    @api.depends("planned_date_start", "planned_hours")
    def _compute_planned_date_end(self):
        for order in self:
            if order.planned_date_start and 0 <= order.planned_hours <= MAX_PLANNED_HOURS:
                order.planned_date_end = order.planned_date_start + timedelta(
                    hours=order.planned_hours or 0.0
                )
            else:
                order.planned_date_end = False

    @api.depends("work_type_id")
    def _compute_description(self):
        for order in self:
            if order.work_type_id.description and not order.description:
                order.description = order.work_type_id.description

    @api.depends("date_start", "date_end")
    def _compute_actual_hours(self):
        now = fields.Datetime.now()
        for order in self:
            if order.date_start:
                end = order.date_end or now
                order.actual_hours = (end - order.date_start).total_seconds() / 3600
            else:
                order.actual_hours = 0.0

    @api.depends("state", "planned_date_end")
    def _compute_is_overdue(self):
        now = fields.Datetime.now()
        for order in self:
            order.is_overdue = bool(
                order.state in OPEN_STATES
                and order.planned_date_end
                and order.planned_date_end < now
            )

    def _search_is_overdue(self, operator, value):
        if operator not in ("in", "not in"):
            return NotImplemented
        domain = Domain("state", "in", OPEN_STATES) & Domain(
            "planned_date_end", "<", fields.Datetime.now()
        )
        return domain if (operator == "in") == (True in value) else ~domain

    @api.depends("checklist_ids.result", "checklist_ids.display_type")
    def _compute_checklist_progress(self):
        for order in self:
            checks = order.checklist_ids.filtered(lambda c: not c.display_type)
            done = checks.filtered(lambda c: c.result != "todo")
            order.checklist_progress = 100.0 * len(done) / len(checks) if checks else 0.0

    @api.depends("state", "priority")
    def _compute_color(self):
        for order in self:
            order.color = (
                9
                if order.priority == "3" and order.state in OPEN_STATES
                else STATE_COLORS.get(order.state, 0)
            )

    # ------------------------------------------------------------------
    # Constraints and onchanges
    # ------------------------------------------------------------------

    @api.constrains("equipment_ids", "partner_id", "site_partner_id")
    def _check_equipment_customer(self):
        """The equipment of a work order belongs to its customer (what the technician works
        on, and what the customer sees on the portal) and, when both name a specific address
        of the customer (a delivery or other address), stands at the order's site."""

        def specific(site):
            return site if site.type not in ("contact", False) and site.parent_id else False

        for order in self:
            site = specific(order.site_partner_id)
            foreign = order.equipment_ids.filtered(
                lambda equipment, order=order, site=site: (
                    equipment.commercial_partner_id != order.commercial_partner_id
                    or (site and specific(equipment.site_partner_id) not in (site, False))
                )
            )
            if foreign:
                raise ValidationError(
                    self.env._(
                        "Equipment %(equipment)s is not installed at the site %(site)s of "
                        "customer %(customer)s of work order %(order)s.",
                        equipment=", ".join(foreign.mapped("display_name")),
                        site=order.site_partner_id.display_name,
                        customer=order.partner_id.display_name,
                        order=order.name,
                    )
                )

    @api.constrains("planned_date_start", "planned_date_end", "planned_hours")
    def _check_planned_dates(self):
        for order in self:
            if not 0 <= order.planned_hours <= MAX_PLANNED_HOURS:
                raise ValidationError(
                    self.env._(
                        "The planned hours of work order %(order)s must be between 0 and "
                        "%(max)s (a month).",
                        order=order.name,
                        max=MAX_PLANNED_HOURS,
                    )
                )
            if (
                order.planned_date_start
                and order.planned_date_end
                and order.planned_date_end < order.planned_date_start
            ):
                raise ValidationError(
                    self.env._(
                        "The planned end of work order %s cannot be before its planned start.",
                        order.name,
                    )
                )

    @api.constrains("date_start", "date_end")
    def _check_actual_dates(self):
        for order in self:
            if order.date_start and order.date_end and order.date_end < order.date_start:
                raise ValidationError(
                    self.env._(
                        "Work order %s cannot be completed before it was started.", order.name
                    )
                )

    @api.onchange("partner_id")
    def _onchange_partner_id(self):
        if self.partner_id:
            commercial = self.partner_id.commercial_partner_id
            self.equipment_ids = self.equipment_ids.filtered(
                lambda e: e.partner_id.commercial_partner_id == commercial
            )

    @api.onchange("work_type_id")
    def _onchange_work_type_id(self):
        if not self.checklist_ids.filtered(lambda c: c.result != "todo"):
            self.checklist_ids = [Command.clear()] + self._checklist_commands(self.work_type_id)

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.model
    def _checklist_commands(self, work_type):
        return [
            Command.create(
                {
                    "name": item.name,
                    "sequence": item.sequence,
                    "display_type": item.display_type,
                    "template_check_id": item.id,
                }
            )
            for item in work_type.checklist_template_ids
        ]

    @api.model
    def _prepare_technician_vals(self, vals):
        """Keep the lead technician among the technicians."""
        if vals.get("user_id"):
            commands = list(vals.get("technician_ids") or [])
            commands.append(Command.link(vals["user_id"]))
            vals["technician_ids"] = commands
        return vals

    def _prepare_signature_vals(self, vals):
        if vals.get("signature") and "signed_on" not in vals:
            vals["signed_on"] = fields.Datetime.now()
        elif "signature" in vals and not vals["signature"]:
            vals.setdefault("signed_on", False)
        return vals

    @api.model_create_multi
    def create(self, vals_list):
        default_work_type = self.env.context.get("default_work_type_id")
        for vals in vals_list:
            if "work_type_id" not in vals and default_work_type:
                vals["work_type_id"] = default_work_type
        work_types = self.env["field.work.type"].browse(
            [vals["work_type_id"] for vals in vals_list if vals.get("work_type_id")]
        )
        for vals in vals_list:
            company = self.env["res.company"].browse(vals.get("company_id")) or self.env.company
            if not vals.get("name") or vals["name"] == self.env._("New"):
                vals["name"] = self.env["ir.sequence"].with_company(company).next_by_code(
                    "field.work.order"
                ) or self.env._("New")
            self._prepare_technician_vals(vals)
            self._prepare_signature_vals(vals)
            if vals.get("work_type_id") and "checklist_ids" not in vals:
                vals["checklist_ids"] = self._checklist_commands(
                    work_types.browse(vals["work_type_id"])
                )
        return super().create(vals_list)

    def write(self, vals):
        if "state" in vals and not self.env.su:
            # a dispatcher writing the status (e.g. from a list): the action method of
            # that status, with its checks and side effects
            vals = dict(vals)
            action = STATE_ACTIONS.get(vals.pop("state"))
            if not action:
                raise UserError(self.env._("Unknown work order status."))
            if vals:
                self.write(vals)
            return getattr(self, action)()
        vals = self._prepare_signature_vals(self._prepare_technician_vals(dict(vals)))
        if "partner_id" in vals:
            customers = {order.id: order.commercial_partner_id for order in self}
        if (
            "planned_date_end" in vals
            and vals.get("planned_date_end")
            and "planned_hours" not in vals
        ):
            # an explicit end (e.g. the event was resized) defines the duration
            end = fields.Datetime.to_datetime(vals["planned_date_end"])
            start = vals.get("planned_date_start")
            if start or len(self) == 1:
                start = fields.Datetime.to_datetime(start) or self.planned_date_start
                if start and end >= start:
                    vals["planned_hours"] = (end - start).total_seconds() / 3600
        result = super().write(vals)
        if "technician_ids" in vals:
            # technicians added to a planned work order follow it, as "Plan" does
            self.filtered(
                lambda order: order.state in ("planned", "ready", "in_progress")
            )._subscribe_technicians()
        if "partner_id" in vals:
            moved = self.filtered(
                lambda order: (
                    order.access_token and order.commercial_partner_id != customers[order.id]
                )
            )
            if moved:
                # sudo: only the portal token is cleared, on orders the user just moved to
                # another customer: the links shared with the previous customer stop
                # working (a new token is made when the order is shared again)
                moved.sudo().write({"access_token": False})
        return result

    @api.ondelete(at_uninstall=False)
    def _unlink_except_started(self):
        started = self.filtered(lambda o: o.state in ("in_progress", "done"))
        if started:
            raise UserError(
                self.env._(
                    "Work orders that were started or completed cannot be deleted; "
                    "cancel or archive them instead: %(orders)s",
                    orders=", ".join(started.mapped("name")),
                )
            )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_open_map(self):
        self.ensure_one()
        if not self.site_map_url:
            raise UserError(self.env._("Work order %s has no site address.", self.name))
        return {"type": "ir.actions.act_url", "url": self.site_map_url, "target": "new"}
