"""What the rule engine keeps in the context while a field-service automation rule runs.

Each is an instance of its own class: a context sent over JSON-RPC holds JSON values only
(lists, never tuples, let alone these classes), so no user can forge one to skip a rule
or to have actions batched (see also RuleTrigger).
"""

# context keys
CHAIN_KEY = "fm_automation_chain"
BATCH_KEY = "fm_rule_batch"
CREATION_KEY = "fm_rules_done_at_creation"

_UNKNOWN = object()


class RuleChain(tuple):
    """Ids of the field-service rules whose actions are running, outermost first: a rule
    never runs again inside the chain of actions it started."""

    __slots__ = ()

    @classmethod
    def of(cls, context):
        chain = context.get(CHAIN_KEY)
        return chain if isinstance(chain, cls) else cls()

    def extended(self, rule_id):
        return RuleChain((*self, rule_id))


class CreationDone(dict):
    """``{rule id: ids of the records it ran on}`` while records are created: the stored
    fields computed at the creation are recomputed one after the other, and an update rule
    watching several of them runs once per created record, not once per field."""

    __slots__ = ()

    @classmethod
    def of(cls, context):
        done = context.get(CREATION_KEY)
        return done if isinstance(done, cls) else None


class RuleBatch:
    """One run of a field-service rule (``base.automation._process``).

    Odoo runs every action of a rule record by record. While the rule runs, the actions of
    the field-service types only note their records here (``defer``); each of them runs
    once for all its records (``run_pending``) before the next action of the rule and at
    the end of the run, so that the actions still run in their order.

    It also answers ``_check_trigger_fields`` for the rule (``changed``), with the watched
    fields read once instead of once per record, and keeps the ids of the records the rule
    runs on (``fired``, in their order).

    When every action of the rule is deferred (``collapse``), Odoo's loop over the records
    has nothing to do but hand each record to ``defer``: ``changed`` then answers True for
    the first record the rule runs on only, and that record's call of each action stands
    for all of ``fired``. Odoo then runs each action once instead of once per record (a
    context and an environment per record and action are what cost most in a large
    batch); the caller marks all of ``fired`` done (``mark_done``)."""

    __slots__ = (
        "_action",
        "_context",
        "_key",
        "_kinds",
        "_record_ids",
        "collapse",
        "fields",
        "fired",
        "old_values",
        "rule_ids",
    )

    def __init__(self, rule, fields, old_values, collapse=False):
        self.rule_ids = rule._ids
        self.fields = fields  # the fields the rule watches; None: any field
        self.old_values = old_values  # None on a creation (see automation_internals)
        self.collapse = collapse
        self.fired = {}  # record ids, in order (a dict: ordered, and a set)
        self._kinds = {}  # action ids: whether the rule's action is deferred (None: not its)
        self._key = self._action = self._context = self._record_ids = None

    def changed(self, record):
        """Whether a watched field of ``record`` changed (the rule runs on it), as Odoo's
        ``_check_trigger_fields``."""
        record_id = record._ids[0]
        if self.fields is not None and self.old_values is not None:
            old = self.old_values.get(record_id) or {}
            for field in self.fields:
                if field.name in old and field.__get__(record) != old[field.name]:
                    break
            else:
                return False
        if self.collapse and self.fired:
            self.fired[record_id] = None
            return False  # the first record's run of the actions stands for this one
        self.fired[record_id] = None
        return True

    def defer(self, action):
        """Whether the run of ``action`` (in the context of one record) is deferred to
        ``run_pending``: it is an action of the rule, of a field-service type."""
        key = action._ids
        kind = self._kinds.get(key, _UNKNOWN)
        if kind is _UNKNOWN:
            kind = self._kinds[key] = (
                action._fm_is_batched()
                if len(key) == 1 and action.base_automation_id._ids == self.rule_ids
                else None
            )
        if not kind:
            if kind is not None:
                self.run_pending()  # the actions before this one are done for all records
            return False
        if key != self._key:
            self.run_pending()
            self._key, self._action, self._context = key, action, action.env.context
            self._record_ids = []
        if self.collapse:
            self._record_ids = list(self.fired)
        else:
            self._record_ids += action.env.context.get("active_ids") or ()
        return True

    def run_pending(self):
        """Run the deferred action once for all the records it was run for."""
        action, context, ids = self._action, self._context, self._record_ids
        self._key = self._action = self._context = self._record_ids = None
        if action is None or not ids:
            return False
        return action.with_context(
            context, active_ids=ids, active_id=ids[0], **{BATCH_KEY: None}
        ).run()
