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

    @classmethod
    def _mail_template(cls, subject="{{ object.name }} is done"):
        """An e-mail template of work orders to their customer, from the office."""
        return cls.env["mail.template"].create(
            {
                "name": "Work order done",
                "model_id": cls.env["ir.model"]._get_id("field.work.order"),
                "subject": subject,
                "body_html": "<p>Your work order <t t-out='object.name'/> is done.</p>",
                "partner_to": "{{ object.partner_id.id }}",
                "email_from": "office@field.example.com",
                "use_default_to": False,
            }
        )

    def _mail_rule(self, delay=30, **action):
        """A rule that e-mails ``self.mail_template`` ``delay`` minutes after a work order
        is reported complete."""
        return self._rule(
            "wo_completed",
            [
                {
                    "state": "fm_email",
                    "fm_mail_template_id": self.mail_template.id,
                    "fm_mail_delay": delay,
                    **action,
                }
            ],
        )

    @staticmethod
    def _tasks(records, title):
        return records.activity_ids.filtered(lambda activity: activity.summary == title)


class AutomationCase(AutomationMixin, FieldMaintenanceCase):
    pass
