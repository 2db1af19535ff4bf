from odoo import Command

from .common import FieldMaintenanceCase


class AutomationMixin:
    """Create automation rules (and their actions) the way the editor does,
    removed again after each test (rules patch the model classes)."""

    def _rule(self, fm_trigger, actions=(), **vals):
        rule = self.env["base.automation"].create(
            {"name": f"Rule {fm_trigger}", "fm_trigger": fm_trigger, **vals}
        )
        action_records = self.env["ir.actions.server"].create(
            [
                {
                    "name": f"Action {index}",
                    "base_automation_id": rule.id,
                    "model_id": rule.model_id.id,
                    "usage": "base_automation",
                    "sequence": index,
                    **action,
                }
                for index, action in enumerate(actions)
            ]
        )
        action_records.flush_recordset()
        rule.write({"action_server_ids": [Command.set(action_records.ids)]})
        self.addCleanup(rule.unlink)
        return rule

    def _task_action(self, title, **vals):
        return {
            "state": "fm_task",
            "fm_task_title": title,
            "fm_task_user_type": "specific",
            "fm_task_user_id": self.manager.id,
            **vals,
        }

    @staticmethod
    def _tasks(records, title):
        return records.activity_ids.filtered(lambda activity: activity.summary == title)


class AutomationCase(AutomationMixin, FieldMaintenanceCase):
    pass
