from datetime import timedelta
from urllib.parse import quote_plus

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError

WORK_ORDER_STATES = [
    ("draft", "Draft"),
    ("planned", "Planned"),
    ("ready", "Ready"),
    ("in_progress", "In Progress"),
    ("done", "Done"),
    ("cancelled", "Cancelled"),
]
OPEN_STATES = ("draft", "planned", "ready", "in_progress")
# states in which a work order has a calendar event for its technicians
CALENDAR_STATES = ("planned", "ready", "in_progress", "done")
# fields only a dispatcher may change on an existing work order
PLANNING_FIELDS = {
    "user_id",
    "technician_ids",
    "planned_date_start",
    "planned_date_end",
    "planned_hours",
    "company_id",
}
# fields whose change must be reflected on the calendar event
CALENDAR_FIELDS = PLANNING_FIELDS | {
    "state",
    "name",
    "summary",
    "partner_id",
    "site_partner_id",
}


class FieldWorkOrder(models.Model):
    _name = "field.work.order"
    _description = "Work Order"
    _inherit = ["portal.mixin", "mail.thread", "mail.activity.mixin"]
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
        string="Equipment",
        check_company=True,
        domain="[('partner_id.commercial_partner_id', '=', commercial_partner_id)]",
    )
    work_type_id = fields.Many2one(
        "field.work.type",
        string="Work Type",
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
        string="Planned Hours",
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
    actual_hours = fields.Float(string="Actual Hours", compute="_compute_actual_hours")
    is_overdue = fields.Boolean(compute="_compute_is_overdue", search="_search_is_overdue")
    description = fields.Html(
        string="Work Description",
        compute="_compute_description",
        store=True,
        readonly=False,
    )
    internal_note = fields.Html(string="Internal Note")
    comment = fields.Text(
        string="Comment",
        help="Remarks of the technician or the customer, printed on the report.",
    )
    properties = fields.Properties(definition="work_type_id.properties_definition", copy=True)
    line_ids = fields.One2many("field.work.order.line", "work_order_id", string="Lines", copy=True)
    checklist_ids = fields.One2many(
        "field.work.order.checklist",
        "work_order_id",
        string="Checklist",
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
    signed_by = fields.Char(string="Signed By", copy=False, tracking=True)
    signed_on = fields.Datetime(string="Signed On", copy=False)
    calendar_event_ids = fields.One2many(
        "calendar.event", "fm_work_order_id", string="Calendar Events", copy=False
    )
    amount_untaxed = fields.Monetary(
        string="Untaxed Amount", compute="_compute_amounts", store=True
    )
    labour_hours = fields.Float(string="Hours Worked", compute="_compute_amounts", store=True)
    color = fields.Integer(compute="_compute_color")

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
            parts = [
                site.street,
                site.street2,
                " ".join(filter(None, [site.zip, site.city])),
                site.country_id.name,
            ]
            address = ", ".join(part for part in parts if part)
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
            if order.planned_date_start:
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
        for order in self:
            lines = order.line_ids.filtered(lambda line: not line.display_type)
            order.amount_untaxed = sum(lines.mapped("price_subtotal"))
            order.labour_hours = sum(
                lines.filtered(lambda line: line.line_type == "labour").mapped("quantity")
            )

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

    def _compute_access_url(self):
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

    @api.constrains("planned_date_start", "planned_date_end", "planned_hours")
    def _check_planned_dates(self):
        for order in self:
            if order.planned_hours < 0:
                raise ValidationError(
                    self.env._("Work order %s cannot have negative planned hours.", order.name)
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

    @api.model_create_multi
    def create(self, vals_list):
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
        orders._sync_calendar_events()
        return orders

    def write(self, vals):
        if (
            PLANNING_FIELDS & set(vals)
            and not self.env.su
            and not self.env.user.has_group("field_maintenance.group_field_user")
        ):
            raise AccessError(
                self.env._(
                    "Only dispatchers can change the planning of work orders (%(orders)s).",
                    orders=", ".join(self.mapped("name")),
                )
            )
        vals = self._prepare_signature_vals(self._prepare_technician_vals(dict(vals)))
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
        if CALENDAR_FIELDS & set(vals):
            self._sync_calendar_events()
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
        self.write({"state": "planned"})
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
        self.write({"state": "ready"})
        return True

    def action_start(self):
        self._check_transition(
            ("planned", "ready"),
            self.env._("Work order %(order)s cannot be started: it is %(state)s."),
        )
        now = fields.Datetime.now()
        not_started = self.filtered(lambda order: not order.date_start)
        (self - not_started).write({"state": "in_progress"})
        not_started.write({"state": "in_progress", "date_start": now})
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
        self.write({"state": "done", "date_end": fields.Datetime.now()})
        return True

    def action_cancel(self):
        self._check_dispatcher()
        self._check_transition(
            OPEN_STATES,
            self.env._("Work order %(order)s cannot be cancelled: it is %(state)s."),
        )
        self.write({"state": "cancelled"})
        return True

    def action_draft(self):
        self._check_dispatcher()
        self._check_transition(
            ("cancelled",),
            self.env._(
                "Work order %(order)s cannot be reset to draft: it is %(state)s, not cancelled."
            ),
        )
        self.write({"state": "draft", "date_start": False, "date_end": False})
        return True

    def _subscribe_technicians(self):
        for order in self:
            order.message_subscribe(partner_ids=order.technician_ids.partner_id.ids)

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
        }

    def _sync_calendar_events(self):
        """Create, move or remove the calendar event of each work order."""
        if self.env.context.get("fm_skip_event_sync"):
            return
        Event = self.env["calendar.event"].sudo().with_context(**self._calendar_event_context())
        to_remove = Event
        to_create = []
        for order in self:
            events = order.sudo().calendar_event_ids
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
                event.with_context(**self._calendar_event_context()).write(changed)
        if to_remove:
            to_remove.with_context(**self._calendar_event_context()).unlink()
        if to_create:
            Event.create(to_create)

    def _update_from_calendar_events(self, events):
        """Reflect a move or resize of events in the calendar on their work orders."""
        for event in events:
            order = event.fm_work_order_id
            if order.planned_date_start != event.start or order.planned_date_end != event.stop:
                order.with_context(fm_skip_event_sync=True).write(
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
                "default_email_layout_xmlid": "mail.mail_notification_layout_with_responsible_signature",
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
