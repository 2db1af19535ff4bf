"""Field-service automation rules: an extension of Odoo's rule engine.

The rule editor stays Odoo's own: ``fm_trigger`` is a preset that fills the native fields
(model, trigger, trigger fields, domains, date field) in one go, from the form (onchange)
as well as from RPC (create/write).

The engine stays Odoo's own too: ``_process`` calls ``super()._process()``. What this
module adds applies to *field-service rules* only, rules with an ``fm_trigger`` or an
action of a field-service type (``fm_*``); every other rule runs exactly as without the
module (tests: TestNativeRules, and Odoo's own suites). Which rules are field-service rules
is found by ``_register_hook`` (re-run whenever that changes) rather than read from each
rule. For a field-service rule:

- ``_process`` runs Odoo's in a context holding who triggered the rule (RuleTrigger), the
  chain of field-service rules running (RuleChain) and the batch of this run (RuleBatch);
  the three are instances of classes of the module, which a context sent over RPC cannot
  hold. While Odoo runs the actions record by record, an ``fm_*`` action only notes the
  record in the batch (override of ``ir.actions.server.run``); it runs once for all its
  records, with the same context, before the next action of the rule and at the end, so
  the actions keep their order. The actions check the triggering user's access
  themselves. Afterwards ``_process`` marks the records done in the caller's bookkeeping
  (a write and the recomputations inside it run the rule once), and recomputes what the
  actions changed while the chain is known.
- chain guard: a rule never runs again inside the chain of actions it started
  (``_filter_pre``, ``_filter_post_export_domain`` and ``_process`` leave out its records),
  so a rule whose action changes or creates records of its model cannot re-fire itself,
  and every chain of field-service rules ends;
- ``_filter_post_export_domain`` skips the conditions when the write or recomputation
  changed none of the fields the rule watches, and ``_check_trigger_fields`` answers from
  the batch, which reads the watched fields once per run instead of once per record;
- time-based rules run each record in a savepoint: a failing record is logged and the
  others are processed;
- ``_register_hook``, after Odoo's: on a model with a field-service update rule, a
  creation recomputes its records before it returns, with one bookkeeping (CreationDone),
  so that the rule runs once per created record and not once per computed field; on a
  model whose update rules are all field-service rules watching given fields,
  recomputing other fields skips Odoo's wrapper (which would read the old values and
  evaluate every condition for nothing). Changing what a field-service rule watches, or
  whether a rule is one, re-installs them (``_fm_update_patches``).

The Odoo internals this relies on are listed, and read, in tools/automation_internals.py
only; test_automation_internals fails when Odoo changes them.

SLA triggers are ``on_time`` rules on the stored SLA deadlines of work orders: see
base_automation_sla.py.
"""

import logging
from collections import defaultdict

import psycopg2

from odoo import Command, api, fields, models
from odoo.exceptions import ValidationError
from odoo.fields import Domain

from ..tools.automation_internals import (
    TIME_TRIGGERS,
    WRITE_TRIGGERS,
    changed_fields,
    computed_together,
    mark_done,
    native_recomputation,
    old_values,
    patch_model,
)
from ..tools.rule_run import (
    BATCH_KEY,
    CHAIN_KEY,
    CREATION_KEY,
    CreationDone,
    RuleBatch,
    RuleChain,
)
from ..tools.rule_trigger import TRIGGER_KEY, RuleTrigger
from .ir_actions_server import FM_STATES

_logger = logging.getLogger(__name__)

WORK_ORDER = "field.work.order"
PARTNER = "res.partner"
# on hold, the SLA clock stops (field_work_order_sla.py): no SLA rule fires
WAITING = "('state', 'not in', ['done', 'cancelled', 'on_hold'])"

FM_TRIGGERS = [
    ("wo_created", "Work order created"),
    ("wo_planned_to_ready", "Work order status changed from Planned to Ready"),
    ("wo_completed", "Work order reported complete"),
    ("wo_on_hold", "Work order put on hold"),
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
        "trigger": "on_create_or_write",
        "update_only": True,
        "trigger_fields": ["state"],
        "pre_domain": "[('state', '=', 'planned')]",
        "domain": "[('state', '=', 'ready')]",
    },
    "wo_completed": {
        "model": WORK_ORDER,
        "trigger": "on_create_or_write",
        "update_only": True,
        "trigger_fields": ["state"],
        "domain": "[('state', '=', 'done')]",
    },
    "wo_on_hold": {
        "model": WORK_ORDER,
        "trigger": "on_create_or_write",
        "update_only": True,
        "trigger_fields": ["state"],
        "domain": "[('state', '=', 'on_hold')]",
    },
    "wo_state_changed": {
        "model": WORK_ORDER,
        "trigger": "on_create_or_write",
        "update_only": True,
        "trigger_fields": ["state"],
    },
    "wo_dispatch_update": {
        "model": WORK_ORDER,
        "trigger": "on_create_or_write",
        "update_only": True,
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
        "trigger": "on_create_or_write",
        "update_only": True,
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
# presets on an update ("update_only"): Odoo 19's editor lists ``on_write`` under
# "Deprecated (do not use)", so they use ``on_create_or_write`` and do not fire on a
# creation (_filter_post): a work order created directly in Ready did not go from Planned
# to Ready. Their trigger before version 19.0.1.2, still recognised:
LEGACY_UPDATE_TRIGGER = "on_write"


def is_update_only(fm_trigger):
    return bool(FM_PRESETS.get(fm_trigger, {}).get("update_only"))


SLA_TRIGGERS = ("wo_sla_response", "wo_sla_resolution")
# fields of a rule that the model patches depend on (see _register_hook); the types of its
# actions too (see ir.actions.server)
PATCH_FIELDS = {"fm_trigger", "trigger_field_ids"}


class BaseAutomation(models.Model):
    _inherit = "base.automation"

    # {id: names of the fields it watches} of the field-service rules, set by _register_hook
    _fm_watched_by_rule = {}

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

    fm_trigger_description = fields.Char(
        string="Runs When",
        compute="_compute_fm_trigger_description",
        help="What the field-service event of the rule means, in one sentence.",
    )

    # ------------------------------------------------------------------
    # Presets
    # ------------------------------------------------------------------

    @api.depends("model_id", "trigger")
    def _compute_fm_trigger(self):
        """Forget the preset once the rule no longer matches it."""
        for rule in self:
            preset = FM_PRESETS.get(rule.fm_trigger)
            triggers = {preset["trigger"]} if preset else set()
            if is_update_only(rule.fm_trigger):
                triggers.add(LEGACY_UPDATE_TRIGGER)
            if preset and (rule.model_id.model != preset["model"] or rule.trigger not in triggers):
                rule.fm_trigger = False
            else:
                rule.fm_trigger = rule.fm_trigger

    def _fm_trigger_sentences(self):
        return {
            "wo_created": self.env._("Runs when a work order is created."),
            "wo_planned_to_ready": self.env._(
                "Runs when a work order goes from Planned to Ready (not when it is created "
                "in Ready)."
            ),
            "wo_completed": self.env._(
                "Runs when a work order is reported complete (it goes to Done)."
            ),
            "wo_on_hold": self.env._(
                "Runs when a work order is put on hold (waiting for parts or the customer)."
            ),
            "wo_state_changed": self.env._(
                "Runs when the status of a work order changes (not at its creation)."
            ),
            "wo_dispatch_update": self.env._(
                "Runs when the planned dates or the technicians of a work order are set or changed."
            ),
            "wo_sla_response": self.env._(
                "Runs when the response deadline of a work order passes and nobody has "
                "responded yet."
            ),
            "wo_sla_resolution": self.env._(
                "Runs when the resolution deadline of a work order passes and it is not "
                "resolved yet."
            ),
            "partner_created": self.env._("Runs when a contact is added."),
            "partner_updated": self.env._(
                "Runs when the name, address, e-mail, phone or other details of a contact "
                "are changed (not at its creation)."
            ),
        }

    @api.depends(
        "fm_trigger",
        "filter_domain",
        "filter_pre_domain",
        "trg_date_range",
        "trg_date_range_type",
        "trg_date_range_mode",
    )
    def _compute_fm_trigger_description(self):
        sentences = self._fm_trigger_sentences()
        labels = dict(self._fields["fm_trigger"]._description_selection(self.env))
        for rule in self:
            sentence = sentences.get(rule.fm_trigger) or (
                rule.fm_trigger
                and self.env._("Runs when: %s.", labels.get(rule.fm_trigger, rule.fm_trigger))
            )
            preset = FM_PRESETS.get(rule.fm_trigger)
            if sentence and rule.fm_trigger in SLA_TRIGGERS and rule.trg_date_range:
                labels = dict(rule._fields["trg_date_range_type"]._description_selection(self.env))
                modes = dict(rule._fields["trg_date_range_mode"]._description_selection(self.env))
                sentence += " " + self.env._(
                    "Delay: %(number)s %(unit)s %(mode)s the deadline.",
                    number=rule.trg_date_range,
                    unit=(labels.get(rule.trg_date_range_type) or "").lower(),
                    mode=(modes.get(rule.trg_date_range_mode or "after") or "").lower(),
                )
            if (
                sentence
                and preset
                and (
                    (rule.filter_domain or False) != preset.get("domain", False)
                    or (rule.filter_pre_domain or False) != preset.get("pre_domain", False)
                )
            ):
                sentence += " " + self.env._("Only when your extra conditions hold.")
            rule.fm_trigger_description = sentence

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

    @api.model
    def _fm_upgrade_legacy_triggers(self):
        """Move the rules of update presets made before version 19.0.1.2 from ``on_write``
        (deprecated in Odoo 19's editor) to ``on_create_or_write``; they still do not
        fire on a creation (_filter_post). Called by the migration.

        :return: the rules moved
        """
        rules = self.with_context(active_test=False).search(
            [("trigger", "=", LEGACY_UPDATE_TRIGGER), ("fm_trigger", "!=", False)]
        )
        rules = rules.filtered(lambda rule: is_update_only(rule.fm_trigger))
        if rules:
            # in SQL: the trigger only. Written through the ORM, Odoo would recompute the
            # conditions and watched fields from the new trigger, and refuse the example
            # rules shipped with an action to configure (_check_trigger_state)
            self.env.cr.execute(
                "UPDATE base_automation SET trigger = %s WHERE id IN %s",
                ["on_create_or_write", tuple(rules.ids)],
            )
            rules.invalidate_recordset(["trigger"])
            rules._update_registry()
        return rules

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
        return super().create(vals_list)

    @api.constrains("active")
    def _check_active_fm_actions(self):
        """A rule is switched on only with complete field-service actions: Odoo checks
        the actions when the rule's trigger or actions change, not when an archived rule
        (such as the examples shipped) is switched on, and an incomplete action would then
        refuse every change that triggers it."""
        for rule in self.filtered("active"):
            incomplete = rule.action_server_ids.filtered(
                lambda action: action.state in FM_STATES and action.warning
            )
            if incomplete:
                raise ValidationError(
                    self.env._(
                        "Rule %(rule)s cannot be switched on: complete its actions first."
                        "\n%(problems)s",
                        rule=rule.name,
                        problems="\n".join(
                            f"{action.name}: {action.warning}" for action in incomplete
                        ),
                    )
                )

    def write(self, vals):
        vals = self._fm_fill_preset(dict(vals))
        patches = self._fm_patch_keys() if PATCH_FIELDS & vals.keys() else None
        result = super().write(vals)
        if patches is not None:
            self._fm_update_patches(patches)
        return result

    # ------------------------------------------------------------------
    # Field-service rules
    # ------------------------------------------------------------------

    @api.model
    def _fm_field_service_domain(self):
        return Domain("fm_trigger", "!=", False) | Domain(
            "action_server_ids.state", "in", list(FM_STATES)
        )

    def _fm_is_field_service(self):
        """Whether the rule has a field-service trigger or action: only such rules get
        the behaviour of this module. Read from what _register_hook() found (re-run when
        it changes, see _fm_update_patches), not from the rule: a native rule is not
        loaded into the cache where Odoo would not load it."""
        return self.id in self._fm_watched_by_rule

    def _fm_watched(self):
        """Names of the fields the field-service rule watches; empty: any field."""
        return self._fm_watched_by_rule.get(self.id, frozenset())

    def _fm_in_chain(self):
        """Whether the rule runs in this chain of actions already (a field-service rule:
        only those enter the chain)."""
        return self.id in RuleChain.of(self.env.context)

    def _fm_cannot_fire(self):
        """Whether this rule is a field-service rule that cannot fire on the records of the
        write or recomputation being processed: it runs in this chain already, or none of
        the fields it watches changed."""
        if self._fm_in_chain():
            return True
        changed = changed_fields(self.env.context)
        if changed is None or not self._fm_is_field_service():
            return False
        watched = self._fm_watched()
        return bool(watched) and watched.isdisjoint(changed)

    # ------------------------------------------------------------------
    # Processing: hooks of the native engine
    # ------------------------------------------------------------------

    def _filter_pre(self, records, feedback=False):
        if records and self._fm_in_chain():
            return records.browse()
        return super()._filter_pre(records, feedback=feedback)

    def _filter_post_export_domain(self, records, feedback=False):
        if records and self._fm_cannot_fire():
            return records.browse(), None
        return super()._filter_post_export_domain(records, feedback=feedback)

    def _filter_post(self, records, feedback=False):
        # a creation (the only caller with the post-condition alone for these triggers):
        # a preset on an update does not fire, as with the former ``on_write`` trigger
        if (
            records
            and self._fm_is_field_service()
            and old_values(self.env.context) is None
            # sudo: the trigger and preset of the rule, as Odoo's engine reads rules (sudo)
            and self.sudo().trigger == "on_create_or_write"
            and is_update_only(self.sudo().fm_trigger)
        ):
            return records.browse()
        return super()._filter_post(records, feedback=feedback)

    def _check_trigger_fields(self, record):
        batch = self.env.context.get(BATCH_KEY)  # for every record: kept short
        if isinstance(batch, RuleBatch) and batch.rule_ids == self._ids:
            return batch.changed(record)
        return super()._check_trigger_fields(record)

    def _process(self, records, domain_post=None):
        """Process automation ``self`` on ``records``: Odoo's own processing, with the
        batching, chain guard and isolation of field-service rules (see the module
        docstring)."""
        if not records or not self._fm_is_field_service():
            return super()._process(records, domain_post=domain_post)
        if self._fm_in_chain():
            _logger.debug(
                "Automation rule %s (#%s) not run on %s: it is already running in this chain.",
                self.sudo().name,  # sudo: the rule's name, for the log only
                self.id,
                records,
            )
            return None
        if self.trigger in TIME_TRIGGERS:
            return self._fm_process_isolated(records, domain_post)
        return self._fm_process(records, domain_post)

    def _fm_process(self, records, domain_post):
        creation = CreationDone.of(self.env.context)
        if creation is not None:
            records -= records.browse(creation.get(self.id, ()))
            if not records:
                return None
        watched = self._fm_watched()
        fields = [records._fields[name] for name in watched if name in records._fields]
        batch = RuleBatch(
            self,
            fields if watched else None,
            old_values(self.env.context),
            collapse=self._fm_all_batched(records),
        )
        rule = self.with_context(
            **{
                CHAIN_KEY: RuleChain.of(self.env.context).extended(self.id),
                TRIGGER_KEY: RuleTrigger(records.env.uid, records.env.su),
                BATCH_KEY: batch,
            }
        )
        super(BaseAutomation, rule)._process(records, domain_post=domain_post)
        try:
            batch.run_pending()
        except Exception as e:
            rule._add_postmortem(e)
            raise
        mark_done(self, records.browse(batch.fired))
        if creation is not None:
            creation.setdefault(self.id, set()).update(batch.fired)
        if batch.fired:
            # recompute what the actions changed while the chain is known: a later flush
            # would run the rules again without it
            rule.with_context(**{BATCH_KEY: None}).env.flush_all()
        return None

    def _fm_all_batched(self, records):
        """Whether every action of the rule runs once for all records (RuleBatch.collapse):
        then Odoo's loop over the records and actions can be run for one record only.
        Not when the model keeps the time of the last run on each record (Odoo writes it
        on the records it loops over)."""
        # sudo: which types the rule's actions have, as Odoo's _process reads them (sudo)
        actions = self.sudo().action_server_ids
        return (
            bool(actions)
            and "date_automation_last" not in records._fields
            and all(action._fm_is_batched() for action in actions)
        )

    def _fm_process_isolated(self, records, domain_post=None):
        """Run a time-based rule record per record, each in a savepoint."""
        for record in records:
            try:
                with self.env.cr.savepoint():
                    self._fm_process(record, domain_post)
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
    # Model patches of field-service update rules
    # ------------------------------------------------------------------

    def _fm_patch_keys(self, domain=None):
        """``{id: watched field names}`` of the field-service rules of ``self`` (or of
        ``domain``), read from the database: what the model patches and
        _fm_is_field_service() depend on."""
        if domain is None:
            if not self:
                return {}
            domain = Domain("id", "in", self.ids)
        # sudo: whether the rules are field-service rules and what they watch, to know
        # whether to re-install the model patches (users who edit actions may not read rules)
        rules = (
            self.sudo()
            .with_context(active_test=False)
            .search(Domain(domain) & self._fm_field_service_domain())
        )
        return {rule.id: frozenset(rule.trigger_field_ids.mapped("name")) for rule in rules}

    def _fm_update_patches(self, before):
        """Re-install the model patches when what they depend on changed."""
        if self._fm_patch_keys() != before:
            self._update_registry()

    def _register_hook(self):
        result = super()._register_hook()
        watched_by_rule = self._fm_patch_keys(Domain.TRUE)
        type(self)._fm_watched_by_rule = watched_by_rule
        by_model = defaultdict(list)
        for rule in self.with_context(active_test=True).search([("trigger", "in", WRITE_TRIGGERS)]):
            if rule.model_name in self.env:
                by_model[rule.model_name].append(rule)
        for model_name, rules in by_model.items():
            fm_rules = [rule for rule in rules if rule.id in watched_by_rule]
            if not fm_rules:
                continue
            patch_model(self.env, model_name, "create", _make_create())
            native = native_recomputation(self.env.registry[model_name])
            watched = [watched_by_rule.get(rule.id) for rule in rules]
            if len(fm_rules) == len(rules) and all(watched) and native:
                patch_model(
                    self.env,
                    model_name,
                    "_compute_field_value",
                    _make_compute_field_value(native, frozenset().union(*watched)),
                )
        return result


def _make_create():
    """``create`` of a model with a field-service update rule: the stored fields computed
    at the creation are recomputed before it returns, one after the other, with one
    bookkeeping (CreationDone), so that such a rule runs at most once per created record."""

    @api.model_create_multi
    def create(self, vals_list, **kwargs):
        if CreationDone.of(self.env.context) is not None:
            return create.origin(self, vals_list, **kwargs)
        records = create.origin(
            self.with_context(**{CREATION_KEY: CreationDone()}), vals_list, **kwargs
        )
        records.flush_recordset()
        return records.with_env(self.env)

    return create


def _make_compute_field_value(native, watched):
    """``_compute_field_value`` of a model whose update rules are all field-service rules
    watching the fields ``watched``: recomputing another field goes straight to the
    computation instead of through Odoo's wrapper (``native``), which would read the old
    values and evaluate the conditions of every rule for nothing."""

    def _compute_field_value(self, field):
        if watched.isdisjoint(computed_together(self, field)):
            return native.origin(self, field)
        return native(self, field)

    return _compute_field_value
