import math
from collections import defaultdict
from datetime import timedelta
from urllib.parse import quote_plus

from markupsafe import Markup

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.fields import Domain
from odoo.tools import clean_context, float_compare, float_is_zero, format_amount, formatLang

from ..tools import assign_by_value

WORK_ORDER_STATES = [
    ("draft", "Draft"),
    ("planned", "Planned"),
    ("ready", "Ready"),
    ("in_progress", "In Progress"),
    ("done", "Done"),
    ("cancelled", "Cancelled"),
]
OPEN_STATES = ("draft", "planned", "ready", "in_progress")
# SLA (issue 5): states in which a work order has had its first response
SLA_RESPONSE_STATES = ("planned", "ready", "in_progress", "done")
SLA_STATUSES = [
    ("on_track", "On Track"),
    ("at_risk", "At Risk"),
    ("breached", "Breached"),
    ("met", "Met"),
]
EARTH_RADIUS_KM = 6371.0088
# states in which a work order has a calendar event for its technicians
CALENDAR_STATES = ("planned", "ready", "in_progress", "done")
# The planning: what the calendar shows (dispatchers only, see TECHNICIAN_FIELDS).
PLANNING_FIELDS = {
    "user_id",
    "technician_ids",
    "planned_date_start",
    "planned_date_end",
    "planned_hours",
    "company_id",
}
# The role model of the work order (security/README.md): the fields a technician may
# change on an open work order they work on. Everything else (customer, site, equipment,
# work type, planning, maintenance plan, SLA, prices) is for dispatchers; the status moves
# only through the action methods (action_start, action_done, ...) for every role.
TECHNICIAN_FIELDS = frozenset(
    {
        "description",
        "comment",
        "internal_note",
        "properties",
        "line_ids",
        "checklist_ids",
        "photo_ids",
        "signature",
        "signed_by",
        "travel_distance",
        "travel_time",
    }
)
# What a technician may give when creating an ad-hoc work order, besides the values of
# TECHNICIAN_FIELDS: the customer, the site and the equipment the work is for. The planning
# fields may only name the technician themself or stay empty (see _fm_check_create_access).
TECHNICIAN_CREATE_FIELDS = TECHNICIAN_FIELDS | {
    "partner_id",
    "site_partner_id",
    "equipment_ids",
    "summary",
    "work_type_id",
    "priority",
    "is_adhoc",
    "company_id",
    "planned_hours",
}
# the action method behind each status, used when a dispatcher writes the status directly
# (e.g. drags a card in the kanban view): the same checks and side effects as the buttons
STATE_ACTIONS = {
    "draft": "action_draft",
    "planned": "action_plan",
    "ready": "action_ready",
    "in_progress": "action_start",
    "done": "action_done",
    "cancelled": "action_cancel",
}
# planned hours of one work order: a month of work at most
MAX_PLANNED_HOURS = 24 * 31
# one-way travel to a site
MAX_TRAVEL_KM = 5000
MAX_TRAVEL_HOURS = 48
# fields whose change must be reflected on the calendar event
CALENDAR_FIELDS = PLANNING_FIELDS | {
    "active",
    "state",
    "name",
    "summary",
    "partner_id",
    "site_partner_id",
}


class FieldWorkOrder(models.Model):
    _name = "field.work.order"
    _description = "Work Order"
    _inherit = [
        "portal.mixin",
        "mail.thread",
        "mail.activity.mixin",
        "field.company.check.mixin",
    ]
    _order = "priority desc, planned_date_start, id desc"
    _check_company_auto = True
    _mail_post_access = "read"

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
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    currency_id = fields.Many2one(related="company_id.currency_id")
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
    )
    commercial_partner_id = fields.Many2one(
        related="partner_id.commercial_partner_id", store=True, index=True
    )
    site_partner_id = fields.Many2one(
        "res.partner",
        string="Site Address",
        compute="_compute_site_partner_id",
        store=True,
        readonly=False,
        index=True,
        tracking=True,
        check_company=True,
        domain="[('commercial_partner_id', '=', commercial_partner_id)]",
        help="Where the work is done: the customer itself or one of its contacts "
        "or delivery addresses.",
    )
    site_address = fields.Char(string="Full Site Address", compute="_compute_site_address")
    site_map_url = fields.Char(string="Map", compute="_compute_site_address")
    partner_phone = fields.Char(string="Phone", compute="_compute_partner_phone")
    equipment_ids = fields.Many2many(
        "field.equipment",
        "field_equipment_work_order_rel",
        "work_order_id",
        "equipment_id",
        check_company=True,
        domain="[('partner_id.commercial_partner_id', '=', commercial_partner_id)]",
    )
    work_type_id = fields.Many2one(
        "field.work.type",
        tracking=True,
        check_company=True,
        index=True,
    )
    signature_required = fields.Boolean(related="work_type_id.signature_required")
    priority = fields.Selection(
        [("0", "Normal"), ("1", "Important"), ("2", "Urgent"), ("3", "Emergency")],
        default="0",
        index=True,
        tracking=True,
    )
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
    is_adhoc = fields.Boolean(
        string="Ad-hoc",
        help="Unplanned work, decided on site.",
    )
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
    planned_hours = fields.Float(
        compute="_compute_planned_hours",
        store=True,
        readonly=False,
    )
    planned_date_end = fields.Datetime(
        string="Planned End",
        compute="_compute_planned_date_end",
        store=True,
        readonly=False,
        copy=False,
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
    comment = fields.Text(
        help="Remarks of the technician or the customer, printed on the report.",
    )
    properties = fields.Properties(definition="work_type_id.properties_definition", copy=True)
    line_ids = fields.One2many("field.work.order.line", "work_order_id", string="Lines", copy=True)
    checklist_ids = fields.One2many(
        "field.work.order.checklist",
        "work_order_id",
        copy=True,
    )
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
    calendar_event_ids = fields.One2many(
        "calendar.event", "fm_work_order_id", string="Calendar Events", copy=False
    )
    amount_untaxed = fields.Monetary(
        string="Untaxed Amount", compute="_compute_amounts", store=True
    )
    labour_hours = fields.Float(string="Hours Worked", compute="_compute_amounts", store=True)
    color = fields.Integer(compute="_compute_color")
    is_dispatcher = fields.Boolean(
        compute="_compute_is_dispatcher",
        help="Technical field: the current user may change every field of the work order "
        "(dispatcher); technicians change only the work (see security/README.md).",
    )

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------

    @api.depends("partner_id")
    def _compute_site_partner_id(self):
        for order in self:
            site = order.site_partner_id
            if not site or (site.commercial_partner_id != order.partner_id.commercial_partner_id):
                order.site_partner_id = order.partner_id

    @api.depends(
        "site_partner_id.street",
        "site_partner_id.street2",
        "site_partner_id.zip",
        "site_partner_id.city",
        "site_partner_id.country_id",
        "site_partner_id.partner_latitude",
        "site_partner_id.partner_longitude",
    )
    def _compute_site_address(self):
        for order in self:
            site = order.site_partner_id
            address = site._fm_one_line_address(with_country=True)
            order.site_address = address
            if site.partner_latitude or site.partner_longitude:
                query = f"{site.partner_latitude},{site.partner_longitude}"
            else:
                query = address
            order.site_map_url = (
                f"https://www.google.com/maps/search/?api=1&query={quote_plus(query)}"
                if query
                else False
            )

    @api.depends_context("uid")
    def _compute_is_dispatcher(self):
        self.is_dispatcher = self._fm_is_dispatcher()

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
        domain = [
            ("state", "in", OPEN_STATES),
            ("planned_date_end", "<", fields.Datetime.now()),
        ]
        if (operator == "in") == (True in value):
            return domain
        return ["!", "&", *domain]

    @api.depends("checklist_ids.result", "checklist_ids.display_type")
    def _compute_checklist_progress(self):
        for order in self:
            checks = order.checklist_ids.filtered(lambda c: not c.display_type)
            done = checks.filtered(lambda c: c.result != "todo")
            order.checklist_progress = 100.0 * len(done) / len(checks) if checks else 0.0

    @api.depends(
        "line_ids.price_subtotal",
        "line_ids.quantity",
        "line_ids.line_type",
        "line_ids.display_type",
    )
    def _compute_amounts(self):
        totals, hours = {}, []
        for order in self:
            order_total = order_hours = 0.0
            for line in order.line_ids:
                if line.display_type:
                    continue
                order_total += line.price_subtotal
                if line.line_type == "labour":
                    order_hours += line.quantity
            totals[order.id] = order_total
            hours.append(order_hours)
        # amounts in the currency of each company (see assign_by_value)
        for orders in self.grouped("company_id").values():
            assign_by_value(orders, "amount_untaxed", [totals[id_] for id_ in orders._ids])
        assign_by_value(self, "labour_hours", hours)

    @api.depends("state", "priority")
    def _compute_color(self):
        colors = {
            "draft": 0,
            "planned": 4,
            "ready": 2,
            "in_progress": 3,
            "done": 10,
            "cancelled": 1,
        }
        for order in self:
            order.color = (
                9
                if order.priority == "3" and order.state in OPEN_STATES
                else (colors.get(order.state, 0))
            )

    def _compute_access_url(self):  # pylint: disable=missing-return
        super()._compute_access_url()
        for order in self:
            order.access_url = f"/my/work_orders/{order.id}"

    # ------------------------------------------------------------------
    # Constraints and onchanges
    # ------------------------------------------------------------------

    @api.constrains("site_partner_id", "partner_id")
    def _check_site_partner(self):
        for order in self:
            site = order.site_partner_id
            if site and site.commercial_partner_id != order.partner_id.commercial_partner_id:
                raise ValidationError(
                    self.env._(
                        "The site address %(site)s of work order %(order)s is not an "
                        "address of customer %(customer)s.",
                        site=site.display_name,
                        order=order.name,
                        customer=order.partner_id.display_name,
                    )
                )

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

    @api.constrains("maintenance_plan_id", "partner_id")
    def _check_maintenance_plan_customer(self):
        for order in self:
            plan = order.maintenance_plan_id
            if plan and plan.commercial_partner_id != order.commercial_partner_id:
                raise ValidationError(
                    self.env._(
                        "Work order %(order)s is for customer %(customer)s; it cannot be a "
                        "visit of the periodic maintenance %(plan)s of another customer.",
                        order=order.name,
                        customer=order.partner_id.display_name,
                        plan=plan.display_name,
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

    @api.constrains("travel_distance", "travel_time")
    def _check_travel(self):
        for order in self:
            if not 0 <= order.travel_distance <= MAX_TRAVEL_KM:
                raise ValidationError(
                    self.env._(
                        "The travel distance of work order %(order)s must be between 0 and "
                        "%(max)s km.",
                        order=order.name,
                        max=MAX_TRAVEL_KM,
                    )
                )
            if not 0 <= order.travel_time <= MAX_TRAVEL_HOURS:
                raise ValidationError(
                    self.env._(
                        "The travel time of work order %(order)s must be between 0 and "
                        "%(max)s hours.",
                        order=order.name,
                        max=MAX_TRAVEL_HOURS,
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
                {"name": item.name, "sequence": item.sequence, "display_type": item.display_type}
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

    # ------------------------------------------------------------------
    # Access by role (security/README.md)
    # ------------------------------------------------------------------

    @api.model
    def _fm_is_dispatcher(self):
        """Superuser or dispatcher: may change every field and write the status (through
        the action methods)."""
        return self.env.su or self.env.user.has_group("field_maintenance.group_field_user")

    @api.model
    def _fm_mail_fields(self):
        """Fields of the chatter and activity mixins: mail checks their access itself."""
        return self.env["mail.thread"]._fields.keys() | self.env["mail.activity.mixin"]._fields

    @api.model
    def _fm_field_labels(self, fnames, model=None):
        """The labels of fields ``fnames`` of ``model`` (work orders by default), for a
        message."""
        model = self if model is None else model
        return ", ".join(
            sorted(
                model._fields[fname]._description_string(self.env)
                if fname in model._fields
                else fname
                for fname in fnames
            )
        )

    @api.model
    def _fm_check_create_vals(self, vals_list):
        """Technicians create ad-hoc work orders only: no status, no other technicians, no
        planning, no maintenance plan. The values the server computes anyway (SLA) are not
        taken from them. Checked again on the created records (_fm_check_created), which
        also covers the context's defaults."""
        if not self.env.su:
            context_state = self.env.context.get("default_state")
            if any(
                vals.get("state", context_state) not in (None, False, "draft") for vals in vals_list
            ):
                raise AccessError(
                    self.env._(
                        "A new work order is a draft; plan, start or complete it with its buttons."
                    )
                )
        if self._fm_is_dispatcher():
            return
        allowed = TECHNICIAN_CREATE_FIELDS | PLANNING_FIELDS | self._fm_mail_fields()
        for vals in vals_list:
            # computed from the work type, the customer and the moment of creation
            vals.pop("sla_policy_id", None)
            vals.pop("sla_start_date", None)
            refused = {
                fname
                for fname, value in vals.items()
                if fname not in allowed
                and value not in (False, None, "", [])
                and not (fname == "state" and value == "draft")
            }
            if refused:
                raise AccessError(
                    self.env._(
                        "Only dispatchers can set these fields of a work order: %(fields)s.",
                        fields=self._fm_field_labels(refused),
                    )
                )

    def _fm_check_created(self):
        """What a technician created is an ad-hoc draft work order for themself."""
        if self._fm_is_dispatcher():
            return
        user = self.env.user
        for order in self:
            if (
                order.state != "draft"
                or not order.is_adhoc
                or order.technician_ids - user
                or order.planned_date_start
                or order.maintenance_plan_id
                or order.maintenance_due_date
                or order.origin_work_order_id
            ):
                raise AccessError(
                    self.env._(
                        "Technicians can only create ad-hoc work orders for themselves, "
                        "in draft and without planning or periodic maintenance; a "
                        "dispatcher plans the others."
                    )
                )

    def _fm_check_write_vals(self, vals):
        """Technicians change only the work of open work orders they work on
        (TECHNICIAN_FIELDS); the status never moves by a plain write."""
        if self._fm_is_dispatcher():
            return
        if "state" in vals:
            raise AccessError(
                self.env._(
                    "The status of a work order changes with its buttons (Start, Report "
                    "Complete), not by editing it."
                )
            )
        refused = set(vals) - TECHNICIAN_FIELDS - self._fm_mail_fields()
        if refused:
            raise AccessError(
                self.env._(
                    "Only dispatchers can change these fields of work orders %(orders)s: "
                    "%(fields)s.",
                    orders=", ".join(self.mapped("name")),
                    fields=self._fm_field_labels(refused),
                )
            )
        closed = self.filtered(lambda order: order.state in ("done", "cancelled"))
        if closed and set(vals) - self._fm_mail_fields():
            raise UserError(
                self.env._(
                    "Work orders %(orders)s are done or cancelled: only a dispatcher can "
                    "change them.",
                    orders=", ".join(closed.mapped("name")),
                )
            )

    def _fm_write_state(self, vals):
        """Write the status change of an action method, after its checks."""
        self.check_access("write")
        # sudo: the calling action method checked the transition and the user's right to
        # make it; ``vals`` is built by that method (status and its dates), not by the user
        return self.sudo().write(vals)

    @api.model_create_multi
    def create(self, vals_list):
        self._fm_check_create_vals(vals_list)
        self._fm_prepare_maintenance_vals(vals_list)
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
        orders = super().create(vals_list)
        orders._fm_check_created()
        orders._sync_calendar_events()
        return orders

    def write(self, vals):
        self._fm_check_write_vals(vals)
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
        calendar_fields = CALENDAR_FIELDS & set(vals)
        if calendar_fields == {"state"}:
            # a status change matters to the calendar only when the work order enters or
            # leaves the statuses that have an event
            on_calendar = {order.id: order.state in CALENDAR_STATES for order in self}
        result = super().write(vals)
        if calendar_fields == {"state"}:
            self.filtered(
                lambda order: (order.state in CALENDAR_STATES) != on_calendar[order.id]
            )._sync_calendar_events()
        elif calendar_fields:
            self._sync_calendar_events()
        if "technician_ids" in vals:
            # technicians added to a planned work order follow it, as "Plan" does
            self.filtered(
                lambda order: order.state in ("planned", "ready", "in_progress")
            )._subscribe_technicians()
        if vals.get("state") == "done":
            self._fm_advance_maintenance_plans()
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

    def unlink(self):
        # sudo: the events belong to the work orders the user may delete (checked by the
        # ORM's unlink below, in the same transaction); technicians may not delete them
        self.calendar_event_ids.sudo().with_context(**self._calendar_event_context()).unlink()
        return super().unlink()

    # ------------------------------------------------------------------
    # Workflow
    # ------------------------------------------------------------------

    def _check_transition(self, allowed_states, refusal, extra_check=None):
        """Raise one UserError naming every work order that cannot make the
        transition, before anything is changed.

        :param refusal: translated sentence with the placeholders %(order)s and
            %(state)s, used for the work orders in a state not in allowed_states
        :param extra_check: function returning a translated refusal for a work
            order in an allowed state, or None
        """
        state_labels = dict(self._fields["state"]._description_selection(self.env))
        problems = []
        for order in self:
            if order.state not in allowed_states:
                problems.append(refusal % {"order": order.name, "state": state_labels[order.state]})
            elif extra_check and (reason := extra_check(order)):
                problems.append(reason)
        if problems:
            raise UserError("\n".join(problems))

    def _check_dispatcher(self):
        if not self.env.su and not self.env.user.has_group("field_maintenance.group_field_user"):
            raise AccessError(
                self.env._("Only dispatchers can plan, prepare, cancel or reset work orders.")
            )

    def action_plan(self):
        self._check_dispatcher()

        def check(order):
            if not order.planned_date_start:
                return self.env._(
                    "Work order %s cannot be planned: it has no planned start.", order.name
                )
            if not order.technician_ids:
                return self.env._(
                    "Work order %s cannot be planned: no technician is assigned.", order.name
                )
            return None

        self._check_transition(
            ("draft",),
            self.env._("Work order %(order)s cannot be planned: it is %(state)s."),
            check,
        )
        self._fm_write_state({"state": "planned"})
        self._subscribe_technicians()
        return True

    def action_ready(self):
        self._check_dispatcher()
        self._check_transition(
            ("planned",),
            self.env._(
                "Work order %(order)s cannot be marked as ready: it is %(state)s, not planned."
            ),
        )
        self._fm_write_state({"state": "ready"})
        return True

    def action_start(self):
        """Start planned or ready work orders, and ad-hoc ones decided on site."""

        def check(order):
            if order.state == "draft" and not order.is_adhoc:
                return self.env._(
                    "Work order %s cannot be started: it is not planned yet.", order.name
                )
            return None

        self._check_transition(
            ("draft", "planned", "ready"),
            self.env._("Work order %(order)s cannot be started: it is %(state)s."),
            check,
        )
        now = fields.Datetime.now()
        not_started = self.filtered(lambda order: not order.date_start)
        (self - not_started)._fm_write_state({"state": "in_progress"})
        not_started._fm_write_state({"state": "in_progress", "date_start": now})
        return True

    def action_done(self):
        def check(order):
            if order.signature_required and not order.signature:
                return self.env._(
                    "Work order %(order)s cannot be reported complete: work type %(type)s "
                    "requires the customer's signature.",
                    order=order.name,
                    type=order.work_type_id.name,
                )
            return None

        self._check_transition(
            ("in_progress",),
            self.env._(
                "Work order %(order)s cannot be reported complete: it is %(state)s, "
                "not in progress."
            ),
            check,
        )
        self._fm_write_state({"state": "done", "date_end": fields.Datetime.now()})
        return True

    def action_cancel(self):
        self._check_dispatcher()
        self._check_transition(
            OPEN_STATES,
            self.env._("Work order %(order)s cannot be cancelled: it is %(state)s."),
        )
        self._fm_write_state({"state": "cancelled"})
        return True

    def action_draft(self):
        self._check_dispatcher()
        self._check_transition(
            ("cancelled",),
            self.env._(
                "Work order %(order)s cannot be reset to draft: it is %(state)s, not cancelled."
            ),
        )
        self._fm_write_state({"state": "draft", "date_start": False, "date_end": False})
        return True

    def _subscribe_technicians(self):
        """The technicians follow their work orders: one subscription per team."""
        for partners, orders in self.grouped(lambda order: order.technician_ids.partner_id).items():
            if partners:
                orders.message_subscribe(partner_ids=partners.ids)

    # ------------------------------------------------------------------
    # Calendar
    # ------------------------------------------------------------------

    @api.model
    def _calendar_event_context(self):
        return {
            "fm_skip_work_order_sync": True,
            "no_mail_to_attendees": True,
            "skip_attendee_notification": True,
            "mail_create_nolog": True,
            "mail_create_nosubscribe": True,
            "mail_notrack": True,
        }

    def _prepare_calendar_event_vals(self):
        self.ensure_one()
        title = " - ".join(filter(None, [self.name, self.partner_id.display_name, self.summary]))
        return {
            "name": title,
            "start": self.planned_date_start,
            "stop": self.planned_date_end or self.planned_date_start,
            "user_id": self.user_id.id or self.env.user.id,
            "partner_ids": [Command.set(self.technician_ids.partner_id.ids)],
            "location": self.site_address,
            "res_model_id": self.env["ir.model"]._get_id(self._name),
            "res_id": self.id,
            "fm_work_order_id": self.id,
            # customer data: busy time to the employees who are not on the event
            # (dispatchers see it too, see calendar.event._check_private_event_conditions)
            "privacy": "private",
        }

    def _sync_calendar_events(self):
        """Create, move or remove the calendar event of each work order."""
        if self.env.context.get("fm_skip_event_sync"):
            return
        # no default_* of the work-order screen may reach the events.
        # sudo: events are written from the work orders' own values (the user changed
        # these orders, with their rights); the event is private (see
        # _prepare_calendar_event_vals), the user gives nothing else
        Event = (
            self.env["calendar.event"]
            .sudo()
            .with_context(clean_context(self.env.context), **self._calendar_event_context())
        )
        to_remove = Event
        to_create = []
        # sudo: the events of these orders are read to compare them with the orders
        orders = self.sudo()
        # the events of all the work orders in one read, not one each
        orders.calendar_event_ids.fetch(
            ["name", "start", "stop", "user_id", "location", "partner_ids"]
        )
        for order in orders:
            events = order.calendar_event_ids
            wanted = (
                order.active
                and order.state in CALENDAR_STATES
                and order.planned_date_start
                and order.technician_ids
            )
            if not wanted:
                to_remove |= events
                continue
            vals = order._prepare_calendar_event_vals()
            if not events:
                to_create.append(vals)
                continue
            event = events[:1]
            to_remove |= events[1:]
            current = {
                "name": event.name,
                "start": event.start,
                "stop": event.stop,
                "user_id": event.user_id.id,
                "location": event.location or False,
            }
            changed = {
                key: vals[key] for key, value in current.items() if (vals[key] or False) != value
            }
            if set(event.partner_ids.ids) != set(order.technician_ids.partner_id.ids):
                changed["partner_ids"] = vals["partner_ids"]
            if changed:
                event.with_env(Event.env).write(changed)
        if to_remove:
            to_remove.with_env(Event.env).unlink()
        if to_create:
            Event.create(to_create)

    def _update_from_calendar_events(self, events):
        """Reflect a move or resize of events in the calendar on their work orders.

        Only dispatchers change the planning of a work order, also through its event:
        anyone else (a technician moving their event in the Calendar app) gets a
        UserError and nothing changes. Writing the same dates again (e.g. a calendar
        synchronisation) is no move.
        """
        moves = []
        for event in events:
            # sudo: only the planned dates (compared with the event's) and the reference
            # (named in the refusal); the work orders are written with the user's rights
            order = event.sudo().fm_work_order_id
            if order and (order.planned_date_start, order.planned_date_end) != (
                event.start,
                event.stop,
            ):
                moves.append((order, event))
        if not moves:
            return
        if not self.with_env(events.env)._fm_is_dispatcher():
            raise UserError(
                self.env._(
                    "You cannot move the calendar event of work order %(orders)s: only "
                    "dispatchers can change the planning of work orders. Ask a dispatcher "
                    "to reschedule it.",
                    orders=", ".join(order.name for order, _event in moves),
                )
            )
        for order, event in moves:
            order.with_env(events.env).with_context(fm_skip_event_sync=True).write(
                {"planned_date_start": event.start, "planned_date_end": event.stop}
            )

    # ------------------------------------------------------------------
    # Actions and helpers
    # ------------------------------------------------------------------

    def action_open_map(self):
        self.ensure_one()
        if not self.site_map_url:
            raise UserError(self.env._("Work order %s has no site address.", self.name))
        return {"type": "ir.actions.act_url", "url": self.site_map_url, "target": "new"}

    def action_send(self):
        """Open the composer with the work-order e-mail and its PDF."""
        self.ensure_one()
        template = self.env.ref(
            "field_maintenance.mail_template_work_order", raise_if_not_found=False
        )
        return {
            "type": "ir.actions.act_window",
            "res_model": "mail.compose.message",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_model": self._name,
                "default_res_ids": self.ids,
                "default_template_id": template.id if template else False,
                "default_composition_mode": "comment",
                "default_email_layout_xmlid": (
                    "mail.mail_notification_layout_with_responsible_signature"
                ),
                "force_email": True,
            },
        }

    def action_view_calendar_event(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "calendar.event",
            "view_mode": "form",
            "res_id": self.calendar_event_ids[:1].id,
        }

    def _get_report_base_filename(self):
        self.ensure_one()
        return self.env._("Work Order %s", self.name)

    def _mail_get_partner_fields(self, introspect_fields=False):
        return ["partner_id"]

    # ------------------------------------------------------------------
    # SLA (issue 5): policy, deadlines, response and resolution
    #
    # Response: the first moment the work order is planned (a technician
    # and a date are committed) or started. Resolution: the moment it is
    # reported complete. Targets count working hours of the policy's
    # calendar from the SLA start (see field.sla.policy). The SLA triggers
    # of automation rules are on_time rules on the stored deadlines.
    # ------------------------------------------------------------------

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
    sla_policy_id = fields.Many2one(
        "field.sla.policy",
        string="SLA Policy",
        compute="_compute_sla_policy_id",
        store=True,
        readonly=False,
        index="btree_not_null",
        tracking=True,
        check_company=True,
        help="Set from the first matching SLA policy when the work order is created, or when "
        "its work type, priority or customer changes while it is open.",
    )
    sla_start_date = fields.Datetime(
        string="SLA Start",
        default=fields.Datetime.now,
        copy=False,
        help="When the request was received; SLA targets count from here.",
    )
    sla_response_deadline = fields.Datetime(
        string="Response Deadline", compute="_compute_sla_deadlines", store=True
    )
    sla_resolution_deadline = fields.Datetime(
        string="Resolution Deadline", compute="_compute_sla_deadlines", store=True
    )
    sla_response_risk_date = fields.Datetime(compute="_compute_sla_deadlines", store=True)
    sla_resolution_risk_date = fields.Datetime(compute="_compute_sla_deadlines", store=True)
    sla_responded_on = fields.Datetime(
        string="Responded On",
        compute="_compute_sla_responded_on",
        store=True,
        copy=False,
        help="First time the work order was planned or started.",
    )
    sla_resolved_on = fields.Datetime(
        string="Resolved On",
        compute="_compute_sla_resolved_on",
        store=True,
        copy=False,
        help="When the work order was reported complete.",
    )
    sla_response_hours = fields.Float(
        string="Response Time",
        compute="_compute_sla_hours",
        store=True,
        aggregator="avg",
        help="Working hours from the SLA start to the first response.",
    )
    sla_resolution_hours = fields.Float(
        string="Resolution Time",
        compute="_compute_sla_hours",
        store=True,
        aggregator="avg",
        help="Working hours from the SLA start to the resolution.",
    )
    sla_failed = fields.Boolean(
        string="SLA Failed",
        compute="_compute_sla_failed",
        store=True,
        help="Responded or resolved after its deadline.",
    )
    sla_status = fields.Selection(
        SLA_STATUSES,
        string="SLA Status",
        compute="_compute_sla_status",
        search="_search_sla_status",
    )

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

    @api.depends("work_type_id", "priority", "partner_id", "company_id")
    def _compute_sla_policy_id(self):
        open_orders = self.filtered(lambda order: order.state in OPEN_STATES)
        policies = self.env["field.sla.policy"]._find_for_orders(open_orders)
        for order in self:
            order.sla_policy_id = policies.get(order, order.sla_policy_id)

    @api.depends("sla_policy_id", "sla_start_date")
    def _compute_sla_deadlines(self):
        with_policy = self.filtered(lambda order: order.sla_policy_id and order.sla_start_date)
        without = self - with_policy
        # at once for the work orders without SLA, e.g. generated maintenance visits
        without.sla_response_deadline = without.sla_response_risk_date = False
        without.sla_resolution_deadline = without.sla_resolution_risk_date = False
        for order in with_policy:
            deadlines = order.sla_policy_id._deadlines(order.sla_start_date)
            order.sla_response_deadline, order.sla_response_risk_date = deadlines["response"]
            order.sla_resolution_deadline, order.sla_resolution_risk_date = deadlines["resolution"]
        self.env["base.automation"]._fm_sla_deadlines_changed(self)

    @api.depends("state")
    def _compute_sla_responded_on(self):
        now = fields.Datetime.now()
        for order in self:
            if not order.sla_responded_on and order.state in SLA_RESPONSE_STATES:
                order.sla_responded_on = now
            else:
                order.sla_responded_on = order.sla_responded_on

    @api.depends("state", "date_end")
    def _compute_sla_resolved_on(self):
        now = fields.Datetime.now()
        for order in self:
            order.sla_resolved_on = (order.date_end or now) if order.state == "done" else False

    @api.depends("sla_policy_id", "sla_start_date", "sla_responded_on", "sla_resolved_on")
    def _compute_sla_hours(self):
        Policy = self.env["field.sla.policy"]
        for calendar, orders in self.grouped(
            lambda order: order.sla_policy_id.resource_calendar_id
        ).items():
            if not orders.sla_policy_id:
                orders.sla_response_hours = orders.sla_resolution_hours = 0.0
                continue
            periods = [(o.sla_start_date, o.sla_responded_on) for o in orders]
            periods += [(o.sla_start_date, o.sla_resolved_on) for o in orders]
            hours = Policy._work_hours_batch(calendar, periods)
            for order, response, resolution in zip(
                orders, hours[: len(orders)], hours[len(orders) :], strict=True
            ):
                order.sla_response_hours = response
                order.sla_resolution_hours = resolution

    @api.depends(
        "sla_response_deadline",
        "sla_resolution_deadline",
        "sla_responded_on",
        "sla_resolved_on",
    )
    def _compute_sla_failed(self):
        def failed(order):
            return bool(
                (
                    order.sla_responded_on
                    and order.sla_response_deadline
                    and order.sla_responded_on > order.sla_response_deadline
                )
                or (
                    order.sla_resolved_on
                    and order.sla_resolution_deadline
                    and order.sla_resolved_on > order.sla_resolution_deadline
                )
            )

        assign_by_value(self, "sla_failed", [failed(order) for order in self])

    @api.depends(
        "state",
        "sla_policy_id",
        "sla_failed",
        "sla_response_deadline",
        "sla_resolution_deadline",
        "sla_response_risk_date",
        "sla_resolution_risk_date",
        "sla_responded_on",
        "sla_resolved_on",
    )
    def _compute_sla_status(self):
        now = fields.Datetime.now()
        for order in self:
            order.sla_status = order._sla_status_at(now)

    def _sla_status_at(self, now):
        self.ensure_one()
        if not self.sla_policy_id or self.state == "cancelled":
            return False
        waiting_response = not self.sla_responded_on
        waiting_resolution = not self.sla_resolved_on

        def passed(waiting, moment):
            return bool(waiting and moment and moment < now)

        def reached(waiting, moment):
            return bool(waiting and moment and moment <= now)

        if (
            self.sla_failed
            or passed(waiting_response, self.sla_response_deadline)
            or passed(waiting_resolution, self.sla_resolution_deadline)
        ):
            return "breached"
        if not waiting_resolution:
            return "met"
        if reached(waiting_response, self.sla_response_risk_date) or reached(
            waiting_resolution, self.sla_resolution_risk_date
        ):
            return "at_risk"
        return "on_track"

    @api.model
    def _sla_status_domains(self):
        """Domain of each SLA status, consistent with _sla_status_at()."""
        now = fields.Datetime.now()
        applies = Domain("sla_policy_id", "!=", False) & Domain("state", "!=", "cancelled")

        def passed(waiting_field, moment_field, operator):
            return (
                Domain(waiting_field, "=", False)
                & Domain(moment_field, "!=", False)
                & Domain(moment_field, operator, now)
            )

        breached = (
            Domain("sla_failed", "=", True)
            | passed("sla_responded_on", "sla_response_deadline", "<")
            | passed("sla_resolved_on", "sla_resolution_deadline", "<")
        )
        at_risk = passed("sla_responded_on", "sla_response_risk_date", "<=") | passed(
            "sla_resolved_on", "sla_resolution_risk_date", "<="
        )
        resolved = Domain("sla_resolved_on", "!=", False)
        return {
            False: ~applies,
            "breached": applies & breached,
            "met": applies & ~breached & resolved,
            "at_risk": applies & ~breached & ~resolved & at_risk,
            "on_track": applies & ~breached & ~resolved & ~at_risk,
        }

    def _search_sla_status(self, operator, value):
        if operator not in ("in", "not in"):
            return NotImplemented
        domains = self._sla_status_domains()
        domain = Domain.OR(domains[status] for status in value if status in domains)
        return domain if operator == "in" else ~domain

    # ------------------------------------------------------------------
    # Invoicing (issue 3): invoices, price agreements and travel costs
    # ------------------------------------------------------------------

    invoice_ids = fields.Many2many(
        "account.move",
        string="Invoices",
        compute="_compute_invoice_ids",
        search="_search_invoice_ids",
        groups="account.group_account_invoice,account.group_account_readonly",
    )
    invoice_count = fields.Integer(
        compute="_compute_invoice_ids",
        groups="account.group_account_invoice,account.group_account_readonly",
    )
    invoice_status = fields.Selection(
        [
            ("no", "Nothing to Invoice"),
            ("to_invoice", "To Invoice"),
            ("invoiced", "Fully Invoiced"),
        ],
        compute="_compute_invoice_status",
        store=True,
        index=True,
        copy=False,
    )
    travel_distance = fields.Float(
        string="Travel Distance (km)",
        digits=(16, 1),
        copy=False,
        tracking=True,
        help="Distance from the company to the site in kilometres, as recorded by the "
        "technician. Used to compute the travel costs; a round trip counts it twice.",
    )
    travel_time = fields.Float(
        copy=False,
        help="Hours spent travelling to the site.",
    )

    @api.depends("line_ids.invoice_line_ids.move_id")
    def _compute_invoice_ids(self):
        for order in self:
            invoices = order.line_ids.invoice_line_ids.move_id.filtered(
                lambda move: move.move_type in ("out_invoice", "out_refund")
            )
            order.invoice_ids = invoices
            order.invoice_count = len(invoices)

    def _search_invoice_ids(self, operator, value):
        if operator in Domain.NEGATIVE_OPERATORS:
            return NotImplemented
        return [("line_ids.invoice_line_ids.move_id", operator, value)]

    @api.depends(
        "state",
        "line_ids.qty_to_invoice",
        "line_ids.qty_invoiced",
        "line_ids.line_type",
        "line_ids.display_type",
        "work_type_id.labour_product_id",
        "planned_hours",
        "date_start",
        "date_end",
        "company_id.fm_labour_hours",
    )
    def _compute_invoice_status(self):
        """As on sale orders: 'to_invoice' when a billable line (or the hours of the work
        type's labour product) remains to be invoiced, 'invoiced' when everything billable
        is on an invoice, even a draft one, 'no' otherwise and before the work is done."""
        precision = self.env["decimal.precision"].precision_get("Product Unit")
        statuses = []
        for order in self:
            status = "no"
            if order.state == "done":
                lines = order.line_ids.filtered(lambda line: not line.display_type)
                if order._fm_needs_labour_line() or any(
                    float_compare(line.qty_to_invoice, 0.0, precision_digits=precision) > 0
                    for line in lines
                ):
                    status = "to_invoice"
                elif any(
                    not float_is_zero(line.qty_invoiced, precision_digits=precision)
                    for line in lines
                ):
                    status = "invoiced"
            statuses.append(status)
        assign_by_value(self, "invoice_status", statuses)

    def _fm_price_date(self, default=None):
        """Date of the price agreements that apply: when the work was (or is planned to be)
        done, else ``default`` (now)."""
        self.ensure_one()
        return self.date_start or self.planned_date_start or default or fields.Datetime.now()

    def _fm_price_request(self, product, quantity, uom, now=None):
        """What prices ``quantity`` ``uom`` of ``product`` on this work order with the
        customer's price agreements: a request of field.work.order.line._fm_prices()."""
        self.ensure_one()
        return (
            self.company_id or self.env.company,
            self.partner_id,
            self._fm_price_date(now),
            product,
            quantity,
            uom,
        )

    def _fm_labour_hours_to_invoice(self):
        self.ensure_one()
        if self.company_id.fm_labour_hours == "planned":
            hours = self.planned_hours
        else:
            hours = self.actual_hours
        return round(hours or 0.0, 2)

    def _fm_needs_labour_line(self):
        """Whether invoicing adds a labour line: the work type has a labour product and the
        technician recorded no labour line."""
        self.ensure_one()
        return bool(
            self.state == "done"
            and self.work_type_id.labour_product_id
            and not any(
                line.line_type == "labour" and not line.display_type for line in self.line_ids
            )
            and self._fm_labour_hours_to_invoice() > 0
        )

    def _fm_prepare_labour_lines(self):
        """Before invoicing, give labour lines without a product the work type's labour
        product and add a labour line with the planned or actual hours (company setting)
        to the work orders whose technician recorded none."""
        hour = self.env.ref("uom.product_uom_hour", raise_if_not_found=False)
        to_create = []
        for order in self:
            product = order.work_type_id.labour_product_id
            if not product:
                continue
            for line in order.line_ids.filtered(
                lambda line: (
                    line.line_type == "labour"
                    and not line.display_type
                    and not line.product_id
                    and line.qty_to_invoice > 0
                )
            ):
                vals = {"product_id": product.id, "name": line.name}
                if line.product_uom_id:
                    vals["product_uom_id"] = line.product_uom_id.id
                if not order.currency_id.is_zero(line.price_unit):
                    vals["price_unit"] = line.price_unit
                line.write(vals)
            if order._fm_needs_labour_line():
                hours = order._fm_labour_hours_to_invoice()
                uom = product.uom_id
                if hour and uom != hour and uom._has_common_reference(hour):
                    hours = hour._compute_quantity(hours, uom, round=False)
                to_create.append(
                    {
                        "work_order_id": order.id,
                        "line_type": "labour",
                        "product_id": product.id,
                        "product_uom_id": uom.id,
                        "quantity": hours,
                        "sequence": max(order.line_ids.mapped("sequence") or [0]) + 1,
                    }
                )
        if to_create:
            self.env["field.work.order.line"].create(to_create)

    def _fm_invoice_refusal(self):
        """Translated reason why the work order cannot be invoiced, or None."""
        self.ensure_one()
        if self.state != "done":
            state = dict(self._fields["state"]._description_selection(self.env))[self.state]
            return self.env._(
                "Work order %(order)s cannot be invoiced: it is %(state)s, not done.",
                order=self.name,
                state=state,
            )
        if self.invoice_status == "invoiced":
            return self.env._(
                "Work order %s cannot be invoiced: it is already fully invoiced.", self.name
            )
        if self.invoice_status != "to_invoice":
            return self.env._(
                "Work order %s cannot be invoiced: it has no billable lines (materials, "
                "hours, travel or other lines with a product or a price).",
                self.name,
            )
        return None

    def _fm_check_invoice_access(self):
        self.check_access("write")
        if not self.env["account.move"].has_access("create"):
            raise AccessError(
                self.env._(
                    "You are not allowed to create invoices, so work orders %(orders)s "
                    "cannot be invoiced. Ask a colleague with invoicing rights.",
                    orders=", ".join(self.mapped("name")),
                )
            )

    def action_create_invoices(self):
        """Create draft customer invoices for the selected done work orders and open them."""
        invoices = self._create_invoices()
        return self.action_view_invoices(invoices)

    def _create_invoices(self, skip_refused=False):
        """Create one draft customer invoice per customer (invoice address of the commercial
        partner) and company, or per work order (company setting), with all the moves of a
        company in one create.

        :param skip_refused: leave out the work orders that cannot be invoiced instead of
            refusing them all (automation rules)
        :return: the invoices (account.move)
        """
        self._fm_check_invoice_access()
        refusals = {}
        for order in self:
            reason = order._fm_invoice_refusal()
            if reason:
                refusals[order] = reason
        if refusals and not skip_refused:
            raise UserError("\n".join(refusals.values()))
        orders = self.filtered(lambda order: order not in refusals)
        Move = self.env["account.move"]
        if not orders:
            return Move
        orders._fm_prepare_labour_lines()
        invoices = Move
        for company, company_orders in orders.grouped("company_id").items():
            company_orders = company_orders.with_company(company)
            vals_list, origins = company_orders._fm_prepare_invoices_vals()
            moves = (
                Move.with_company(company)
                .with_context(default_move_type="out_invoice")
                .create(vals_list)
            )
            moves._message_log_batch(
                bodies={
                    move.id: self.env._(
                        "This invoice was created from work orders %s.",
                        Markup(", ").join(order._get_html_link() for order in move_orders),
                    )
                    for move, move_orders in zip(moves, origins, strict=True)
                }
            )
            invoices |= moves
        return invoices

    def _fm_prepare_invoices_vals(self):
        """Values of the invoices of work orders of one company (self.env.company).

        :return: (list of account.move values, list of the work orders of each invoice)
        """
        company = self.env.company
        Journal = self.env["account.journal"]
        journal = Journal.search(
            [*Journal._check_company_domain(company), ("type", "=", "sale")], limit=1
        )
        if not journal:
            raise UserError(Journal._build_no_journal_error_msg(company.display_name, ["sale"]))
        FiscalPosition = self.env["account.fiscal.position"]
        per_work_order = company.fm_invoice_grouping == "work_order"
        # without analytic distribution models, skip their lookup (one query per invoice
        # line): the computed distribution would be empty anyway.
        # sudo: only whether such a model exists is read, nothing is shown
        no_analytic_models = not (
            self.env["account.analytic.distribution.model"]
            .sudo()
            .search_count([("company_id", "in", [company.id, False])], limit=1)
        )
        invoice_partners = {}
        fiscal_positions = {}
        groups = defaultdict(list)
        for order in self.sorted(lambda order: (order.name, order.id)):
            commercial = order.partner_id.commercial_partner_id
            if commercial not in invoice_partners:
                invoice_partners[commercial] = commercial.browse(
                    commercial.address_get(["invoice"])["invoice"]
                )
            partner = invoice_partners[commercial]
            site = order.site_partner_id or partner
            if (partner, site) not in fiscal_positions:
                fiscal_positions[partner, site] = FiscalPosition._get_fiscal_position(
                    partner, delivery=site
                )
            key = (partner, fiscal_positions[partner, site], order if per_work_order else None)
            groups[key].append(order)
        vals_list = []
        origins = []
        for (partner, fiscal_position, _order), order_list in groups.items():
            orders = self.browse([order.id for order in order_list]).with_prefetch(
                self._prefetch_ids
            )
            sites = orders.site_partner_id
            line_vals = orders._fm_prepare_invoice_lines_vals(with_sections=len(orders) > 1)
            currency = orders[:1].currency_id or company.currency_id
            for sequence, vals in enumerate(line_vals, start=1):
                vals["sequence"] = sequence
                if vals["display_type"] != "product":
                    continue
                if no_analytic_models:
                    vals["analytic_distribution"] = False
                if currency == company.currency_id:
                    # the journal amount of the line as account computes it from the price
                    # without included taxes (credit, hence negative): it spares account two
                    # writes per line, and account's tax sync still corrects it when a tax
                    # is included in the price
                    subtotal = currency.round(
                        vals["quantity"] * vals["price_unit"] * (1 - vals["discount"] / 100.0)
                    )
                    vals["balance"] = vals["amount_currency"] = -subtotal
            vals_list.append(
                {
                    "move_type": "out_invoice",
                    "company_id": company.id,
                    "journal_id": journal.id,
                    "partner_id": partner.id,
                    "partner_shipping_id": sites.id if len(sites) == 1 else partner.id,
                    "fiscal_position_id": fiscal_position.id,
                    "currency_id": currency.id,
                    "invoice_origin": ", ".join(orders.mapped("name")),
                    "invoice_line_ids": [Command.create(vals) for vals in line_vals],
                }
            )
            origins.append(orders)
        return vals_list, origins

    def _fm_prepare_invoice_lines_vals(self, with_sections=False):
        """Invoice line values of the lines still to invoice, with the sections and notes
        that introduce them (as sale does), under a section per work order when several
        work orders share the invoice."""
        precision = self.env["decimal.precision"].precision_get("Product Unit")
        result = []
        for order in self:
            order_vals = []
            pending = []
            for line in order.line_ids:
                if line.display_type == "line_section":
                    pending = [line]
                    continue
                if line.display_type == "line_note":
                    if pending:
                        pending.append(line)
                    else:
                        order_vals.append(line._fm_prepare_invoice_line(with_sections))
                    continue
                if float_compare(line.qty_to_invoice, 0.0, precision_digits=precision) <= 0:
                    continue
                order_vals.extend(held._fm_prepare_invoice_line(with_sections) for held in pending)
                pending = []
                order_vals.append(line._fm_prepare_invoice_line(with_sections))
            if not any(vals["display_type"] == "product" for vals in order_vals):
                continue
            if with_sections:
                title = " - ".join(filter(None, [order.name, order.summary]))
                result.append({"display_type": "line_section", "name": title})
            result.extend(order_vals)
        return result

    def _fm_log_batch(self, bodies):
        """Log notes on work orders, for the methods that checked write access."""
        if bodies:
            self.browse(list(bodies))._message_log_batch(bodies=bodies)

    def action_view_invoices(self, invoices=None):
        invoices = self.invoice_ids if invoices is None else invoices
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account.action_move_out_invoice_type"
        )
        if len(invoices) == 1:
            action["views"] = [(self.env.ref("account.view_move_form").id, "form")]
            action["view_mode"] = "form"
            action["res_id"] = invoices.id
        else:
            action["domain"] = [("id", "in", invoices.ids)]
        action["context"] = {"default_move_type": "out_invoice", "create": False}
        return action

    def action_apply_price_agreements(self):
        """Recompute the prices of the open lines (not invoiced yet) of the work orders from
        the customer's pricelist at the work order date; logs what changed."""
        self.check_access("write")
        precision = self.env["decimal.precision"].precision_get("Product Unit")
        lines = self.filtered(lambda order: order.state != "cancelled").line_ids.filtered(
            lambda line: (
                line.product_id
                and not line.display_type
                and not line.is_travel_cost
                and float_is_zero(line.qty_invoiced, precision_digits=precision)
            )
        )
        prices = lines._fm_pricelist_prices()
        changes = defaultdict(list)
        for line in lines:
            price = prices[line]
            if line.currency_id.compare_amounts(price, line.price_unit):
                changes[line.work_order_id].append(
                    self.env._(
                        "%(product)s: %(old)s → %(new)s",
                        product=line.product_id.display_name,
                        old=format_amount(self.env, line.price_unit, line.currency_id),
                        new=format_amount(self.env, price, line.currency_id),
                    )
                )
                line.price_unit = price
        self._fm_log_batch(
            {
                order.id: Markup("<br/>").join([self.env._("Price agreements applied:"), *messages])
                for order, messages in changes.items()
            }
        )
        return True

    def action_compute_travel_costs(self):
        """Add or update the one travel-cost line of each work order from the recorded or
        estimated distance and the travel settings of its company; when no distance is
        known, log why no travel line was added."""
        self.check_access("write")
        cancelled = self.filtered(lambda order: order.state == "cancelled")
        if cancelled:
            raise UserError(
                self.env._(
                    "Travel costs cannot be computed for cancelled work orders: %s",
                    ", ".join(cancelled.mapped("name")),
                )
            )
        unconfigured = self.filtered(lambda order: not order.company_id.fm_travel_product_id)
        if unconfigured:
            raise UserError(
                self.env._(
                    "Travel costs of work orders %(orders)s cannot be computed: choose a "
                    "travel product in the Field Service settings of %(companies)s.",
                    orders=", ".join(unconfigured.mapped("name")),
                    companies=", ".join(unconfigured.company_id.mapped("name")),
                )
            )
        precision = self.env["decimal.precision"].precision_get("Product Unit")
        Line = self.env["field.work.order.line"]
        to_create = []
        to_remove = Line
        bodies = {}
        for order in self:
            travel_lines = order.line_ids.filtered("is_travel_cost")
            if any(
                not float_is_zero(line.qty_invoiced, precision_digits=precision)
                for line in travel_lines
            ):
                bodies[order.id] = self.env._(
                    "Travel costs were not computed again: the travel line is already invoiced."
                )
                continue
            distance, explanation = order._fm_travel_distance()
            if not distance:
                to_remove |= travel_lines
                bodies[order.id] = explanation
                continue
            vals = order._fm_prepare_travel_line_vals(distance)
            if travel_lines:
                travel_lines[0].write(vals)
                to_remove |= travel_lines[1:]
            else:
                to_create.append(vals)
            bodies[order.id] = self.env._(
                "Travel costs: %(amount)s for %(km)s km (%(origin)s).",
                amount=format_amount(self.env, vals["price_unit"], order.currency_id),
                km=formatLang(self.env, distance, digits=1),
                origin=explanation,
            )
        to_remove.unlink()
        Line.create(to_create)
        self._fm_log_batch(bodies)
        return True

    def _fm_travel_distance(self):
        """One-way distance to the site in km: the travel distance recorded on the work
        order, else the kilometres recorded on travel lines, else the great-circle distance
        between the company and the site times the road factor.

        :return: (km, translated explanation); km is 0 when unknown and the explanation
            then says why no travel line is added
        """
        self.ensure_one()
        if self.travel_distance > 0:
            return self.travel_distance, self.env._("distance recorded on the work order")
        km_uom = self.env.ref("uom.product_uom_km")
        recorded = sum(
            line.product_uom_id._compute_quantity(line.quantity, km_uom, round=False)
            for line in self.line_ids
            if line._fm_is_distance_record()
        )
        if recorded > 0:
            return recorded, self.env._("kilometres recorded by the technician")
        origin = self.company_id.partner_id
        site = self.site_partner_id
        missing = [
            partner
            for partner in (origin, site)
            if not (partner.partner_latitude or partner.partner_longitude)
        ]
        if missing:
            return 0.0, self.env._(
                "No travel line was added to work order %(order)s: no kilometres were "
                "recorded and the distance cannot be estimated because %(partners)s has no "
                "coordinates (geolocate the address).",
                order=self.name,
                partners=self.env._(" and ").join(partner.display_name for partner in missing),
            )
        crow_flies = _great_circle_km(
            origin.partner_latitude,
            origin.partner_longitude,
            site.partner_latitude,
            site.partner_longitude,
        )
        factor = self.company_id.fm_travel_road_factor or 1.0
        return round(crow_flies * factor, 1), self.env._(
            "estimated: %(km)s km as the crow flies × road factor %(factor)s",
            km=formatLang(self.env, crow_flies, digits=1),
            factor=formatLang(self.env, factor, digits=2),
        )

    def _fm_prepare_travel_line_vals(self, distance):
        """Values of the travel-cost line: call-out fee plus the charged kilometres (one way
        or round trip, minus the free kilometres) at the price per km, described in the
        customer's language."""
        self.ensure_one()
        company = self.company_id
        currency = self.currency_id or company.currency_id
        product = company.fm_travel_product_id
        trips = 2 if company.fm_travel_mode == "round_trip" else 1
        total_km = distance * trips
        charged_km = max(0.0, total_km - company.fm_travel_free_km)
        amount = currency.round(
            company.fm_travel_callout_fee + charged_km * company.fm_travel_price_per_km
        )
        env = self.with_context(lang=self.partner_id.lang or self.env.lang).env

        def km(value):
            return formatLang(env, value, digits=1)

        parts = []
        if trips == 2:
            parts.append(
                env._(
                    "round trip 2 × %(km)s km = %(total)s km",
                    km=km(distance),
                    total=km(total_km),
                )
            )
        else:
            parts.append(env._("one way %(km)s km", km=km(distance)))
        if company.fm_travel_free_km:
            parts.append(env._("%(km)s km free", km=km(company.fm_travel_free_km)))
        if company.fm_travel_price_per_km:
            parts.append(
                env._(
                    "%(km)s km × %(price)s",
                    km=km(charged_km),
                    price=format_amount(env, company.fm_travel_price_per_km, currency),
                )
            )
        if company.fm_travel_callout_fee:
            parts.append(
                env._(
                    "call-out fee %(fee)s",
                    fee=format_amount(env, company.fm_travel_callout_fee, currency),
                )
            )
        description = product.with_context(lang=env.lang).get_product_multiline_description_sale()
        return {
            "work_order_id": self.id,
            "line_type": "travel",
            "is_travel_cost": True,
            "product_id": product.id,
            "product_uom_id": product.uom_id.id,
            "name": f"{description}\n{', '.join(parts)}",
            "quantity": 1.0,
            "price_unit": amount,
            "discount": 0.0,
        }

    # ------------------------------------------------------------------
    # Periodic maintenance (issue 4)
    # ------------------------------------------------------------------

    maintenance_plan_id = fields.Many2one(
        "field.maintenance.plan",
        index="btree_not_null",
        copy=False,
        tracking=True,
        check_company=True,
        ondelete="set null",
        domain="[('commercial_partner_id', '=', commercial_partner_id), ('state', '=', 'active')]",
    )
    maintenance_due_date = fields.Date(
        string="Maintenance Due On",
        copy=False,
        help="Due date of the periodic maintenance this work order is the visit of. When the "
        "work order is done, the plan's next due date moves one interval further.",
    )
    # not tracked on the work order (a related field inherits the tracking of its target):
    # the plan logs its own changes, and each write of a work order would read them
    maintenance_plan_state = fields.Selection(
        related="maintenance_plan_id.state", string="Maintenance Plan Status", tracking=False
    )
    maintenance_next_date = fields.Date(
        related="maintenance_plan_id.next_date", string="Next Maintenance", tracking=False
    )
    maintenance_interval_label = fields.Char(
        related="maintenance_plan_id.interval_label", string="Maintenance Interval"
    )

    _maintenance_visit_uniq = models.UniqueIndex(
        "(maintenance_plan_id, maintenance_due_date) WHERE maintenance_due_date IS NOT NULL "
        "AND state != 'cancelled'",
        "A maintenance plan has only one work order per due date; plan the existing one "
        "or cancel it first.",
    )

    @api.model
    def _fm_prepare_maintenance_vals(self, vals_list):
        """A work order made for a maintenance plan gets, unless given: the plan's
        customer, site, equipment, work type and description, its template lines and its
        current due date (when no other work order holds that due date)."""
        context = self.env.context
        plan_ids = {
            vals.get("maintenance_plan_id", context.get("default_maintenance_plan_id"))
            for vals in vals_list
        } - {False, None}
        if not plan_ids:
            return vals_list
        plans = self.env["field.maintenance.plan"].browse(plan_ids)
        needs_due_date = []
        for vals in vals_list:
            plan_id = vals.get("maintenance_plan_id", context.get("default_maintenance_plan_id"))
            if not plan_id:
                continue
            if all(key in vals for key in ("partner_id", "line_ids", "maintenance_due_date")):
                continue  # e.g. the batch creation of the maintenance cron
            plan = plans.browse(plan_id)
            missing = {}
            for key, value in plan._prepare_work_order_vals().items():
                if key in vals:
                    continue
                if f"default_{key}" not in context:
                    missing[key] = value
                elif not self._fields[key].type.endswith("2many"):
                    # e.g. the work type, whose checklist create() copies from vals
                    missing[key] = context[f"default_{key}"]
            missing.pop("planned_date_start", None)
            missing.pop("maintenance_plan_id", None)
            due_date = missing.pop("maintenance_due_date", None)
            vals.update(missing)
            if due_date:
                needs_due_date.append((vals, plan))
        if needs_due_date:
            taken = {
                (order.maintenance_plan_id.id, order.maintenance_due_date)
                for order in self.with_context(active_test=False).search(
                    [
                        ("maintenance_plan_id", "in", [plan.id for _vals, plan in needs_due_date]),
                        ("maintenance_due_date", "!=", False),
                        ("state", "!=", "cancelled"),
                    ]
                )
            }
            for vals, plan in needs_due_date:
                if (plan.id, plan.next_date) not in taken:
                    vals["maintenance_due_date"] = plan.next_date
                    taken.add((plan.id, plan.next_date))
                else:
                    # another visit of the same due date: not the one that moves the plan
                    vals["maintenance_due_date"] = False
        return vals_list

    @api.onchange("maintenance_plan_id")
    def _onchange_maintenance_plan_id(self):
        """Show the plan's template lines on a new work order scheduled from the plan."""
        plan = self.maintenance_plan_id
        if plan and not self._origin.id and not self.line_ids:
            self.line_ids = plan._prepare_work_order_line_commands()

    def _fm_advance_maintenance_plans(self):
        """Done visits of maintenance plans move their plan's due date (as superuser: the
        technician reporting the work complete cannot edit plans)."""
        orders = self.filtered(
            lambda order: (
                order.state == "done" and order.maintenance_plan_id and order.maintenance_due_date
            )
        )
        for order in orders.sorted("maintenance_due_date"):
            # sudo: the plan and due date are set by dispatchers only (TECHNICIAN_FIELDS)
            # and belong to the order's customer (_check_maintenance_plan_customer); the
            # plan moves by its own interval, the technician gives nothing
            order.maintenance_plan_id.sudo()._advance(order)

    def action_open_maintenance_plan(self):
        """Create the periodic maintenance of this work order, or edit it."""
        self.ensure_one()
        action = {
            "type": "ir.actions.act_window",
            "res_model": "field.maintenance.plan",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
        }
        if self.maintenance_plan_id:
            action.update(
                name=self.env._("Periodic Maintenance"), res_id=self.maintenance_plan_id.id
            )
        else:
            action.update(
                name=self.env._("New Periodic Maintenance"),
                context={"default_origin_work_order_id": self.id},
            )
        return action

    def action_cancel_maintenance_plan(self):
        self.ensure_one()
        if not self.maintenance_plan_id:
            raise UserError(
                self.env._("Work order %s has no periodic maintenance to cancel.", self.name)
            )
        return self.maintenance_plan_id.action_open_cancel_wizard()


def _great_circle_km(lat1, lon1, lat2, lon2):
    """Haversine distance in km between two points given in degrees."""
    lat1, lon1, lat2, lon2 = map(math.radians, (lat1, lon1, lat2, lon2))
    a = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))
