"""The internals of Odoo's rule engine that the field-service extension relies on.

``models/base_automation.py`` extends Odoo's automation rules (base_automation 19.0)
through their methods. Beyond the names and signatures of the methods it overrides, it
relies on the following, which Odoo does not document as an API; this file is the only
place that reads them, and ``tests/test_automation_internals.py`` fails when any changes:

1. The trigger constants of ``odoo.addons.base_automation.models.base_automation``:
   ``TIME_TRIGGERS``, ``WRITE_TRIGGERS`` and ``DATE_RANGE`` (the relativedelta of one unit of
   each ``trg_date_range_type``).
2. The context key ``old_values`` that the write and recomputation wrappers of
   ``_register_hook()`` give the rule when they call ``_filter_post_export_domain()`` and
   ``_process()``: ``{record id: {field name: value before}}``, the same field names for
   every record; ``None`` on a creation (it is then not in the context of the wrapper of
   ``create``, which calls ``_filter_post()``, not ``_filter_post_export_domain()``, and
   ``_process()`` on a rule with ``old_values=None``): update presets on
   ``on_create_or_write`` tell a creation by it.
3. ``base.automation._process(records, domain_post=None)``: it leaves out the records the
   rule is already done with, calls ``_check_trigger_fields(record)`` record by record on
   the rule (in the rule's context), then runs the actions one after the other, each
   record by record, on the records for which it answered True only:
   ``action.with_context(active_model=..., active_ids=[id], active_id=id,
   domain_post=...).run()``, the action read from the rule (its context);
   ``_add_postmortem(e)`` names the rule on an error.
4. ``base.automation._cron_process_time_based_actions()`` calls ``_process(record)`` once
   per record, and rolls back everything the rule did when one record fails.
5. The model patches of ``_register_hook()``: the ``_compute_field_value`` of a model with
   an update rule is a function whose ``origin`` is the method it replaced;
   ``_unregister_hook()`` deletes the ``create`` and ``_compute_field_value`` of every
   registry class (the patches of this module with Odoo's), and ``_update_registry()``
   calls both and tells the other workers to reload.
6. ``Registry.field_computed``: ``{field: the fields computed by the same method}``.
7. The bookkeeping of ``_process()``: the context key ``__action_done`` holds ``{rule:
   records it is done with}``; ``_get_actions()`` puts an empty one in the context of the
   rules when there is none, so that the write wrapper and the recomputations inside the
   write share it; ``_process()`` leaves out the records of its rule found there, and marks
   the records it runs on in a copy (in place only with ``__action_feedback``).
"""

import ast
import hashlib
import inspect
import textwrap

from odoo.addons.base.models.ir_actions import IrActionsServer
from odoo.addons.base_automation.models import base_automation as native
from odoo.addons.base_automation.models.base_automation import (
    DATE_RANGE,
    TIME_TRIGGERS,
    WRITE_TRIGGERS,
)

__all__ = [
    "DATE_RANGE",
    "TIME_TRIGGERS",
    "WRITE_TRIGGERS",
    "changed_internals",
    "computed_together",
    "mark_done",
    "native_recomputation",
    "old_values",
    "patch_model",
]

OLD_VALUES_KEY = "old_values"
ACTION_DONE_KEY = "__action_done"


def old_values(context):
    """The values before the write or recomputation the rule runs for (2.), or None."""
    return context.get(OLD_VALUES_KEY)


def changed_fields(context):
    """Names of the fields whose old values the context holds (2.): the fields the write
    or the recomputation changed. None on a creation."""
    values = old_values(context)
    if values is None:
        return None
    return set(next(iter(values.values()), ()))


def computed_together(model, field):
    """Names of the stored fields computed by the method that computes ``field`` (6.)."""
    return {computed.name for computed in model.pool.field_computed[field] if computed.store}


def mark_done(rule, records):
    """Mark ``records`` done for ``rule`` in the bookkeeping of the caller (7.): Odoo marks
    them in a copy only, so that a write and a recomputation inside it (the planned end
    after the planned start) would both run the rule on the same records."""
    done = rule.env.context.get(ACTION_DONE_KEY)
    if done is None or not records:
        return
    # kept without context: in the environment of the rule or of the records, they would
    # keep it (and what its context holds) alive until the end of the transaction, and
    # each new environment is looked up among the live ones
    key = rule.with_env(rule.env(context={}))
    done[key] = (done.get(key, records.browse()) | records).with_env(records.env(context={}))


def native_recomputation(model_class):
    """The recomputation wrapper Odoo installed on ``model_class``, or None (5.)."""
    method = model_class.__dict__.get("_compute_field_value")
    return method if getattr(method, "origin", None) is not None else None


def patch_model(env, model_name, name, method):
    """Install ``method`` as ``name`` on the registry class of ``model_name``, over what is
    there (kept in ``method.origin``), as Odoo's patches are; Odoo's _unregister_hook()
    removes it (5.)."""
    model_class = env.registry[model_name]
    method.origin = getattr(model_class, name)
    setattr(model_class, name, method)


# Fingerprints of the Odoo code the extension relies on (its syntax tree, without comments,
# docstrings and formatting): a change of one of them fails test_automation_internals,
# which names what to check again.
NATIVE = native.BaseAutomation
WATCHED = {
    "base.automation._process": (NATIVE._process, "3., 7."),
    "base.automation._check_trigger_fields": (NATIVE._check_trigger_fields, "3."),
    "base.automation._filter_pre": (NATIVE._filter_pre, "2."),
    "base.automation._filter_post": (NATIVE._filter_post, "2."),
    "base.automation._filter_post_export_domain": (NATIVE._filter_post_export_domain, "2."),
    "base.automation._add_postmortem": (NATIVE._add_postmortem, "3."),
    "base.automation._register_hook": (NATIVE._register_hook, "2., 3., 5., 7."),
    "base.automation._unregister_hook": (NATIVE._unregister_hook, "5."),
    "base.automation._update_registry": (NATIVE._update_registry, "5."),
    "base.automation._get_actions": (NATIVE._get_actions, "2., 7."),
    "base.automation._cron_process_time_based_actions": (
        NATIVE._cron_process_time_based_actions,
        "4.",
    ),
    "ir.actions.server.run": (IrActionsServer.run, "3."),
}
FINGERPRINTS = {  # Odoo 19.0
    "base.automation._process": "536df9f4c0fc44df",
    "base.automation._check_trigger_fields": "df8c64c44f54f81d",
    "base.automation._filter_pre": "36fc2a6aad052f3c",
    "base.automation._filter_post": "a0095d2dc9696c6c",
    "base.automation._filter_post_export_domain": "6feac664274f99bc",
    "base.automation._add_postmortem": "946acb9e64d1da56",
    "base.automation._register_hook": "7598e395d4e239b6",
    "base.automation._unregister_hook": "af622422b45d5c60",
    "base.automation._update_registry": "5ebdb21081de7908",
    "base.automation._get_actions": "c8fbcd42de749559",
    "base.automation._cron_process_time_based_actions": "2afbdbf8009068c5",
    "ir.actions.server.run": "39f69628d5db173d",
}


def fingerprint(function):
    """Hash of the syntax tree of ``function``, without its docstrings, the same on every
    version of Python that Odoo 19 runs on."""
    tree = ast.parse(textwrap.dedent(inspect.getsource(function)))
    return hashlib.sha256(_canonical(tree).encode()).hexdigest()[:16]


def _canonical(node):
    if isinstance(node, list):
        return "[" + ",".join(_canonical(item) for item in node) + "]"
    if not isinstance(node, ast.AST):
        return repr(node)
    body = getattr(node, "body", None)
    if (
        isinstance(body, list)
        and body
        and isinstance(body[0], ast.Expr)
        and isinstance(body[0].value, ast.Constant)
        and isinstance(body[0].value.value, str)
    ):
        body = body[1:]  # the docstring
    parts = [type(node).__name__]
    for name in node._fields:
        value = body if name == "body" else getattr(node, name, None)
        if value is not None and value != []:  # fields newer versions add empty
            parts.append(f"{name}={_canonical(value)}")
    return "(" + " ".join(parts) + ")"


def changed_internals():
    """``[(name, items of the list above)]`` of the watched Odoo code that changed."""
    return [
        (name, items)
        for name, (function, items) in WATCHED.items()
        if fingerprint(function) != FINGERPRINTS.get(name)
    ]
