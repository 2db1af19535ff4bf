"""Helpers of the module that are not models (as mail/tools and account/tools)."""

from .batch import assign_by_value, call_with_fallback
from .bounds import (
    MAX_DUE_DATE,
    MAX_INTERVAL,
    MAX_LEAD_DAYS,
    MIN_DUE_DATE,
    as_number,
    due_date_in_bounds,
    interval_in_bounds,
    lead_days_in_bounds,
)
from .dates import add_interval, company_tz, local_date, local_hour, local_to_utc
from .geo import great_circle_km
from .rule_trigger import TRIGGER_KEY, RuleTrigger, rule_trigger

# imported as modules by the few models that use them: HTTP of the outbound sync, and
# the rule engine's internals and run context (base_automation.py, ir_actions_server.py)
from . import automation_internals, rule_run, slots, sync_http

__all__ = [
    "MAX_DUE_DATE",
    "MAX_INTERVAL",
    "MAX_LEAD_DAYS",
    "MIN_DUE_DATE",
    "TRIGGER_KEY",
    "RuleTrigger",
    "add_interval",
    "as_number",
    "assign_by_value",
    "call_with_fallback",
    "company_tz",
    "due_date_in_bounds",
    "great_circle_km",
    "interval_in_bounds",
    "lead_days_in_bounds",
    "local_date",
    "local_hour",
    "local_to_utc",
    "automation_internals",
    "rule_run",
    "rule_trigger",
    "slots",
    "sync_http",
]
