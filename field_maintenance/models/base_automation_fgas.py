"""F-gas trigger preset: a time-based rule on the next leak-check date of equipment.

It extends the presets of base_automation.py (``FM_PRESETS``): an ``on_time`` rule on
``field.equipment.next_leak_check_date`` for the equipment that must be leak-checked, 30
days before the date by default (e.g. e-mail the customer, create the work order). Like
the SLA rules, a rule switched on starts from now: its first run does not fire for every
past due date.
"""

from odoo import api, fields, models

from .base_automation import FM_PRESETS

FGAS_TRIGGER = "equipment_leak_check_due"
FM_PRESETS[FGAS_TRIGGER] = {
    "model": "field.equipment",
    "trigger": "on_time",
    "date_field": "next_leak_check_date",
    "domain": "['|', ('leak_check_interval_months', '>', 0), "
    "('fgas_recheck_due_date', '!=', False)]",
}
# the delay the preset proposes: 30 days before the due date
FGAS_DELAY = {"trg_date_range": 30, "trg_date_range_mode": "before", "trg_date_range_type": "day"}


class BaseAutomation(models.Model):
    _inherit = "base.automation"  # pylint: disable=consider-merging-classes-inherited

    fm_trigger = fields.Selection(
        selection_add=[(FGAS_TRIGGER, "F-gas: next leak check of equipment due")],
        ondelete={FGAS_TRIGGER: "set null"},
    )

    @api.model
    def _fm_preset_values(self, fm_trigger):
        values = super()._fm_preset_values(fm_trigger)
        if fm_trigger == FGAS_TRIGGER:
            values.update(FGAS_DELAY)
        return values

    @api.onchange("fm_trigger")
    def _onchange_fm_trigger(self):
        result = super()._onchange_fm_trigger()
        if self.fm_trigger == FGAS_TRIGGER:
            for fname, value in FGAS_DELAY.items():
                self[fname] = value
        return result

    @api.model_create_multi
    def create(self, vals_list):
        rules = super().create(vals_list)
        rules._fm_fgas_start_now()
        return rules

    def write(self, vals):
        result = super().write(vals)
        if {"fm_trigger", "active", "trigger"} & vals.keys():
            self._fm_fgas_start_now()
        return result

    def _fm_fgas_start_now(self):
        """A leak-check rule just switched on starts from now."""
        rules = self.filtered(
            lambda rule: rule.active and rule.fm_trigger == FGAS_TRIGGER and not rule.last_run
        )
        if rules:
            rules.write({"last_run": fields.Datetime.now()})
