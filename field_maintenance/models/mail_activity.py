from odoo import api, fields, models

# computed fields of the tasks that _fm_create_batch() gives
PRECOMPUTED = ("res_name", "user_tz", "date_done")

ACTIVITY_PRIORITIES = [
    ("0", "Normal"),
    ("1", "Important"),
    ("2", "Urgent"),
]


class MailActivity(models.Model):
    """Tasks created by automation rules (action type "Create a task").

    ``mail.activity`` has no priority, no responsible distinct from the
    assignee and no notion of a started task: the three fields below add them
    without changing how activities behave elsewhere.
    """

    _inherit = "mail.activity"

    fm_priority = fields.Selection(
        ACTIVITY_PRIORITIES,
        string="Priority",
        default="0",
        help="Priority given by the automation rule that created this task.",
    )
    fm_responsible_user_id = fields.Many2one(
        "res.users",
        string="Responsible",
        index="btree_not_null",
        help="Who answers for this task; the assignee (Assigned to) does the work.",
    )
    fm_date_started = fields.Datetime(
        string="Started On",
        help="Set when the task was created as already started.",
    )

    @api.model
    def _fm_create_batch(self, vals_list):
        """Create active tasks for many records at once (rules, SLA escalations):
        ``create()``, with the values the ORM would otherwise compute record by record
        given up front. The model name (``res_model``: Odoo computes it on a draft record
        per task), the document name, the assignee's time zone and the done date are what
        their computations give; they are written with the tasks instead of updated
        after. Each of ``vals_list`` gives ``res_model_id`` and ``res_id``."""
        models_by_id = self._fm_model_names(vals_list)
        names = {}
        for model_name in set(models_by_id.values()):
            res_ids = {
                vals["res_id"]
                for vals in vals_list
                if models_by_id[vals["res_model_id"]] == model_name
            }
            # sudo: the names of the records the rule's tasks are for, which the rule's
            # action (run as superuser by base.automation) already reads
            records = self.env[model_name].sudo().browse(res_ids)
            names.update(
                zip(
                    ((model_name, id_) for id_ in records._ids),
                    records.mapped("display_name"),
                    strict=True,
                )
            )
        user_ids = {vals["user_id"] for vals in vals_list if vals.get("user_id")}
        # sudo: only the time zone of the assignees, which mail.activity computes the same way
        tz_by_user = {user.id: user.tz for user in self.env["res.users"].sudo().browse(user_ids)}
        activities = self.with_context(fm_precomputed_res_model=True).create(
            [
                {
                    **vals,
                    "active": True,
                    "res_name": names[models_by_id[vals["res_model_id"]], vals["res_id"]],
                    "user_tz": tz_by_user.get(vals.get("user_id"), False),
                    "date_done": False,  # active tasks
                }
                for vals in vals_list
            ]
        )
        # the given values are the computed ones: no second computation, no update
        for fname in PRECOMPUTED:
            self.env.remove_to_compute(self._fields[fname], activities)
        return activities.with_env(self.env)

    def _add_precomputed_values(self, vals_list):
        # the model name of _fm_create_batch(), from the model (cached) instead of a
        # draft record per task; the ORM drops given values of read-only precomputed
        # fields before this point
        if self.env.context.get("fm_precomputed_res_model"):
            todo = [vals for vals in vals_list if vals.get("res_model_id")]
            names = self._fm_model_names(todo)
            for vals in todo:
                vals.setdefault("res_model", names[vals["res_model_id"]])
        return super()._add_precomputed_values(vals_list)

    @api.model
    def _fm_model_names(self, vals_list):
        """``{res_model_id: model name}`` of the tasks to create (cached by the ORM)."""
        return {
            model.id: model.model
            # sudo: model names only (what res_model of an activity holds anyway)
            for model in self.env["ir.model"]
            .sudo()
            .browse({vals["res_model_id"] for vals in vals_list})
        }
