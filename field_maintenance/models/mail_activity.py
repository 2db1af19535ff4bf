from odoo import fields, models

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
