"""Field-service action types for server actions and automation rules.

Every type runs batched in ``_run_action_<state>_multi``: automation rules
(see base_automation.py) call it once with all the records of a trigger.
Actions of automation rules run as superuser; the runners only act on the
records the triggering user may read (notifications, tasks) or write
(changes to the work order), see ``_fm_records``.
"""

import logging
from datetime import timedelta

from dateutil.relativedelta import relativedelta
from markupsafe import Markup

from odoo import SUPERUSER_ID, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import email_split

from odoo.addons.base.models.ir_actions import ServerActionWithWarningsError

from ..tools import rule_trigger
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
# work-order methods called by the invoicing types
FM_METHODS = {
    "fm_invoice": "action_create_invoices",
    "fm_price_agreements": "action_apply_price_agreements",
    "fm_travel_costs": "action_compute_travel_costs",
}


class IrActionsServer(models.Model):
    _inherit = "ir.actions.server"

    # never required=True here: ir.cron inherits this table
    state = fields.Selection(
        selection_add=[
            ("fm_task", "Create Task"),
            ("fm_email", "Send E-mail (delay, extra address)"),
            ("fm_sms", "Send SMS (extra number)"),
            ("fm_follow_up", "Create Follow-up Work Order"),
            ("fm_invoice", "Generate Invoice"),
            ("fm_price_agreements", "Apply Price Agreements"),
            ("fm_travel_costs", "Compute Travel Costs"),
            ("fm_add_material", "Add Material"),
            ("fm_sync", "Sync to External System"),
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

    # ------------------------------------------------------------------
    # Editor: names, allowed types, warnings
    # ------------------------------------------------------------------

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

    def _fm_method_problems(self):
        if not hasattr(self.env[WORK_ORDER], FM_METHODS[self.state]):
            return [self.env._("This action is not available in this database.")]
        return []

    _fm_invoice_problems = _fm_method_problems
    _fm_price_agreements_problems = _fm_method_problems
    _fm_travel_costs_problems = _fm_method_problems

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

    def _fm_resolve_user(self, record, user_type, user, path):
        if user_type == "specific":
            return user
        if user_type == "generic" and path:
            value = record
            for name in path.split("."):
                value = value[name]
            return value[:1]
        return self.env["res.users"]

    def _run_action_fm_task_multi(self, eval_context=None):
        records = self._fm_records(eval_context, "read")
        if not records or self._is_recompute():
            return False
        now = self._fm_now()
        today = fields.Date.context_today(self, now)
        activity_type = self.fm_activity_type_id or self.env.ref(
            "mail.mail_activity_data_todo", raise_if_not_found=False
        )
        model_id = self.env["ir.model"]._get_id(records._name)
        date_field = self.fm_task_date_field_id.name
        delta = relativedelta(
            **{self.fm_task_deadline_range_type or "days": self.fm_task_deadline_range}
        )
        vals_list = []
        for record in records:
            assignee = self._fm_resolve_user(
                record, self.fm_task_user_type, self.fm_task_user_id, self.fm_task_user_field
            )
            responsible = self._fm_resolve_user(
                record,
                self.fm_task_responsible_type,
                self.fm_task_responsible_id,
                self.fm_task_responsible_field,
            )
            base = today
            if date_field and record[date_field]:
                base = fields.Date.context_today(
                    self, fields.Datetime.to_datetime(record[date_field])
                )
            vals_list.append(
                {
                    "res_model_id": model_id,
                    "res_id": record.id,
                    "activity_type_id": activity_type.id,
                    "summary": self.fm_task_title or activity_type.summary or False,
                    "note": self.fm_task_note,
                    "user_id": (assignee or responsible or self.env.user).id,
                    "fm_responsible_user_id": responsible.id,
                    "fm_priority": self.fm_task_priority or "0",
                    "fm_date_started": now if self.fm_task_started else False,
                    "date_deadline": base + delta,
                    "automated": True,
                }
            )
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
            self.env["field.scheduled.mail"]._fm_schedule(
                self, records, self._fm_now() + timedelta(minutes=self.fm_mail_delay)
            )
            return False
        context = dict(self.env.context)
        context.pop("default_type", None)
        context.pop("default_parent_id", None)
        self.env["field.scheduled.mail"]._fm_send_mails(
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

    def _run_action_fm_follow_up_multi(self, eval_context=None):
        origins = self._fm_records(eval_context, "write")
        if not origins:
            return False
        default = {"origin_work_order_id": False}
        if not self.fm_follow_up_copy_lines:
            default["line_ids"] = []
        vals_list = origins.copy_data(default=default)
        ruled = set(self.fm_follow_up_field_ids.field_id.mapped("name"))
        for origin, vals in zip(origins, vals_list, strict=True):
            # a fresh checklist from the work type, not the results of the origin
            vals.pop("checklist_ids", None)
            self.fm_follow_up_field_ids._apply(origin, vals)
            if "technician_ids" in ruled and "user_id" not in ruled:
                # the lead technician follows the technicians set by the rules
                vals.pop("user_id", None)
            vals["origin_work_order_id"] = origin.id
        self.env[WORK_ORDER].create(vals_list)
        return False

    def _fm_run_work_order_method(self, eval_context):
        orders = self._fm_records(eval_context, "write")
        if orders:
            method = FM_METHODS[self.state]
            if not hasattr(orders, method):
                raise UserError(
                    self.env._("The action %s is not available in this database.", self.name)
                )
            getattr(orders, method)()
        return False

    def _fm_invoice_as_company(self):
        """Whether the invoices are created for the company, whatever the invoicing
        rights of the user: when an automation rule runs the action (e.g. on a work order
        a technician reports complete; the rule only invoices the work orders that user
        may edit, see _fm_records). Run by hand, the action needs the user's rights."""
        self.ensure_one()
        return bool(self.base_automation_id and rule_trigger(self.env.context))

    def _run_action_fm_invoice_multi(self, eval_context=None):
        orders = self._fm_records(eval_context, "write")
        if orders and hasattr(orders, "_create_invoices"):
            as_company = self._fm_invoice_as_company()
            if not as_company:
                # run by hand (run() is always sudo): with the user's invoicing rights
                orders = orders.with_env(self.env(su=False))
            # leave out the work orders that cannot be invoiced (not done, nothing to
            # invoice) instead of refusing them all
            invoices = orders._create_invoices(skip_refused=True)
            if as_company and invoices:
                self._fm_log_rule_invoices(invoices)
            return False
        return self._fm_run_work_order_method(eval_context)

    def _fm_log_rule_invoices(self, invoices):
        """Name the rule and the user who triggered it on the invoices it created for the
        company, and on their work orders."""
        self.ensure_one()
        rule = self.base_automation_id.name or self.name
        user = self.env["res.users"].browse(rule_trigger(self.env.context).uid).name or ""
        invoices._message_log_batch(
            bodies={
                invoice.id: self.env._(
                    "Created by automation rule %(rule)s, triggered by %(user)s. Automation "
                    "rules create invoices for the company, whatever the invoicing rights of "
                    "the user who triggers them.",
                    rule=rule,
                    user=user,
                )
                for invoice in invoices
            }
        )
        orders = invoices.fm_work_order_ids
        orders._message_log_batch(
            bodies={
                order.id: self.env._(
                    "Invoiced by automation rule %(rule)s, triggered by %(user)s: %(invoices)s.",
                    rule=rule,
                    user=user,
                    invoices=Markup(", ").join(
                        invoice._get_html_link() for invoice in order.invoice_ids & invoices
                    ),
                )
                for order in orders
            }
        )

    def _run_action_fm_price_agreements_multi(self, eval_context=None):
        return self._fm_run_work_order_method(eval_context)

    def _run_action_fm_travel_costs_multi(self, eval_context=None):
        orders = self._fm_records(eval_context, "write")
        # cancelled work orders get no travel costs (the method refuses them)
        orders = orders.filtered(lambda order: order.state != "cancelled")
        if orders:
            orders.action_compute_travel_costs()
        return False

    def _run_action_fm_add_material_multi(self, eval_context=None):
        orders = self._fm_records(eval_context, "write")
        if not orders:
            return False
        Line = self.env["field.work.order.line"]
        product = self.fm_material_product_id
        quantity = self.fm_material_quantity
        # what each line would compute from its product (description, unit, price from
        # the customer's price agreements), given for all the lines at once: the ORM then
        # creates them without drafting each one to compute these
        values = {
            "line_type": "material",
            "product_id": product.id,
            "quantity": quantity,
            "name": Line._fm_product_description(product),
            "product_uom_id": product.uom_id.id,
        }
        if self.fm_material_use_price:
            prices = [self.fm_material_price] * len(orders)
        else:
            now = fields.Datetime.now()
            prices = Line._fm_prices(
                [
                    order._fm_price_request(product, quantity, product.uom_id, now)
                    for order in orders
                ]
            )
        Line._fm_create_batch(
            [
                dict(values, work_order_id=order.id, price_unit=price)
                for order, price in zip(orders, prices, strict=True)
            ]
        )
        return False

    def _run_action_fm_sync_multi(self, eval_context=None):
        orders = self._fm_records(eval_context, "read")
        if orders:
            self.env["field.sync.message"]._fm_enqueue(
                orders,
                self.fm_sync_endpoint_id,
                event=self.base_automation_id.fm_trigger or "sync",
            )
        return False
