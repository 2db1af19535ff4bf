"""SLA triggers: the rule scheduler wakes up when SLA deadlines pass.

The SLA presets are ``on_time`` rules on the stored SLA deadlines of work orders
(see base_automation.py). Odoo's scheduler of time-based rules runs every few hours at
most; it is triggered for the deadlines of the work orders, so that the rules fire
within minutes, and an SLA rule that is switched on starts from now, not from the past.
"""

import logging
from datetime import timedelta

from odoo import api, fields, models
from odoo.fields import Domain
from odoo.tools import safe_eval

from ..tools.automation_internals import DATE_RANGE
from .base_automation import SLA_TRIGGERS, WORK_ORDER

_logger = logging.getLogger(__name__)

CRON_XMLID = "base_automation.ir_cron_data_base_automation_check"
PENDING_SLA_KEY = "field_maintenance.sla_orders"
# fields of a rule that make it an active SLA rule, or change when its deadlines pass
SLA_FIELDS = {
    "active",
    "model_id",
    "trigger",
    "fm_trigger",
    "trg_date_id",
    "trg_date_range",
    "trg_date_range_mode",
    "trg_date_range_type",
}


class BaseAutomation(models.Model):
    _inherit = "base.automation"  # pylint: disable=consider-merging-classes-inherited

    @api.model_create_multi
    def create(self, vals_list):
        rules = super().create(vals_list)
        if sla_rules := rules._fm_active_sla_rules():
            rules.browse(sla_rules)._fm_sla_rules_changed(started=rules.browse(sla_rules))
        return rules

    def write(self, vals):
        sla_before = self._fm_active_sla_rules() if SLA_FIELDS & vals.keys() else None
        result = super().write(vals)
        if sla_before is not None and (sla_rules := self._fm_active_sla_rules()):
            started = [id_ for id_, preset in sla_rules.items() if sla_before.get(id_) != preset]
            self.browse(sla_rules)._fm_sla_rules_changed(started=self.browse(started))
        return result

    def _fm_active_sla_rules(self):
        """``{rule id: preset}`` of the active SLA rules of ``self``, found without loading
        the rules into the cache (the rule scheduler writes their last run on its own
        cursor; a rule loaded here would keep the value from before in this transaction)."""
        rules = self.with_context(active_test=True).search_fetch(
            [
                ("id", "in", self.ids),
                ("fm_trigger", "in", SLA_TRIGGERS),
                ("trigger", "=", "on_time"),
            ],
            ["fm_trigger"],
        )
        return {rule.id: rule.fm_trigger for rule in rules}

    def _fm_sla_rules_changed(self, started):
        """SLA rules ``self`` changed: the ones that ``started`` start from now, not from
        the past (the native scheduler would otherwise fire for every past deadline at
        its first run); and the scheduler is triggered for the next deadline."""
        if started:
            started.write({"last_run": fields.Datetime.now()})
        self._fm_sla_schedule_next()

    def _fm_offset(self):
        """Time to add to a record's date to get the moment the rule fires."""
        self.ensure_one()
        delta = DATE_RANGE[self.trg_date_range_type] * (self.trg_date_range or 0)
        return -delta if self.trg_date_range_mode == "before" else delta

    @api.model
    def _fm_trigger_cron(self, moments):
        """Trigger the rule scheduler at each moment (rounded up to the next
        minute; moments in the past mean as soon as possible)."""
        cron = self.env.ref(CRON_XMLID, raise_if_not_found=False)
        if not cron or not moments:
            return
        now = fields.Datetime.now()
        rounded = {
            max(moment, now).replace(second=0, microsecond=0) + timedelta(minutes=1)
            for moment in moments
        }
        # sudo: waking the scheduler at a moment; users cannot choose what it runs
        cron.sudo()._trigger(sorted(rounded))

    @api.model
    def _fm_sla_rules(self):
        # sudo: the SLA rules are searched to know when to wake the scheduler
        return (
            self.sudo()
            .with_context(active_test=True)
            .search([("fm_trigger", "in", SLA_TRIGGERS), ("trigger", "=", "on_time")])
        )

    @api.model
    def _fm_sla_deadlines_changed(self, orders):
        """Called when SLA deadlines of ``orders`` are (re)computed: trigger the
        scheduler for them before the transaction commits."""
        ids = {order.id for order in orders if isinstance(order.id, int)}
        if not ids:
            return
        precommit = self.env.cr.precommit
        if PENDING_SLA_KEY not in precommit.data:
            precommit.data[PENDING_SLA_KEY] = set()
            precommit.add(self._fm_sla_schedule_pending)
        precommit.data[PENDING_SLA_KEY].update(ids)

    def _fm_sla_schedule_pending(self):
        ids = self.env.cr.precommit.data.pop(PENDING_SLA_KEY, set())
        # sudo: only the deadlines of the orders just changed are read, for scheduling
        orders = self.env[WORK_ORDER].sudo().browse(ids).exists()
        if orders:
            self._fm_sla_schedule(orders)
            self.env.flush_all()

    @api.model
    def _fm_sla_schedule(self, orders):
        rules = self._fm_sla_rules()
        moments = []
        for rule in rules:
            fname = rule.trg_date_id.name
            if fname not in orders._fields:
                continue
            offset = rule._fm_offset()
            moments += [order[fname] + offset for order in orders if order[fname]]
        self._fm_trigger_cron(moments)

    @api.model
    def _fm_sla_schedule_next(self):
        """Trigger the scheduler for the next deadline still to come of each
        SLA rule (after a scheduler run, and when SLA rules change)."""
        now = fields.Datetime.now()
        moments = []
        for rule in self._fm_sla_rules():
            fname = rule.trg_date_id.name
            # sudo: the next deadline of the rule's records, for scheduling only
            Model = self.env[rule.model_name].sudo()
            if fname not in Model._fields:
                continue
            offset = rule._fm_offset()
            domain = Domain(fname, ">", now - offset)
            if rule.filter_domain:
                domain &= Domain(safe_eval.safe_eval(rule.filter_domain, rule._get_eval_context()))
            upcoming = Model.search_fetch(domain, [fname], order=f"{fname} asc", limit=1)
            if upcoming:
                moments.append(upcoming[fname] + offset)
        self._fm_trigger_cron(moments)

    @api.model
    def _cron_process_time_based_actions(self):
        try:
            return super()._cron_process_time_based_actions()
        finally:
            try:
                self._fm_sla_schedule_next()
            except Exception:
                _logger.exception("Could not schedule the next SLA deadline check.")
