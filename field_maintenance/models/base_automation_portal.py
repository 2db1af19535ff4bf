"""Automation-rule presets of customer self-service: a visit booked (or moved) online by
the customer, and a service requested on the portal or the public form. Declared as the
other presets (base_automation.py): a preset fills the native fields of the rule."""

from odoo import fields, models

from .base_automation import FM_PRESETS, WORK_ORDER

FM_PRESETS.update(
    {
        "wo_booked_online": {
            "model": WORK_ORDER,
            "trigger": "on_create_or_write",
            "trigger_fields": ["booked_on"],
            "domain": "[('booked_on', '!=', False)]",
        },
        "wo_service_requested": {
            "model": WORK_ORDER,
            "trigger": "on_create",
            "domain": "[('self_service_origin', 'in', ['portal_request', 'public_request'])]",
        },
    }
)


class BaseAutomation(models.Model):
    _inherit = "base.automation"  # pylint: disable=consider-merging-classes-inherited

    fm_trigger = fields.Selection(
        selection_add=[
            ("wo_booked_online", "Visit booked or moved online by the customer"),
            ("wo_service_requested", "Service requested by a customer (portal or web form)"),
        ],
        ondelete={"wo_booked_online": "set null", "wo_service_requested": "set null"},
    )
