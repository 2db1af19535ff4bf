"""Who triggered the automation rule that runs."""

from typing import NamedTuple

# context key of the RuleTrigger of the automation rule that runs
TRIGGER_KEY = "fm_rule_trigger"


class RuleTrigger(NamedTuple):
    """Who triggered the automation rule that runs: set in the context by the rule engine
    (base.automation._process) only. A context sent over JSON-RPC holds JSON values (a
    list, never a tuple, let alone this class), so no user can forge it: what a rule does
    beyond the user's own rights (invoices for the company, e-mails written as the
    triggering user) trusts only an instance of this class, read by rule_trigger()."""

    uid: int
    su: bool


def rule_trigger(context):
    """The RuleTrigger of the running automation rule, or None (no rule runs, or a
    context that only pretends)."""
    trigger = context.get(TRIGGER_KEY)
    return trigger if isinstance(trigger, RuleTrigger) else None
