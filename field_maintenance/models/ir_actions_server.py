"""Field-service action types for server actions and automation rules: their fields,
their checks in the editor, and how they run.

Every type runs batched in ``_run_action_<state>_multi`` (ir_actions_server_notify.py:
task, e-mail, SMS; ir_actions_server_work_order.py: the work-order types). Odoo's
automation rules run their actions record by record: while a field-service rule runs,
``run()`` only notes the records in the rule's batch (tools/rule_run.py, see
base_automation.py), which runs the action once for all of them.
Actions of automation rules run as superuser; the runners only act on the records the
triggering user may read (notifications, tasks) or write (changes to the work order),
see ``_fm_records``.
"""

import logging

from odoo import SUPERUSER_ID, api, fields, models
from odoo.tools import email_split

from odoo.addons.base.models.ir_actions import ServerActionWithWarningsError

from ..tools.rule_run import BATCH_KEY, RuleBatch
from ..tools.rule_trigger import rule_trigger
from .mail_activity import ACTIVITY_PRIORITIES

_logger = logging.getLogger(__name__)

WORK_ORDER = "field.work.order"

# types for any model with a chatter, and types for work orders only
FM_THREAD_STATES = ("fm_task", "fm_email", "fm_sms")
FM_WORK_ORDER_STATES = (
    "fm_follow_up",
    "fm_invoice",
    "fm_price_agreements",
    "fm_travel_costs",
    "fm_add_material",
    "fm_sync",
)
FM_STATES = FM_THREAD_STATES + FM_WORK_ORDER_STATES


class IrActionsServer(models.Model):
    _inherit = "ir.actions.server"

    # never required=True here: ir.cron inherits this table
    state = fields.Selection(
        selection_add=[
            # "Field Service" tells them apart from Odoo's own types in the picker
            ("fm_task", "Field Service: Task (assignee, priority)"),
            ("fm_email", "Field Service: E-mail (delay, extra address)"),
            ("fm_sms", "Field Service: SMS (extra number)"),
            ("fm_follow_up", "Field Service: Follow-up Work Order"),
            ("fm_invoice", "Field Service: Invoice"),
            ("fm_price_agreements", "Field Service: Apply Price Agreements"),
            ("fm_travel_costs", "Field Service: Travel Costs"),
            ("fm_add_material", "Field Service: Add Material"),
            ("fm_sync", "Field Service: Sync to External System"),
        ],
        ondelete={state: "cascade" for state in FM_STATES},
    )

    # Create a task
    fm_activity_type_id = fields.Many2one(
        "mail.activity.type",
        string="Task Category",
        ondelete="restrict",
        domain="['|', ('res_model', '=', False), ('res_model', '=', model_name)]",
        help="Activity type of the task; the default To-Do type if empty.",
    )
    fm_task_title = fields.Char(string="Task Title")
    fm_task_note = fields.Html(string="Task Description")
    fm_task_priority = fields.Selection(ACTIVITY_PRIORITIES, string="Task Priority", default="0")
    fm_task_user_type = fields.Selection(
        [("specific", "A fixed user"), ("generic", "A user field of the record")],
        string="Assign To",
        default="specific",
    )
    fm_task_user_id = fields.Many2one("res.users", string="Assignee")
    fm_task_user_field = fields.Char(
        string="Assignee Field",
        help="Path to a user field of the record, e.g. user_id for the lead technician.",
    )
    fm_task_responsible_type = fields.Selection(
        [("specific", "A fixed user"), ("generic", "A user field of the record")],
        string="Task Responsible",
        help="Who answers for the task. Leave empty for nobody in particular.",
    )
    fm_task_responsible_id = fields.Many2one("res.users", string="Task Responsible User")
    fm_task_responsible_field = fields.Char(
        string="Responsible Field",
        help="Path to a user field of the record, e.g. create_uid.",
    )
    fm_task_deadline_range = fields.Integer(string="Due In")
    fm_task_deadline_range_type = fields.Selection(
        [("days", "Days"), ("weeks", "Weeks"), ("months", "Months")],
        string="Due In Unit",
        default="days",
    )
    fm_task_date_field_id = fields.Many2one(
        "ir.model.fields",
        string="Due After",
        ondelete="set null",
        domain="[('model_id', '=', model_id), ('ttype', 'in', ('date', 'datetime'))]",
        help="Date of the record the due date counts from. Leave empty to count from the "
        "moment the rule runs.",
    )
    fm_task_started = fields.Boolean(
        string="Start the Task",
        help="Create the task as started (Started On is the moment the rule runs).",
    )
    fm_task_notify = fields.Boolean(
        string="Notify the Assignee",
        help="Send the usual assignment e-mail to the assignee.",
    )

    # Send an e-mail
    fm_mail_template_id = fields.Many2one(
        "mail.template",
        string="E-mail Template",
        ondelete="set null",
        domain="[('model_id', '=', model_id)]",
    )
    fm_mail_extra_email = fields.Char(
        string="Extra Recipients",
        help="E-mail addresses that receive the e-mail besides the recipients of the "
        "template, separated by commas.",
    )
    fm_mail_delay = fields.Integer(
        string="Delay (minutes)",
        help="The e-mails are written and sent this many minutes after the rule runs, "
        "with the records as they are then.",
    )

    # Send an SMS
    fm_sms_template_id = fields.Many2one(
        "sms.template",
        string="SMS Template to Send",
        ondelete="set null",
        domain="[('model_id', '=', model_id)]",
    )
    fm_sms_extra_number = fields.Char(
        string="Extra Phone Number",
        help="Phone number that receives the SMS besides the recipient of the record.",
    )

    # Create a follow-up work order
    fm_follow_up_field_ids = fields.One2many(
        "field.follow.up.field",
        "action_id",
        string="Follow-up Fields",
        copy=True,
    )
    fm_follow_up_copy_lines = fields.Boolean(
        string="Copy Lines",
        help="Copy the material, labour and travel lines of the origin work order.",
    )

    # Add material
    fm_material_product_id = fields.Many2one(
        "product.product", string="Material", ondelete="set null"
    )
    fm_material_quantity = fields.Float(
        string="Material Quantity", default=1.0, digits="Product Unit"
    )
    fm_material_use_price = fields.Boolean(
        string="Set the Unit Price",
        help="Use the price below instead of the product's sales price.",
    )
    fm_material_price = fields.Float(string="Material Unit Price", digits="Product Price")

    # Sync to an external system (outbox: see field.sync.message)
    fm_sync_endpoint_id = fields.Many2one(
        "field.sync.endpoint",
        string="Sync Endpoint",
        ondelete="set null",
        help="External system that receives the work orders. Messages are queued in the "
        "outbox and sent after the transaction, with retries.",
    )

    fm_summary = fields.Char(
        string="Summary",
        compute="_compute_fm_summary",
        help="What the field-service action does, in one line.",
    )

    # ------------------------------------------------------------------
    # Editor: names, allowed types, warnings
    # ------------------------------------------------------------------

    @api.depends(
        "state",
        "fm_mail_delay",
        "fm_mail_extra_email",
        "fm_sms_extra_number",
        "fm_task_user_type",
        "fm_task_user_id",
        "fm_task_user_field",
        "fm_task_deadline_range",
        "fm_task_deadline_range_type",
        "fm_material_quantity",
        "fm_sync_endpoint_id",
    )
    def _compute_fm_summary(self):
        for action in self:
            parts = []
            if action.state == "fm_email":
                parts.append(
                    self.env._("after %s min", action.fm_mail_delay)
                    if action.fm_mail_delay > 0
                    else self.env._("at once")
                )
                if action.fm_mail_extra_email:
                    parts.append("+ " + ", ".join(email_split(action.fm_mail_extra_email)))
            elif action.state == "fm_sms" and action.fm_sms_extra_number:
                parts.append("+ " + action.fm_sms_extra_number)
            elif action.state == "fm_task":
                if action.fm_task_user_type == "specific" and action.fm_task_user_id:
                    parts.append(self.env._("for %s", action.fm_task_user_id.name))
                elif action.fm_task_user_type == "generic" and action.fm_task_user_field:
                    parts.append(self.env._("for the record's %s", action.fm_task_user_field))
                if action.fm_task_deadline_range:
                    units = dict(
                        action._fields["fm_task_deadline_range_type"]._description_selection(
                            self.env
                        )
                    )
                    parts.append(
                        self.env._(
                            "due in %(number)s %(unit)s",
                            number=action.fm_task_deadline_range,
                            unit=(units.get(action.fm_task_deadline_range_type) or "").lower(),
                        )
                    )
            elif action.state == "fm_add_material":
                parts.append(self.env._("quantity %s", action.fm_material_quantity))
            elif action.state == "fm_sync" and action.fm_sync_endpoint_id:
                parts.append(self.env._("to %s", action.fm_sync_endpoint_id.display_name))
            action.fm_summary = ", ".join(parts)

    def _name_depends(self):
        return [
            *super()._name_depends(),
            "fm_mail_template_id",
            "fm_sms_template_id",
            "fm_task_title",
            "fm_material_product_id",
        ]

    def _generate_action_name(self):
        self.ensure_one()
        if self.state == "fm_email" and self.fm_mail_template_id:
            return self.env._("E-mail: %s", self.fm_mail_template_id.name)
        if self.state == "fm_sms" and self.fm_sms_template_id:
            return self.env._("SMS: %s", self.fm_sms_template_id.name)
        if self.state == "fm_task" and self.fm_task_title:
            return self.env._("Task: %s", self.fm_task_title)
        if self.state == "fm_add_material" and self.fm_material_product_id:
            return self.env._("Add %s", self.fm_material_product_id.display_name)
        return super()._generate_action_name()

    @api.depends("model_id", "usage")
    def _compute_allowed_states(self):
        result = super()._compute_allowed_states()
        for action in self:
            model = action.model_id
            hidden = set()
            if model and model.model != WORK_ORDER:
                hidden.update(FM_WORK_ORDER_STATES)
            if model and (not model.is_mail_thread or model.transient):
                hidden.update(FM_THREAD_STATES)
            if hidden:
                action.allowed_states = [s for s in action.allowed_states if s not in hidden]
        return result

    @api.model
    def _warning_depends(self):
        return [
            *super()._warning_depends(),
            "fm_activity_type_id",
            "fm_task_user_type",
            "fm_task_user_id",
            "fm_task_user_field",
            "fm_task_responsible_type",
            "fm_task_responsible_id",
            "fm_task_responsible_field",
            "fm_task_deadline_range",
            "fm_mail_template_id",
            "fm_mail_extra_email",
            "fm_mail_delay",
            "fm_sms_template_id",
            "fm_sms_extra_number",
            "fm_follow_up_field_ids",
            "fm_follow_up_field_ids.operation",
            "fm_follow_up_field_ids.value",
            "fm_follow_up_field_ids.boolean_value",
            "fm_follow_up_field_ids.selection_value_id",
            "fm_follow_up_field_ids.resource_ref",
            "fm_material_product_id",
            "fm_material_quantity",
            "fm_sync_endpoint_id",
        ]

    def _get_warning_messages(self):
        warnings = super()._get_warning_messages()
        if self.state in FM_STATES:
            warnings += self._fm_configuration_problems()
        return warnings

    def _fm_configuration_problems(self):
        """Translated sentences saying what is missing or wrong in the
        configuration of a field-service action."""
        self.ensure_one()
        problems = []
        model = self.model_id
        if not model:
            return problems
        if self.state in FM_WORK_ORDER_STATES and model.model != WORK_ORDER:
            problems.append(self.env._("This action can only run on work orders."))
            return problems
        if self.state in FM_THREAD_STATES and (not model.is_mail_thread or model.transient):
            problems.append(self.env._("This action can only run on records with a chatter."))
            return problems
        checker = getattr(self, f"_{self.state}_problems", None)
        if checker:
            problems += checker()
        return problems

    def _fm_email_problems(self):
        problems = []
        if not self.fm_mail_template_id:
            problems.append(self.env._("Choose the e-mail template to send."))
        elif self.fm_mail_template_id.model_id != self.model_id:
            problems.append(
                self.env._("The e-mail template is not a template for %s.", self.model_id.name)
            )
        if self.fm_mail_extra_email and not email_split(self.fm_mail_extra_email):
            problems.append(
                self.env._("%s is not a valid e-mail address.", self.fm_mail_extra_email)
            )
        if self.fm_mail_delay < 0:
            problems.append(self.env._("The delay of the e-mail cannot be negative."))
        return problems

    def _fm_sms_problems(self):
        if not self.fm_sms_template_id:
            return [self.env._("Choose the SMS template to send.")]
        if self.fm_sms_template_id.model_id != self.model_id:
            return [self.env._("The SMS template is not a template for %s.", self.model_id.name)]
        return []

    def _fm_follow_up_problems(self):
        return [problem for rule in self.fm_follow_up_field_ids if (problem := rule._problem())]

    def _fm_add_material_problems(self):
        problems = []
        if not self.fm_material_product_id:
            problems.append(self.env._("Choose the material to add."))
        if self.fm_material_quantity <= 0:
            problems.append(self.env._("The quantity of material to add must be positive."))
        return problems

    def _fm_sync_problems(self):
        if not self.fm_sync_endpoint_id:
            return [self.env._("Choose the endpoint to sync to.")]
        return []

    def _fm_task_problems(self):
        problems = []
        if self.fm_task_user_type == "specific" and not self.fm_task_user_id:
            problems.append(self.env._("Choose the user the task is assigned to."))
        if self.fm_task_user_type == "generic":
            if not self.fm_task_user_field:
                problems.append(self.env._("Choose the user field the task is assigned to."))
            elif not self._fm_user_path_valid(self.fm_task_user_field):
                problems.append(
                    self.env._("%s is not a user field of this model.", self.fm_task_user_field)
                )
        if self.fm_task_responsible_type == "specific" and not self.fm_task_responsible_id:
            problems.append(self.env._("Choose the user responsible for the task."))
        if self.fm_task_responsible_type == "generic" and not self._fm_user_path_valid(
            self.fm_task_responsible_field
        ):
            problems.append(
                self.env._(
                    "%s is not a user field of this model.",
                    self.fm_task_responsible_field or "",
                )
            )
        if self.fm_task_deadline_range < 0:
            problems.append(self.env._("The due date of the task cannot be in the past."))
        return problems

    def _fm_user_path_valid(self, path):
        """Whether ``path`` (e.g. ``user_id`` or ``partner_id.user_id``) leads
        from the action's model to users."""
        if not path or not self.model_id:
            return False
        Model = self.env[self.model_id.model]
        for name in path.split("."):
            field = Model._fields.get(name)
            if not field or not field.relational:
                return False
            Model = self.env[field.comodel_name]
        return Model._name == "res.users"

    # ------------------------------------------------------------------
    # CRUD: the model patches of the rules depend on the types of their actions
    # ------------------------------------------------------------------

    @api.model_create_multi
    def create(self, vals_list):
        rules = self.env["base.automation"].browse(
            {vals["base_automation_id"] for vals in vals_list if vals.get("base_automation_id")}
        )
        before = rules._fm_patch_keys()
        actions = super().create(vals_list)
        rules._fm_update_patches(before)
        return actions

    def write(self, vals):
        if not {"state", "base_automation_id"} & vals.keys():
            return super().write(vals)
        rules = self.base_automation_id | self.env["base.automation"].browse(
            vals.get("base_automation_id") or ()
        )
        before = rules._fm_patch_keys()
        result = super().write(vals)
        rules._fm_update_patches(before)
        return result

    def unlink(self):
        rules = self.base_automation_id
        before = rules._fm_patch_keys()
        result = super().unlink()
        rules._fm_update_patches(before)
        return result

    # ------------------------------------------------------------------
    # Running
    # ------------------------------------------------------------------

    def run(self):
        """While a field-service automation rule runs (record by record), its actions of
        the field-service types note the record in the rule's batch: they run once for
        all the records (see RuleBatch)."""
        batch = self.env.context.get(BATCH_KEY)  # for every record: kept short
        if isinstance(batch, RuleBatch) and batch.defer(self):
            return False
        return super().run()

    def _run(self, records, eval_context):
        """Refuse to run an incomplete field-service action, with a message
        that says what is missing."""
        if self.state in FM_STATES and self.warning:
            raise ServerActionWithWarningsError(
                self.env._(
                    "The action %(action)s cannot run because its configuration is "
                    "incomplete:\n%(problems)s",
                    action=self.name,
                    problems=self.warning,
                )
            )
        return super()._run(records, eval_context)

    # ------------------------------------------------------------------
    # Runners
    # ------------------------------------------------------------------

    def _fm_is_batched(self):
        """Whether automation rules run this action once for all records."""
        self.ensure_one()
        return self.state in FM_STATES

    def _fm_records(self, eval_context, operation="write"):
        """The records to act on, in the action's (superuser) environment.

        When an automation rule runs the action for a user who is not
        superuser, keep only the records this user may ``operation``: an
        action never does as superuser what the triggering user could not
        ask for, and the user never gets an access error from a rule.
        Manual runs are checked by ``run()`` already."""
        records = eval_context.get("records") or eval_context.get("record")
        if not records:
            return self.env[self.model_id.model]
        records = records.with_env(self.env)
        trigger = rule_trigger(self.env.context)
        if trigger is None or trigger.su or trigger.uid == SUPERUSER_ID:
            return records
        uid = trigger.uid
        allowed = records.with_user(uid)._filtered_access(operation)
        if len(allowed) != len(records):
            _logger.warning(
                "Action %s (#%s) skipped %s: user #%s may not %s them.",
                self.name,
                self.id,
                records - allowed,
                uid,
                operation,
            )
        return records.browse(allowed.ids)

    @api.model
    def _fm_now(self):
        return fields.Datetime.now()
