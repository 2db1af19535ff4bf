"""Runners of the notification types of actions: a task, an e-mail, an SMS.

They run for any model with a chatter, batched (see ir_actions_server.py): a task per
record in one creation, the e-mails of all the records scheduled in one row or sent at
once, the SMS of all the records in one composer.
"""

from datetime import timedelta

from dateutil.relativedelta import relativedelta

from odoo import api, fields, models


class IrActionsServer(models.Model):
    _inherit = "ir.actions.server"  # pylint: disable=consider-merging-classes-inherited

    @api.model
    def _fm_user_ids(self, records, user_type, user, path):
        """The id of a user for each of ``records`` (False: none): ``user`` (specific), or
        the first user the field path ``path`` leads to from the record (generic)."""
        if user_type == "specific":
            return [user.id] * len(records)
        if user_type != "generic" or not path:
            return [False] * len(records)
        names = path.split(".")
        user_ids = []
        for record in records:
            value = record
            for name in names:
                value = value[name]
            user_ids.append(value._ids[0] if value._ids else False)
        return user_ids

    def _fm_task_deadlines(self, records, now):
        """The due date of the task of each of ``records``."""
        delta = relativedelta(
            **{self.fm_task_deadline_range_type or "days": self.fm_task_deadline_range}
        )
        date_field = self.fm_task_date_field_id.name
        deadlines = {}  # moment the task counts from: due date (most records share it)

        def deadline(moment):
            if moment not in deadlines:
                base = fields.Date.context_today(self, fields.Datetime.to_datetime(moment))
                deadlines[moment] = base + delta
            return deadlines[moment]

        if not date_field:
            return [deadline(now)] * len(records)
        return [deadline(record[date_field] or now) for record in records]

    def _run_action_fm_task_multi(self, eval_context=None):
        records = self._fm_records(eval_context, "read")
        if not records or self._is_recompute():
            return False
        now = self._fm_now()
        activity_type = self.fm_activity_type_id or self.env.ref(
            "mail.mail_activity_data_todo", raise_if_not_found=False
        )
        common = {
            "res_model_id": self.env["ir.model"]._get_id(records._name),
            "activity_type_id": activity_type.id,
            "summary": self.fm_task_title or activity_type.summary or False,
            "note": self.fm_task_note,
            "fm_priority": self.fm_task_priority or "0",
            "fm_date_started": now if self.fm_task_started else False,
            "automated": True,
        }
        assignees = self._fm_user_ids(
            records, self.fm_task_user_type, self.fm_task_user_id, self.fm_task_user_field
        )
        responsibles = self._fm_user_ids(
            records,
            self.fm_task_responsible_type,
            self.fm_task_responsible_id,
            self.fm_task_responsible_field,
        )
        vals_list = [
            {
                **common,
                "res_id": res_id,
                "user_id": assignee or responsible or self.env.uid,
                "fm_responsible_user_id": responsible,
                "date_deadline": deadline,
            }
            for res_id, assignee, responsible, deadline in zip(
                records._ids,
                assignees,
                responsibles,
                self._fm_task_deadlines(records, now),
                strict=True,
            )
        ]
        Activity = self.env["mail.activity"]
        if not self.fm_task_notify:
            Activity = Activity.with_context(mail_activity_quick_update=True)
        Activity._fm_create_batch(vals_list)
        return False

    def _run_action_fm_email_multi(self, eval_context=None):
        records = self._fm_records(eval_context, "read")
        if not records or self._is_recompute():
            return False
        if self.fm_mail_delay > 0:
            # written when they are due, with the records as they are then: one row now
            # instead of one rendered e-mail per record (see field.scheduled.mail)
            self.env["field.scheduled.mail"]._schedule(
                self, records, self._fm_now() + timedelta(minutes=self.fm_mail_delay)
            )
            return False
        context = dict(self.env.context)
        context.pop("default_type", None)
        context.pop("default_parent_id", None)
        self.env["field.scheduled.mail"]._send_mails(
            self.fm_mail_template_id.with_env(self.env(context=context)),
            records,
            self.fm_mail_extra_email,
        )
        return False

    def _run_action_fm_sms_multi(self, eval_context=None):
        records = self._fm_records(eval_context, "read")
        if not records or self._is_recompute():
            return False
        template = self.fm_sms_template_id
        composer = (
            self.env["sms.composer"]
            .with_context(
                default_res_model=records._name,
                default_res_ids=records.ids,
                default_composition_mode="mass",
                default_template_id=template.id,
                default_mass_keep_log=True,
            )
            .create({})
        )
        sms = composer._action_send_sms()
        extra = (self.fm_sms_extra_number or "").strip()
        if extra:
            number = records[:1]._phone_format(number=extra) or extra
            bodies = template._render_field("body", records.ids, compute_lang=True)
            sms |= self.env["sms.sms"].create(
                [
                    {
                        "body": bodies[record.id],
                        "number": number,
                        "state": "outgoing",
                    }
                    for record in records
                ]
            )
        cron = self.env.ref("sms.ir_cron_sms_scheduler_action", raise_if_not_found=False)
        if cron and sms:
            # sudo: waking Odoo's SMS queue now; users cannot choose what it runs
            cron.sudo()._trigger()
        return False
