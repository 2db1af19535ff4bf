"""Helpers of the module that are not models (as mail/tools and account/tools)."""

from .batch import assign_by_value
from .rule_trigger import TRIGGER_KEY, RuleTrigger, rule_trigger

__all__ = ["TRIGGER_KEY", "RuleTrigger", "assign_by_value", "rule_trigger"]
