from dateutil.relativedelta import relativedelta

from odoo import Command, api, fields, models
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tools import float_compare, format_date

OPERATIONS = [
    ("install", "Installation charge"),
    ("add", "Refrigerant added"),
    ("recover", "Refrigerant recovered"),
    ("leak_check", "Leak check"),
    ("repair", "Leak repair"),
    ("decommission", "Decommissioning"),
]
# operations that move refrigerant: their quantity must be positive
QUANTITY_OPERATIONS = ("install", "add", "recover")
# Art 7(2) of Regulation (EU) 2024/573: records are kept at least five years
RETENTION_YEARS = 5
# What a technician may change on an entry of an open work order they work on (see
# security/README.md); the work order, the technician and the certificate are set when the
# entry is made.
TECHNICIAN_FGAS_FIELDS = frozenset(
    {
        "equipment_id",
        "date",
        "operation",
        "quantity_kg",
        "refrigerant_id",
        "recycled",
        "recycling_facility_name",
        "recycling_facility_address",
        "leak_found",
        "note",
        "correction_of_id",
    }
)
# What a technician may give when making an entry: the above, their work order and
# themself as technician
TECHNICIAN_FGAS_CREATE_FIELDS = TECHNICIAN_FGAS_FIELDS | {"work_order_id", "technician_id"}
CLOSED_STATES = ("done", "cancelled")
# set by the module only: the lock and the certificates copied when the entry is made
INTERNAL_FIELDS = frozenset(
    {"locked", "certificate_number", "certificate_category", "company_certificate"}
)


class FieldFgasLog(models.Model):
    """An entry of the F-gas register of an installation (Art 7 of Regulation (EU)
    2024/573): refrigerant put in or taken out, leak checks and repairs, decommissioning,
    with the certified natural person who did it.

    A legal record: the entries of a completed (or cancelled) work order are locked, a
    correction is a new entry referring to the old one (which then no longer counts), and
    no entry younger than five years is deleted. Changes before completion are tracked in
    the chatter.
    """

    _name = "field.fgas.log"
    _description = "F-gas Register Entry"
    _inherit = ["mail.thread"]
    _order = "date desc, id desc"
    _check_company_auto = True
    _mail_post_access = "read"

    equipment_id = fields.Many2one(
        "field.equipment",
        required=True,
        index=True,
        ondelete="restrict",
        check_company=True,
        tracking=True,
    )
    work_order_id = fields.Many2one(
        "field.work.order",
        index="btree_not_null",
        ondelete="restrict",
        check_company=True,
        tracking=True,
    )
    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        compute="_compute_company_id",
        store=True,
        precompute=True,
        readonly=False,
    )
    partner_id = fields.Many2one(related="equipment_id.partner_id", string="Operator")
    date = fields.Date(required=True, default=fields.Date.context_today, tracking=True, index=True)
    operation = fields.Selection(OPERATIONS, required=True, tracking=True, index=True)
    quantity_kg = fields.Float(string="Quantity (kg)", digits=(12, 3), tracking=True)
    refrigerant_id = fields.Many2one(
        "field.refrigerant",
        compute="_compute_refrigerant_id",
        store=True,
        precompute=True,
        readonly=False,
        ondelete="restrict",
        tracking=True,
    )
    co2e_tonnes = fields.Float(
        string="t CO2e",
        digits=(12, 3),
        compute="_compute_co2e_tonnes",
        store=True,
        help="Quantity x GWP / 1000, with the GWP of the refrigerant when the entry was made.",
    )
    recycled = fields.Boolean(
        string="Recycled or Reclaimed",
        tracking=True,
        help="The refrigerant added was recycled or reclaimed (Art 7(1)(d)).",
    )
    recycling_facility_name = fields.Char(string="Recycling Facility", tracking=True)
    recycling_facility_address = fields.Text(string="Facility Address", tracking=True)
    leak_found = fields.Boolean(tracking=True, help="Result of the leak check: a leak found.")
    note = fields.Text(
        string="Result / Measures",
        tracking=True,
        help="Result of the check or repair; at decommissioning, the measures taken to "
        "recover and dispose of the refrigerant (Art 7(1)(g)).",
    )
    technician_id = fields.Many2one(
        "res.users",
        required=True,
        default=lambda self: self.env.user,
        index=True,
        tracking=True,
        domain="[('share', '=', False)]",
        help="The certified natural person who did the work.",
    )
    certificate_number = fields.Char(
        readonly=True, help="The technician's F-gas certificate when the entry was made."
    )
    certificate_category = fields.Char(readonly=True)
    company_certificate = fields.Char(
        readonly=True, help="The company's F-gas certificate when the entry was made."
    )
    correction_of_id = fields.Many2one(
        "field.fgas.log",
        string="Corrects",
        index="btree_not_null",
        ondelete="restrict",
        tracking=True,
        help="The entry this one corrects: the corrected entry stays in the register but "
        "no longer counts.",
    )
    corrected_by_ids = fields.One2many("field.fgas.log", "correction_of_id", string="Corrections")
    is_corrected = fields.Boolean(
        string="Corrected", compute="_compute_is_corrected", store=True, index=True
    )
    locked = fields.Boolean(
        readonly=True,
        copy=False,
        help="The work order is completed: the entry can no longer change.",
    )
    leak_loss_percent = fields.Float(
        string="Leak Loss (%/year)",
        digits=(6, 2),
        compute="_compute_leak_loss",
        store=True,
        help="After a top-up: refrigerant added in the last 12 months in percent of the "
        "nominal charge of the equipment.",
    )
    leak_loss_warning = fields.Boolean(compute="_compute_leak_loss", store=True)

    # ------------------------------------------------------------------
    # Computes
    # ------------------------------------------------------------------

    @api.depends("equipment_id")
    def _compute_company_id(self):
        for entry in self:
            entry.company_id = entry.equipment_id.company_id or entry.company_id or self.env.company

    @api.depends("equipment_id")
    def _compute_refrigerant_id(self):
        for entry in self:
            entry.refrigerant_id = entry.refrigerant_id or entry.equipment_id.refrigerant_id

    # not on the GWP: an entry keeps the CO2e of the day it was made
    @api.depends("quantity_kg", "refrigerant_id")
    def _compute_co2e_tonnes(self):
        for entry in self:
            entry.co2e_tonnes = (
                entry.refrigerant_id._co2e_tonnes(entry.quantity_kg)
                if (entry.refrigerant_id)
                else 0.0
            )

    @api.depends("corrected_by_ids")
    def _compute_is_corrected(self):
        for entry in self:
            entry.is_corrected = bool(entry.corrected_by_ids)

    # not on the charge: an entry keeps the leak loss of the day it was made
    @api.depends("operation", "quantity_kg", "date", "equipment_id", "is_corrected")
    def _compute_leak_loss(self):
        tops = self.filtered(lambda entry: entry.operation == "add" and entry.date)
        (self - tops).update({"leak_loss_percent": 0.0, "leak_loss_warning": False})
        if not tops:
            return
        first = min(tops.mapped("date")) - relativedelta(years=1)
        # sudo: quantities of the register of the same equipment, to compute a figure
        # of the entry; nothing else is read
        added = self.sudo().search(
            [
                ("equipment_id", "in", tops.equipment_id.ids),
                ("operation", "=", "add"),
                ("is_corrected", "=", False),
                ("date", ">", first),
            ]
        )
        by_equipment = {}
        for other in added:
            by_equipment.setdefault(other.equipment_id.id, []).append(other)
        for entry in tops:
            equipment = entry.equipment_id
            charge = equipment.refrigerant_charge_kg
            since = entry.date - relativedelta(years=1)
            total = entry.quantity_kg + sum(
                other.quantity_kg
                for other in by_equipment.get(equipment.id, ())
                if other.id != entry._origin.id and since < other.date <= entry.date
            )
            percent = total / charge * 100 if charge > 0 else 0.0
            entry.leak_loss_percent = percent
            entry.leak_loss_warning = (
                float_compare(
                    percent, entry.company_id.fm_fgas_leak_loss_threshold, precision_digits=2
                )
                > 0
            )

    @api.depends("date", "operation", "quantity_kg", "refrigerant_id")
    def _compute_display_name(self):
        labels = dict(self._fields["operation"]._description_selection(self.env))
        for entry in self:
            parts = [format_date(self.env, entry.date), labels.get(entry.operation, "")]
            if entry.operation in (*QUANTITY_OPERATIONS, "decommission") and entry.quantity_kg:
                parts.append(f"{entry.quantity_kg:g} kg {entry.refrigerant_id.name or ''}".strip())
            entry.display_name = " - ".join(part for part in parts if part)

    # ------------------------------------------------------------------
    # Checks
    # ------------------------------------------------------------------

    def _check_entries(self):
        """What makes an entry a valid record; one clear sentence per problem."""
        today = fields.Date.context_today(self)
        problems = []
        for entry in self:
            name = entry.equipment_id.display_name
            if not entry.equipment_id.refrigerant_id:
                problems.append(
                    self.env._(
                        "Equipment %s has no refrigerant: give its refrigerant and charge first.",
                        name,
                    )
                )
            if entry.operation in QUANTITY_OPERATIONS and (
                float_compare(entry.quantity_kg, 0.0, precision_digits=3) <= 0
            ):
                problems.append(
                    self.env._("The quantity of refrigerant of %s must be positive (in kg).", name)
                )
            elif entry.quantity_kg < 0:
                problems.append(
                    self.env._("The quantity of refrigerant of %s cannot be negative.", name)
                )
            if entry.date and entry.date > today:
                problems.append(self.env._("A register entry cannot be dated in the future."))
            technician = entry.technician_id
            if entry.date and not technician._fm_fgas_certificate_valid(entry.date):
                problems.append(
                    self.env._(
                        "%(technician)s has no F-gas certificate valid on %(date)s: only a "
                        "certified technician may do this work.",
                        technician=technician.name,
                        date=format_date(self.env, entry.date),
                    )
                )
            if entry.leak_found and entry.operation != "leak_check":
                problems.append(self.env._("Only a leak check finds a leak."))
            if entry.operation == "decommission" and not (entry.note or "").strip():
                problems.append(
                    self.env._(
                        "Describe how the refrigerant was recovered and disposed of when %s "
                        "was decommissioned.",
                        name,
                    )
                )
            order = entry.work_order_id
            if order and entry.equipment_id not in order.equipment_ids:
                problems.append(
                    self.env._(
                        "Equipment %(equipment)s is not an installation of work order %(order)s.",
                        equipment=name,
                        order=order.name,
                    )
                )
            old = entry.correction_of_id
            if old and (old == entry or old.equipment_id != entry.equipment_id):
                problems.append(
                    self.env._("A correction refers to an earlier entry of the same equipment.")
                )
            if old and len(old.corrected_by_ids) > 1:
                problems.append(
                    self.env._(
                        "Entry %s is corrected already: correct the correction instead.",
                        old.display_name,
                    )
                )
        if problems:
            raise ValidationError("\n".join(dict.fromkeys(problems)))

    def _is_dispatcher(self):
        return self.env["field.work.order"]._is_dispatcher()

    def _check_technician_vals(self, vals_list, creating=False):
        """Technicians make entries on the open work orders they work on, as themselves
        (the record rules keep them to their work orders). Nobody gives the lock or the
        certificates: the module sets them."""
        if self.env.su:
            return
        internal = set().union(*vals_list) & INTERNAL_FIELDS
        if internal:
            raise AccessError(
                self.env._(
                    "The lock and the certificates of a register entry are set by the "
                    "application: %s.",
                    self.env["field.work.order"]._field_labels(internal, model=self),
                )
            )
        if self._is_dispatcher():
            return
        allowed = TECHNICIAN_FGAS_CREATE_FIELDS if creating else TECHNICIAN_FGAS_FIELDS
        allowed = allowed | set(self.env["mail.thread"]._fields)
        for vals in vals_list:
            refused = set(vals) - allowed
            if refused:
                raise AccessError(
                    self.env._(
                        "Only dispatchers can set these fields of a register entry: %s.",
                        self.env["field.work.order"]._field_labels(refused, model=self),
                    )
                )
            if creating and not vals.get("work_order_id"):
                raise AccessError(
                    self.env._("Technicians record refrigerant work from their work order.")
                )
            if vals.get("technician_id", self.env.uid) != self.env.uid:
                raise AccessError(self.env._("Technicians record the work they did themselves."))

    def _check_open_orders(self):
        orders = self.work_order_id.filtered(lambda order: order.state in CLOSED_STATES)
        if orders:
            raise UserError(
                self.env._(
                    "Work orders %s are completed or cancelled: their F-gas register entries "
                    "cannot change. Record a correction as a new entry.",
                    ", ".join(orders.mapped("name")),
                )
            )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    def _certificate_vals(self):
        """The certificates of the technician and of the company, as they are today."""
        self.ensure_one()
        # sudo: the certificates of the technician and the company, copied into the entry
        # (a technician may not read other users' fields)
        technician = self.technician_id.sudo()
        category = technician.fm_fgas_certificate_category
        return {
            "certificate_number": technician.fm_fgas_certificate_number,
            "certificate_category": dict(
                technician._fields["fm_fgas_certificate_category"]._description_selection(self.env)
            ).get(category)
            if category
            else False,
            "company_certificate": self.company_id.fm_fgas_company_certificate,
        }

    @api.model_create_multi
    def create(self, vals_list):
        # the context's defaults are values the user gives too
        defaults = {
            key[8:]: value
            for key, value in self.env.context.items()
            if key.startswith("default_") and key[8:] in self._fields
        }
        self._check_technician_vals([{**defaults, **vals} for vals in vals_list], creating=True)
        entries = super().create(vals_list)
        entries._check_open_orders()
        for entry in entries:
            # sudo: values computed from the technician and the company, not the user's
            entry.sudo().write(entry._certificate_vals())
        entries._check_entries()
        entries.equipment_id._fgas_after_register_change(entries, created=True)
        return entries

    def write(self, vals):
        internal = self.env.su and set(vals) <= INTERNAL_FIELDS
        if not internal:
            mail_only = set(vals) <= set(self.env["mail.thread"]._fields)
            if not mail_only:
                self._check_technician_vals([vals])
                locked = self.filtered("locked")
                if locked:
                    raise UserError(
                        self.env._(
                            "The F-gas register entries of a completed work order cannot "
                            "change: record a correction as a new entry referring to it."
                        )
                    )
                self._check_open_orders()
        equipment = self.equipment_id
        result = super().write(vals)
        if not internal and not set(vals) <= set(self.env["mail.thread"]._fields):
            if "technician_id" in vals:
                for entry in self:
                    # sudo: as in create, the certificates of the new technician
                    entry.sudo().write(entry._certificate_vals())
            self._check_open_orders()
            self._check_entries()
            (equipment | self.equipment_id)._fgas_after_register_change(self)
        return result

    @api.ondelete(at_uninstall=False)
    def _unlink_except_legal_record(self):
        if self.filtered("locked"):
            raise UserError(
                self.env._(
                    "The F-gas register entries of a completed work order cannot be deleted."
                )
            )
        limit = fields.Date.context_today(self) - relativedelta(years=RETENTION_YEARS)
        young = self.filtered(lambda entry: entry.date > limit)
        if young:
            raise UserError(
                self.env._(
                    "F-gas register entries are kept at least %(years)s years: %(entries)s "
                    "cannot be deleted before %(date)s.",
                    years=RETENTION_YEARS,
                    entries=", ".join(young.mapped("display_name")),
                    date=format_date(
                        self.env, max(young.mapped("date")) + relativedelta(years=RETENTION_YEARS)
                    ),
                )
            )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_correct(self):
        """Open a new entry correcting this one, with its values."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Correct Entry"),
            "res_model": "field.fgas.log",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {
                "default_correction_of_id": self.id,
                "default_equipment_id": self.equipment_id.id,
                "default_operation": self.operation,
                "default_quantity_kg": self.quantity_kg,
                "default_refrigerant_id": self.refrigerant_id.id,
                "default_date": fields.Date.to_string(self.date),
                "default_leak_found": self.leak_found,
                "default_recycled": self.recycled,
                "default_recycling_facility_name": self.recycling_facility_name,
                "default_recycling_facility_address": self.recycling_facility_address,
            },
        }

    # ------------------------------------------------------------------
    # Re-check of a repaired leak (Art 4(5))
    # ------------------------------------------------------------------

    def _fgas_schedule_recheck(self):
        """A repaired leak is checked again by a certified person after at least 24 hours
        of operation and within one month: a draft work order for the dispatcher, unless
        one is open already for the equipment."""
        if not self:
            return
        # sudo: a draft work order for the dispatcher, with values taken from the entry
        # (customer, site, equipment); technicians may not create planned work orders
        Order = self.env["field.work.order"].sudo()
        existing = Order.search(
            [
                ("fm_fgas_recheck_log_id.equipment_id", "in", self.equipment_id.ids),
                ("state", "not in", CLOSED_STATES),
            ]
        )
        waiting = existing.fm_fgas_recheck_log_id.equipment_id
        # sudo: as above, the entries' equipment and customer are read to fill the order
        for entry in self.sudo():
            equipment = entry.equipment_id
            if equipment in waiting:
                continue
            earliest = entry.date + relativedelta(days=1)
            latest = entry.date + relativedelta(months=1)
            Order.with_company(entry.company_id).create(
                {
                    "partner_id": equipment.partner_id.id,
                    "site_partner_id": equipment.site_partner_id.id,
                    "company_id": entry.company_id.id,
                    "equipment_ids": [Command.set(equipment.ids)],
                    "summary": self.env._("F-gas leak re-check after repair: %s", equipment.name),
                    "fm_fgas_recheck_log_id": entry.id,
                    "description": self.env._(
                        "Check the repaired leak of %(equipment)s again, after at least 24 hours "
                        "of operation and within one month of the repair: between %(earliest)s "
                        "and %(latest)s.",
                        equipment=equipment.display_name,
                        earliest=format_date(self.env, earliest),
                        latest=format_date(self.env, latest),
                    ),
                }
            )
            waiting |= equipment
