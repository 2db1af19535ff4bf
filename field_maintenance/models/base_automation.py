"""Field-service triggers on top of Odoo's automation rules.

The rule editor stays Odoo's own: ``fm_trigger`` is a preset that fills the
native fields (model, trigger, trigger fields, domains, date field) in one go,
from the form (onchange) as well as from RPC (create/write).

On top of the native engine this module adds, for every rule:

- batching: actions of the field-service types run once for all the records
  of a trigger (``_run_action_<state>_multi``) instead of once per record;
- a chain guard: a rule never runs again inside the chain of actions it
  started, so a rule whose action changes (or creates) work orders cannot
  re-fire itself and every chain of rules ends;
- the triggering user and whether the trigger ran as superuser are passed to
  the actions, which only act on records that user may act on;
- time-based rules isolate each record in a savepoint: one failing record is
  logged and does not stop the others.

SLA triggers are ``on_time`` rules on the stored SLA deadlines of work
orders; the rule scheduler is triggered for the deadlines so that they fire
within minutes.
"""

import logging
from datetime import timedelta

import psycopg2

from odoo import Command, api, fields, models
from odoo.fields import Domain
from odoo.tools import safe_eval

from odoo.addons.base_automation.models.base_automation import (
    DATE_RANGE,
    TIME_TRIGGERS,
    WRITE_TRIGGERS,
)
from odoo.addons.base_automation.models.base_automation import (
    BaseAutomation as NativeBaseAutomation,
)

from ..tools import TRIGGER_KEY, RuleTrigger

_logger = logging.getLogger(__name__)

WORK_ORDER = "field.work.order"
PARTNER = "res.partner"
WAITING = "('state', 'not in', ['done', 'cancelled'])"

FM_TRIGGERS = [
    ("wo_created", "Work order created"),
    ("wo_planned_to_ready", "Work order status changed from Planned to Ready"),
    ("wo_completed", "Work order reported complete"),
    ("wo_state_changed", "Work order status changed"),
    ("wo_dispatch_update", "Dispatch board update (planned dates or technicians set or changed)"),
    ("wo_sla_response", "SLA: awaiting response (response deadline)"),
    ("wo_sla_resolution", "SLA: awaiting resolution (resolution deadline)"),
    ("partner_created", "Contact added"),
    ("partner_updated", "Contact updated"),
]

# native values each preset writes; see _fm_preset_values()
FM_PRESETS = {
    "wo_created": {"model": WORK_ORDER, "trigger": "on_create"},
    "wo_planned_to_ready": {
        "model": WORK_ORDER,
        "trigger": "on_write",
        "trigger_fields": ["state"],
        "pre_domain": "[('state', '=', 'planned')]",
        "domain": "[('state', '=', 'ready')]",
    },
    "wo_completed": {
        "model": WORK_ORDER,
        "trigger": "on_write",
        "trigger_fields": ["state"],
        "domain": "[('state', '=', 'done')]",
    },
    "wo_state_changed": {"model": WORK_ORDER, "trigger": "on_write", "trigger_fields": ["state"]},
    "wo_dispatch_update": {
        "model": WORK_ORDER,
        "trigger": "on_write",
        "trigger_fields": ["planned_date_start", "planned_date_end", "technician_ids", "user_id"],
    },
    "wo_sla_response": {
        "model": WORK_ORDER,
        "trigger": "on_time",
        "date_field": "sla_response_deadline",
        "domain": f"[('sla_responded_on', '=', False), {WAITING}]",
    },
    "wo_sla_resolution": {
        "model": WORK_ORDER,
        "trigger": "on_time",
        "date_field": "sla_resolution_deadline",
        "domain": f"[('sla_resolved_on', '=', False), {WAITING}]",
    },
    "partner_created": {"model": PARTNER, "trigger": "on_create"},
    "partner_updated": {
        "model": PARTNER,
        "trigger": "on_write",
        # fields people edit, not the ones Odoo recomputes after a create
        "trigger_fields": [
            "name",
            "email",
            "phone",
            "street",
            "street2",
            "zip",
            "city",
            "state_id",
            "country_id",
            "vat",
            "ref",
            "category_id",
            "parent_id",
            "type",
            "function",
            "website",
            "comment",
            "is_company",
            "active",
        ],
    },
}
SLA_TRIGGERS = ("wo_sla_response", "wo_sla_resolution")
PRESET_FIELDS = (
    "model_id",
    "trigger",
    "trg_date_id",
    "trg_selection_field_id",
    "trg_field_ref",
    "filter_pre_domain",
    "filter_domain",
    "trigger_field_ids",
)
CRON_XMLID = "base_automation.ir_cron_data_base_automation_check"
PENDING_SLA_KEY = "field_maintenance.sla_orders"


class BaseAutomation(models.Model):
    _inherit = "base.automation"

    # the watched fields decide which recomputations go through the rules (see
    # _fm_patch_recomputations): changing them re-patches the models, as the trigger does
    CRITICAL_FIELDS = [*NativeBaseAutomation.CRITICAL_FIELDS, "trigger_field_ids"]

    fm_trigger = fields.Selection(
        FM_TRIGGERS,
        string="Field Service Trigger",
        compute="_compute_fm_trigger",
        store=True,
        readonly=False,
        index="btree_not_null",
        help="Choose a field-service event in plain words: it fills the model, the trigger, "
        "the watched fields and the conditions below. Add your own conditions afterwards.",
    )

    # ------------------------------------------------------------------
    # Presets
    # ------------------------------------------------------------------

    @api.depends("model_id", "trigger")
    def _compute_fm_trigger(self):
        """Forget the preset once the rule no longer matches it."""
        for rule in self:
            preset = FM_PRESETS.get(rule.fm_trigger)
            if preset and (
                rule.model_id.model != preset["model"] or rule.trigger != preset["trigger"]
            ):
                rule.fm_trigger = False
            else:
                rule.fm_trigger = rule.fm_trigger

    @api.model
    def _fm_preset_values(self, fm_trigger):
        """Values of the native fields for preset ``fm_trigger`` (write format)."""
        preset = FM_PRESETS[fm_trigger]
        model_name = preset["model"]
        Fields = self.env["ir.model.fields"]
        return {
            "model_id": self.env["ir.model"]._get_id(model_name),
            "trigger": preset["trigger"],
            "trg_date_id": (
                Fields._get(model_name, preset["date_field"]).id
                if preset.get("date_field")
                else False
            ),
            "trg_selection_field_id": False,
            "trg_field_ref": False,
            "filter_pre_domain": preset.get("pre_domain", False),
            "filter_domain": preset.get("domain", False),
            "trigger_field_ids": [
                Command.set(
                    Fields.search(
                        [
                            ("model", "=", model_name),
                            ("name", "in", preset.get("trigger_fields", [])),
                        ]
                    ).ids
                )
            ],
        }

    @api.onchange("fm_trigger")
    def _onchange_fm_trigger(self):
        if not self.fm_trigger:
            return
        values = self._fm_preset_values(self.fm_trigger)
        # order matters: the native computes reset what depends on what is set
        self.model_id = values["model_id"]
        self.trigger = values["trigger"]
        self.trg_date_id = values["trg_date_id"]
        self.trg_selection_field_id = False
        self.trg_field_ref = False
        self.filter_pre_domain = values["filter_pre_domain"]
        self.filter_domain = values["filter_domain"]
        self.previous_domain = values["filter_domain"]
        self.trigger_field_ids = values["trigger_field_ids"][0][2]

    @api.onchange("trigger")
    def _onchange_trigger(self):
        """The native onchange (also used by the compute of the watched fields)
        resets them to the trigger's own field; a preset keeps its own."""
        watched = self.trigger_field_ids
        result = super()._onchange_trigger()
        preset = FM_PRESETS.get(self.fm_trigger)
        if (
            preset
            and self.model_id.model == preset["model"]
            and self.trigger == preset["trigger"]
            and preset.get("trigger_fields")
        ):
            self.trigger_field_ids = watched or self.env["ir.model.fields"].search(
                [("model", "=", preset["model"]), ("name", "in", preset["trigger_fields"])]
            )
        return result

    def _fm_fill_preset(self, vals):
        """Complete ``vals`` with the native values of its preset; values given
        explicitly (e.g. extra conditions) win."""
        if vals.get("fm_trigger"):
            for key, value in self._fm_preset_values(vals["fm_trigger"]).items():
                vals.setdefault(key, value)
        return vals

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        vals_list = [self._fm_fill_preset(dict(vals)) for vals in vals_list]
        rules = super().create(vals_list)
        rules._fm_sla_rules_changed(enabled=rules)
        return rules

    def write(self, vals):
        vals = self._fm_fill_preset(dict(vals))
        enabled = self.browse()
        if vals.get("active") or vals.get("fm_trigger") or vals.get("trigger"):
            enabled = self.filtered(
                lambda rule: (
                    not rule.active
                    or rule.fm_trigger != vals.get("fm_trigger", rule.fm_trigger)
                    or rule.trigger != vals.get("trigger", rule.trigger)
                )
            )
        result = super().write(vals)
        if enabled or {"trg_date_range", "trg_date_range_mode", "trg_date_range_type"} & set(vals):
            self._fm_sla_rules_changed(enabled=enabled)
        return result

    def _fm_sla_rules_changed(self, enabled):
        """SLA rules that are switched on start from now, not from the past
        (the native scheduler would otherwise fire for every past deadline
        at its first run); and the scheduler is triggered for the next deadline."""
        sla_rules = self.filtered(
            lambda rule: rule.fm_trigger in SLA_TRIGGERS and rule.trigger == "on_time"
        )
        if not sla_rules:
            return
        to_start = (enabled & sla_rules).filtered("active")
        if to_start:
            super(BaseAutomation, to_start).write({"last_run": fields.Datetime.now()})
        self._fm_sla_schedule_next()

    # ------------------------------------------------------------------
    # Processing: batching, chain guard, access, isolation
    # ------------------------------------------------------------------

    def _process(self, records, domain_post=None):
        """Process automation ``self`` on ``records``.

        Same contract as the native method, plus batching of the
        field-service action types, the chain guard and the isolation of
        records of time-based rules (see the module docstring)."""
        chain = self.env.context.get("fm_automation_chain", ())
        if self.id in chain:
            _logger.debug(
                "Automation rule %s (#%s) not run on %s: it is already running in this chain.",
                self.sudo().name,  # sudo: the rule's name, for the log only
                self.id,
                records,
            )
            return None
        if self.trigger in TIME_TRIGGERS and not self.env.context.get("fm_isolated"):
            return self._fm_process_isolated(records, domain_post)
        if not self._fm_watched_fields_changed():
            return None

        # --- native bookkeeping (see base_automation._process) ---
        # The records kept in the bookkeeping are in an environment without context:
        # kept in the environments of the rule, they would keep these (and everything
        # their contexts hold) alive until the end of the transaction, and each new
        # environment is looked up among the live ones.
        caller_done = automation_done = self.env.context.get("__action_done", {})
        records_done = automation_done.get(self, records.browse())
        records -= records_done
        if not records:
            return None
        plain = records.env(context={})
        key = self.with_env(self.env(context={}))
        automation = self
        if self.env.context.get("__action_feedback"):
            automation_done[key] = (records_done + records).with_env(plain)
        else:
            automation_done = dict(automation_done)
            automation_done[key] = (records_done + records).with_env(plain)
            automation = self.with_context(__action_done=automation_done)
            records = records.with_context(__action_done=automation_done)
        records = automation._fm_filter_trigger_fields(records)
        automation_done[key] = (records_done + records).with_env(plain)
        # also in the caller's bookkeeping: a recomputation inside the same write
        # (e.g. the planned end after the planned start) does not fire it again
        caller_done[key] = (caller_done.get(key, records.browse()) | records).with_env(plain)
        if not records:
            return None
        if "date_automation_last" in records._fields:
            records.date_automation_last = self.env.cr.now()

        # --- execution: batched for field-service types, per record otherwise ---
        common = {
            "active_model": records._name,
            "domain_post": domain_post,
            "fm_automation_chain": (*chain, self.id),
            TRIGGER_KEY: RuleTrigger(records.env.uid, records.env.su),
        }
        # sudo: as the native _process, the rule's actions run as superuser; the fm_* actions
        # check the triggering user's access themselves (RuleTrigger)
        for action in automation.sudo().action_server_ids:
            if action._fm_is_batched():
                batches = [records]
            else:
                batches = list(records)
            for batch in batches:
                try:
                    action.with_context(
                        **common, active_ids=batch.ids, active_id=batch[:1].id
                    ).run()
                except Exception as e:
                    automation._add_postmortem(e)
                    raise
        # recompute what the actions changed while their context (done records,
        # chain) is known: a later flush would run the rules again without it
        automation.with_context(**common).env.flush_all()
        return None

    def _fm_watched_fields_changed(self):
        """False when the write or recomputation being processed changed none of the
        fields the rule watches (the native wrappers give the old values of what they
        change): no record can fire it, so it skips its bookkeeping too. A rule that
        watches no field, or a creation, may fire."""
        old_values = self.env.context.get("old_values")
        if old_values is None:
            return True
        # sudo: field names of the rule (ir.model.fields is not readable by every user)
        names = self.sudo().trigger_field_ids.mapped("name")
        return not names or not set().union(*old_values.values()).isdisjoint(names)

    def _fm_filter_trigger_fields(self, records):
        """The records on which a watched field changed: the native
        ``_check_trigger_fields`` for a whole batch at once."""
        # sudo: field names of the rule (ir.model.fields is not readable by every user)
        names = self.sudo().trigger_field_ids.mapped("name")
        old_values = self.env.context.get("old_values")
        if not names or old_values is None:
            return records
        changed = set()
        for name in names:
            getter = records._fields[name].__get__
            for record in records:
                old = old_values.get(record.id)
                if old and name in old and getter(record) != old[name]:
                    changed.add(record.id)
        return records.browse([id_ for id_ in records._ids if id_ in changed])

    def _fm_process_isolated(self, records, domain_post=None):
        """Run a time-based rule record per record, each in a savepoint."""
        automation = self.with_context(fm_isolated=True)
        for record in records:
            try:
                with self.env.cr.savepoint():
                    automation._process(record, domain_post=domain_post)
            except psycopg2.OperationalError:
                raise  # concurrency: let the scheduler retry the whole run
            except Exception:
                _logger.exception(
                    "Automation rule %s (#%s) failed on %s (%s); the other records are processed.",
                    self.sudo().name,  # sudo: the rule's name, for the log only
                    self.id,
                    record.display_name,
                    record,
                )

    # ------------------------------------------------------------------
    # SLA: trigger the scheduler for deadlines
    # ------------------------------------------------------------------

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

    # ------------------------------------------------------------------
    # Creation: one bookkeeping for the whole create
    # ------------------------------------------------------------------

    def _register_hook(self):
        """Creating a record recomputes its computed fields (e.g. the planned end
        and the lead technician of a work order), which runs "on update" rules
        once per computed field. Give the whole create one bookkeeping of the
        rules done, so that such a rule runs at most once per created record."""
        result = super()._register_hook()

        def make_create():
            @api.model_create_multi
            def create(self, vals_list, **kwargs):
                if "__action_done" in self.env.context:
                    return create.origin(self, vals_list, **kwargs)
                records = create.origin(self.with_context(__action_done={}), vals_list, **kwargs)
                records.flush_recordset()  # recompute now, with the same bookkeeping
                return records.with_env(self.env)

            return create

        model_names = {
            rule.model_name
            for rule in self.with_context(active_test=True).search([("trigger", "=", "on_write")])
            if rule.fm_trigger
        }
        for model_name in model_names:
            if model_name not in self.env:
                continue
            model_class = self.env.registry[model_name]
            method = make_create()
            method.origin = model_class.create
            model_class.create = method
        self._fm_patch_recomputations()
        return result

    def _fm_patch_recomputations(self):
        """Recomputing a stored computed field goes through the native "on update"
        wrapper, which reads the old values of every recomputed record and filters them
        with every "on update" rule of the model, even when no rule watches that field
        (the rules then find nothing changed). Go straight to the computation for the
        fields no rule watches; a model with a rule that watches every field keeps the
        native wrapper as it is."""
        watched = {}  # model: names of the fields its rules watch; None: every field
        for rule in self.with_context(active_test=True).search([("trigger", "in", WRITE_TRIGGERS)]):
            names = set(rule.trigger_field_ids.mapped("name"))
            if rule.model_name in watched and watched[rule.model_name] is None:
                continue
            watched[rule.model_name] = (
                (watched.get(rule.model_name, set()) | names) if names else None
            )

        def make_compute_field_value(native, names):
            def _compute_field_value(self, field):
                if names.isdisjoint(
                    computed.name for computed in self.pool.field_computed[field] if computed.store
                ):
                    return native.origin(self, field)
                return native(self, field)

            return _compute_field_value

        for model_name, names in watched.items():
            if names is None or model_name not in self.env:
                continue
            model_class = self.env.registry[model_name]
            native = model_class.__dict__.get("_compute_field_value")
            if getattr(native, "origin", None) is None:
                continue  # not patched by the native engine
            model_class._compute_field_value = make_compute_field_value(native, names)

    @api.model
    def _cron_process_time_based_actions(self):
        try:
            return super()._cron_process_time_based_actions()
        finally:
            try:
                self._fm_sla_schedule_next()
            except Exception:
                _logger.exception("Could not schedule the next SLA deadline check.")
