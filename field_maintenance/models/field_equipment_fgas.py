from dateutil.relativedelta import relativedelta

from odoo import Command, api, fields, models
from odoo.exceptions import ValidationError
from odoo.fields import Domain
from odoo.tools import float_compare, format_date

# Art 5(1) and 5(6) of Regulation (EU) 2024/573: bands of the Annex I charge (t CO2e) and of
# the Annex II section 1 charge (kg), and the leak-check interval of each band in months,
# without and with a leakage detection system
CO2E_BANDS = (500.0, 50.0, 5.0)
HFO_KG_BANDS = (100.0, 10.0, 1.0)
INTERVALS = (3, 6, 12)
# labelled hermetically sealed equipment is exempt below these charges (Art 5(1)); in
# residential buildings below 3 kg of fluorinated gases
HERMETIC_CO2E = 10.0
HERMETIC_HFO_KG = 2.0
HERMETIC_RESIDENTIAL_KG = 3.0
# Art 4(5): the re-check of a repaired leak, after at least 24 h of operation and within a
# month of the repair
RECHECK_EARLIEST = relativedelta(days=1)
RECHECK_LATEST = relativedelta(months=1)
# the equipment fields that decide whether and how often the equipment is leak-checked
FGAS_PLAN_FIELDS = {
    "refrigerant_id",
    "refrigerant_charge_kg",
    "hermetically_sealed",
    "fgas_residential",
    "leak_detection_system",
    "install_date",
    "partner_id",
    "site_partner_id",
    "active",
}


def _band(value, bands):
    """Index + 1 of the first band ``value`` reaches (1: the lowest), 0 below all."""
    for index, threshold in enumerate(bands):
        if float_compare(value, threshold, precision_digits=6) >= 0:
            return len(bands) - index
    return 0


def leak_check_interval(co2e_annex1, hfo_kg, hermetic=False, lds=False):
    """Months between leak checks under Art 5 of Regulation (EU) 2024/573, 0 when none is
    required.

    :param co2e_annex1: tonnes CO2 equivalent of the Annex I gases of the charge
    :param hfo_kg: kg of Annex II section 1 gases of the charge
    :param hermetic: labelled hermetically sealed
    :param lds: with a leakage detection system (the intervals are doubled)
    """
    co2e_band = _band(co2e_annex1, CO2E_BANDS)
    hfo_band = _band(hfo_kg, HFO_KG_BANDS)
    if hermetic:
        if float_compare(co2e_annex1, HERMETIC_CO2E, precision_digits=6) < 0:
            co2e_band = 0
        if float_compare(hfo_kg, HERMETIC_HFO_KG, precision_digits=6) < 0:
            hfo_band = 0
    band = max(co2e_band, hfo_band)
    if not band:
        return 0
    months = INTERVALS[3 - band]
    return months * 2 if lds else months


class FieldEquipment(models.Model):
    """The F-gas register of an installation (Regulation (EU) 2024/573): refrigerant and
    charge, CO2 equivalent, whether and how often it is leak-checked (Art 5), the next
    check, the re-check of a repaired leak (Art 4(5)) and the register entries (Art 7).
    Equipment that needs leak checks gets a periodic maintenance plan with the legal
    interval (field_maintenance_plan_fgas.py)."""

    _name = "field.equipment"
    _inherit = ["field.equipment", "portal.mixin"]

    refrigerant_id = fields.Many2one("field.refrigerant", ondelete="restrict", tracking=True)
    refrigerant_charge_kg = fields.Float(
        string="Refrigerant Charge (kg)",
        digits=(12, 3),
        tracking=True,
        help="Nominal charge of the installation.",
    )
    co2e_tonnes = fields.Float(
        string="t CO2e",
        digits=(12, 3),
        compute="_compute_fgas",
        store=True,
        help="Charge x GWP / 1000.",
    )
    fgas_annex1_co2e = fields.Float(
        string="t CO2e of Annex I Gases", digits=(12, 3), compute="_compute_fgas", store=True
    )
    fgas_hfo_kg = fields.Float(
        string="kg of Annex II Gases", digits=(12, 3), compute="_compute_fgas", store=True
    )
    hermetically_sealed = fields.Boolean(
        tracking=True, help="Labelled as hermetically sealed equipment."
    )
    fgas_residential = fields.Boolean(
        string="In a Residential Building",
        tracking=True,
        help="Labelled hermetically sealed equipment in a residential building holds less "
        "than 3 kg of fluorinated gases without leak checks.",
    )
    leak_detection_system = fields.Boolean(
        tracking=True,
        help="A leakage detection system alerting the operator or the service company.",
    )
    leak_check_interval_months = fields.Integer(
        string="Leak Check Every (months)",
        compute="_compute_fgas",
        store=True,
        help="Legal interval between leak checks (Art 5 of Regulation (EU) 2024/573); 0 when "
        "no leak check is required.",
    )
    fgas_log_ids = fields.One2many("field.fgas.log", "equipment_id", string="F-gas Register")
    last_leak_check_date = fields.Date(compute="_compute_leak_check_dates", store=True)
    fgas_recheck_due_date = fields.Date(
        string="Leak Re-check Due",
        compute="_compute_leak_check_dates",
        store=True,
        help="A repaired leak is checked again after at least 24 hours of operation and "
        "within one month of the repair.",
    )
    fgas_leak_open = fields.Boolean(
        string="Leak Not Repaired", compute="_compute_leak_check_dates", store=True
    )
    next_leak_check_date = fields.Date(
        compute="_compute_leak_check_dates",
        store=True,
        index="btree_not_null",
        help="Last leak check plus the legal interval (the day before), or the re-check of "
        "a repaired leak if sooner.",
    )
    fgas_leak_check_overdue = fields.Boolean(
        string="Leak Check Overdue",
        compute="_compute_fgas_leak_check_overdue",
        search="_search_fgas_leak_check_overdue",
    )
    fgas_leak_loss_percent = fields.Float(
        string="Leak Loss (%/year)", digits=(6, 2), compute="_compute_fgas_leak_loss"
    )
    fgas_leak_loss_warning = fields.Boolean(compute="_compute_fgas_leak_loss")
    fgas_plan_id = fields.Many2one(
        "field.maintenance.plan",
        string="Leak Check Plan",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
    )

    @api.depends(
        "refrigerant_id.gwp",
        "refrigerant_id.annex1_gwp",
        "refrigerant_id.hfo_fraction",
        "refrigerant_id.kind",
        "refrigerant_charge_kg",
        "hermetically_sealed",
        "fgas_residential",
        "leak_detection_system",
    )
    def _compute_fgas(self):
        for equipment in self:
            refrigerant = equipment.refrigerant_id
            kg = equipment.refrigerant_charge_kg if refrigerant else 0.0
            equipment.co2e_tonnes = kg * refrigerant.gwp / 1000.0
            annex1 = kg * refrigerant.annex1_gwp / 1000.0
            hfo_kg = kg * refrigerant.hfo_fraction
            equipment.fgas_annex1_co2e = annex1
            equipment.fgas_hfo_kg = hfo_kg
            exempt = (
                equipment.hermetically_sealed
                and equipment.fgas_residential
                and refrigerant.kind != "other"
                and float_compare(kg, HERMETIC_RESIDENTIAL_KG, precision_digits=6) < 0
            )
            equipment.leak_check_interval_months = (
                0
                if exempt
                else leak_check_interval(
                    annex1,
                    hfo_kg,
                    hermetic=equipment.hermetically_sealed,
                    lds=equipment.leak_detection_system,
                )
            )

    @api.depends(
        "leak_check_interval_months",
        "install_date",
        "fgas_log_ids.date",
        "fgas_log_ids.operation",
        "fgas_log_ids.leak_found",
        "fgas_log_ids.is_corrected",
    )
    def _compute_leak_check_dates(self):
        for equipment in self:
            # sudo: dates and results of the register of the equipment, to compute its
            # due dates for whoever may read the equipment
            entries = equipment.sudo().fgas_log_ids.filtered(lambda e: not e.is_corrected)
            checks = entries.filtered(lambda e: e.operation == "leak_check")
            last_check = max(checks.mapped("date"), default=False)
            repairs = entries.filtered(lambda e: e.operation == "repair")
            last_repair = max(repairs.mapped("date"), default=False)
            recheck = False
            if last_repair and not any(
                check.date >= last_repair + RECHECK_EARLIEST for check in checks
            ):
                recheck = last_repair + RECHECK_LATEST
            last_leak = max(checks.filtered("leak_found").mapped("date"), default=False)
            equipment.fgas_leak_open = bool(
                last_leak and not (last_repair and last_repair >= last_leak)
            )
            equipment.last_leak_check_date = last_check
            equipment.fgas_recheck_due_date = recheck
            interval = equipment.leak_check_interval_months
            installed = entries.filtered(lambda e: e.operation == "install")
            base = (
                last_check or min(installed.mapped("date"), default=False) or equipment.install_date
            )
            regular = base + relativedelta(months=interval, days=-1) if interval and base else False
            dates = [day for day in (regular, recheck) if day]
            equipment.next_leak_check_date = min(dates) if dates else False

    @api.depends("next_leak_check_date", "leak_check_interval_months", "fgas_recheck_due_date")
    def _compute_fgas_leak_check_overdue(self):
        today = fields.Date.context_today(self)
        for equipment in self:
            equipment.fgas_leak_check_overdue = bool(
                (equipment.leak_check_interval_months or equipment.fgas_recheck_due_date)
                and (not equipment.next_leak_check_date or equipment.next_leak_check_date < today)
            )

    def _search_fgas_leak_check_overdue(self, operator, value):
        if operator not in ("in", "not in"):
            return NotImplemented
        today = fields.Date.context_today(self)
        domain = (
            Domain("leak_check_interval_months", ">", 0)
            | Domain("fgas_recheck_due_date", "!=", False)
        ) & (
            Domain("next_leak_check_date", "=", False) | Domain("next_leak_check_date", "<", today)
        )
        return domain if (operator == "in") == (True in value) else ~domain

    def _compute_fgas_leak_loss(self):
        for equipment in self:
            # sudo: the figures of the last top-up of the equipment's register
            tops = equipment.sudo().fgas_log_ids.filtered(
                lambda e: e.operation == "add" and not e.is_corrected
            )
            last = tops.sorted(lambda e: (e.date, e.id))[-1:] if tops else tops
            equipment.fgas_leak_loss_percent = last.leak_loss_percent if last else 0.0
            equipment.fgas_leak_loss_warning = bool(last and last.leak_loss_warning)

    @api.constrains("refrigerant_charge_kg")
    def _check_refrigerant_charge(self):
        if any(equipment.refrigerant_charge_kg < 0 for equipment in self):
            raise ValidationError(self.env._("The refrigerant charge cannot be negative."))

    # ------------------------------------------------------------------
    # CRUD: the leak-check plan follows the equipment
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        equipment = super().create(vals_list)
        equipment.filtered("refrigerant_id")._fgas_sync_plans()
        return equipment

    def write(self, vals):
        result = super().write(vals)
        if FGAS_PLAN_FIELDS & vals.keys():
            self._fgas_sync_plans()
        return result

    def _fgas_after_register_change(self, entries, created=False):
        """Register ``entries`` of the equipment ``self`` were made or changed: the
        re-check of a repaired leak, and the leak-check plan."""
        entries.filtered(
            lambda e: e.operation == "repair" and not e.correction_of_id
        )._fgas_schedule_recheck()
        for entry in entries.filtered("leak_loss_warning") if created else ():
            # a note in the equipment's history, written by the module (no user content)
            entry.equipment_id._message_log(
                body=self.env._(
                    "Leak loss warning: %(kg)s kg added on %(date)s brings the refrigerant "
                    "added in the last 12 months to %(percent)s %% of the charge (above "
                    "%(threshold)s %%). Find and repair the leak.",
                    kg=entry.quantity_kg,
                    date=format_date(self.env, entry.date),
                    percent=round(entry.leak_loss_percent, 1),
                    threshold=entry.company_id.fm_fgas_leak_loss_threshold,
                )
            )
        rechecked = self.filtered(lambda equipment: not equipment.fgas_recheck_due_date)
        if rechecked:
            # sudo: the draft re-check work orders the module created for this equipment,
            # no longer needed now that the register holds the re-check
            drafts = (
                self.env["field.work.order"]
                .sudo()
                .search(
                    [
                        ("fm_fgas_recheck_log_id.equipment_id", "in", rechecked.ids),
                        ("state", "=", "draft"),
                    ]
                )
            )
            if drafts:
                drafts.action_cancel()
        self._fgas_sync_plans()

    def _fgas_plan_name(self):
        self.ensure_one()
        return self.env._("F-gas leak check: %s", self.display_name)

    def _fgas_sync_plans(self):
        """Give the equipment that needs leak checks a periodic maintenance plan with the
        legal interval and the next check date; cancel it when no check is required any
        more."""
        # sudo: the plans follow the legal interval and the due dates the module computes
        # from the equipment and its register; technicians recording a check cannot edit
        # plans
        Plan = self.env["field.maintenance.plan"].sudo()
        today = fields.Date.context_today(self)
        for equipment in self.sudo():
            plan = equipment.fgas_plan_id
            interval = equipment.leak_check_interval_months if equipment.active else 0
            if not interval or not equipment.partner_id:
                if plan and plan.state == "active":
                    plan._cancel(
                        self.env._(
                            "Equipment %s needs no periodic leak check any more.",
                            equipment.display_name,
                        )
                    )
                continue
            next_date = equipment.next_leak_check_date or today
            vals = {
                "interval_number": interval,
                "interval_unit": "month",
                "next_date": next_date,
                "partner_id": equipment.partner_id,
                "site_partner_id": equipment.site_partner_id,
            }
            if plan:
                if plan.state != "active":
                    vals["state"] = "active"
                changed = {key: value for key, value in vals.items() if plan[key] != value}
                if changed:
                    plan.write({key: getattr(value, "id", value) for key, value in changed.items()})
                continue
            equipment.fgas_plan_id = Plan.create(
                {
                    **vals,
                    "name": equipment._fgas_plan_name(),
                    "partner_id": equipment.partner_id.id,
                    "site_partner_id": equipment.site_partner_id.id,
                    "company_id": equipment.company_id.id,
                    "equipment_ids": [Command.set(equipment.ids)],
                    "next_date_base": "completion_date",
                    "fm_fgas_equipment_id": equipment.id,
                }
            )

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def _compute_access_url(self):
        result = super()._compute_access_url()
        for equipment in self:
            equipment.access_url = f"/my/installations/{equipment.id}/fgas"
        return result

    def _get_report_base_filename(self):
        """The name of the logbook's PDF downloaded from the portal."""
        self.ensure_one()
        return self.env._("F-gas logbook %s", self.name)

    def _fgas_logbook_url(self):
        """The public link of the logbook (with its access token), for the QR label."""
        self.ensure_one()
        # sudo: creates the logbook's access token once (technicians print labels but may
        # not write equipment); the token only opens the logbook of this equipment
        token = self.sudo()._portal_ensure_token()
        return f"{self.get_base_url()}{self.access_url}?access_token={token}"

    def action_view_fgas_log(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "field_maintenance.action_field_fgas_log"
        )
        action["domain"] = [("equipment_id", "=", self.id)]
        action["context"] = {"default_equipment_id": self.id}
        return action

    def action_print_fgas_logbook(self):
        return self.env.ref("field_maintenance.action_report_fgas_logbook").report_action(self)

    def action_print_fgas_label(self):
        return self.env.ref("field_maintenance.action_report_fgas_label").report_action(self)

    def _fgas_logbook_entries(self):
        """The register of the equipment for its logbook, oldest first."""
        self.ensure_one()
        # sudo: the logbook shows the whole register of an equipment the reader may see
        # (checked by the report or the portal controller)
        return self.sudo().fgas_log_ids.sorted(lambda entry: (entry.date, entry.id))
