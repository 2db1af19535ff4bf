"""The editor of field-service actions: the types offered per model, and the sentences
that say what is missing or wrong in an action before it may run."""

from odoo.tests import Form, tagged

from .test_automation_common import AutomationCase


@tagged("post_install", "-at_install")
class TestActionEditor(AutomationCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Action = cls.env["ir.actions.server"]
        cls.partner_model = cls.env["ir.model"]._get("res.partner")
        cls.tag_model = cls.env["ir.model"]._get("res.partner.category")

    def _action(self, state, model="field.work.order", **vals):
        return self.Action.create(
            {
                "name": f"Test {state}",
                "model_id": self.env["ir.model"]._get_id(model),
                "state": state,
                **vals,
            }
        )

    def test_types_offered_per_model(self):
        """Work-order types only on work orders; task, e-mail and SMS on records with a
        chatter; none of them on other records."""
        on_order = self._action("code", code="pass")
        on_partner = self._action("code", "res.partner", code="pass")
        on_tag = self._action("code", "res.partner.category", code="pass")
        offered = {
            name: set(action.allowed_states)
            for name, action in (("order", on_order), ("partner", on_partner), ("tag", on_tag))
        }
        self.assertTrue({"fm_follow_up", "fm_task", "fm_email", "fm_sync"} <= offered["order"])
        self.assertTrue({"fm_task", "fm_email", "fm_sms"} <= offered["partner"])
        self.assertFalse({"fm_follow_up", "fm_invoice", "fm_sync"} & offered["partner"])
        self.assertFalse({"fm_task", "fm_email", "fm_sms", "fm_follow_up"} & offered["tag"])
        self.assertIn("code", offered["tag"], "Odoo's own types stay")

    def test_wrong_model(self):
        sync = self._action("fm_sync", "res.partner")
        self.assertIn("This action can only run on work orders.", sync.warning)
        task = self._action("fm_task", "res.partner.category", fm_task_title="Call")
        self.assertIn("This action can only run on records with a chatter.", task.warning)
        self.assertNotIn("Choose the user", task.warning, "the model is the one problem")

    def test_email_and_sms_problems(self):
        partner_template = self.env["mail.template"].create(
            {"name": "Contact", "model_id": self.partner_model.id, "subject": "Hello"}
        )
        email = self._action("fm_email", fm_mail_template_id=partner_template.id, fm_mail_delay=-5)
        self.assertIn("The e-mail template is not a template for Work Order.", email.warning)
        self.assertIn("The delay of the e-mail cannot be negative.", email.warning)
        email.write({"fm_mail_template_id": self._mail_template().id, "fm_mail_delay": 0})
        self.assertFalse(email.warning)
        partner_sms = self.env["sms.template"].create(
            {"name": "Contact", "model_id": self.partner_model.id, "body": "Hello"}
        )
        sms = self._action("fm_sms", fm_sms_template_id=partner_sms.id)
        self.assertIn("The SMS template is not a template for Work Order.", sms.warning)

    def test_task_problems(self):
        task = self._action(
            "fm_task",
            fm_task_title="Call the customer",
            fm_task_user_type="specific",
            fm_task_responsible_type="specific",
            fm_task_deadline_range=-1,
        )
        for expected in (
            "Choose the user the task is assigned to.",
            "Choose the user responsible for the task.",
            "The due date of the task cannot be in the past.",
        ):
            self.assertIn(expected, task.warning)
        task.write(
            {
                "fm_task_user_type": "generic",
                "fm_task_user_field": False,
                "fm_task_responsible_type": "generic",
                "fm_task_responsible_field": False,
                "fm_task_deadline_range": 0,
            }
        )
        self.assertIn("Choose the user field the task is assigned to.", task.warning)
        self.assertIn(" is not a user field of this model.", task.warning)
        # a field that is not relational, or does not lead to users
        task.write({"fm_task_user_field": "summary", "fm_task_responsible_field": "partner_id"})
        self.assertIn("summary is not a user field of this model.", task.warning)
        self.assertIn("partner_id is not a user field of this model.", task.warning)
        task.write({"fm_task_user_field": "summary.name"})
        self.assertIn("summary.name is not a user field of this model.", task.warning)
        # paths to users are fine
        task.write(
            {"fm_task_user_field": "user_id", "fm_task_responsible_field": "partner_id.user_id"}
        )
        self.assertFalse(task.warning)

    def test_action_names_follow_the_configuration(self):
        """In the editor, an action without a name of its own is named after what it
        does."""
        template = self._mail_template()
        sms_template = self.env["sms.template"].create(
            {
                "name": "On our way",
                "model_id": self.env["ir.model"]._get_id("field.work.order"),
                "body": "Hello",
            }
        )
        model = self.env["ir.model"]._get("field.work.order")
        for values, name in (
            (
                {"state": "fm_task", "fm_task_title": "Call", "fm_task_user_id": self.manager},
                "Task: Call",
            ),
            ({"state": "fm_email", "fm_mail_template_id": template}, "E-mail: Work order done"),
            ({"state": "fm_sms", "fm_sms_template_id": sms_template}, "SMS: On our way"),
            (
                {"state": "fm_add_material", "fm_material_product_id": self.material},
                "Add Gasket set",
            ),
        ):
            with self.subTest(state=values["state"]), Form(self.Action) as form:
                form.model_id = model
                for field, value in values.items():
                    setattr(form, field, value)
                self.assertEqual(form.name, name)
        with Form(self.Action) as form:
            form.model_id = model
            form.state = "fm_task"
            form.fm_task_title = "Call"
            form.fm_task_user_id = self.manager
            form.name = "My own name"
            form.fm_task_title = "Call again"
            self.assertEqual(form.name, "My own name", "a name of its own is kept")

    def test_removing_the_field_service_action_of_a_rule(self):
        """A rule whose last field-service action is removed runs as Odoo's own rules do
        again; one that gets such an action becomes a field-service rule."""
        rule = self.env["base.automation"].create(
            {
                "name": "Native rule",
                "model_id": self.env["ir.model"]._get_id("field.work.order"),
                "trigger": "on_create",
            }
        )
        self.addCleanup(rule.unlink)
        self.assertFalse(rule._fm_is_field_service())
        action = self.Action.create(
            {
                "name": "Task",
                "base_automation_id": rule.id,
                "model_id": rule.model_id.id,
                "usage": "base_automation",
                **self._task_action("Look at it"),
            }
        )
        self.assertTrue(rule._fm_is_field_service())
        order = self._work_order()
        self.assertEqual(len(self._tasks(order, "Look at it")), 1)
        action.unlink()
        self.assertFalse(rule._fm_is_field_service())
        self.assertFalse(self._tasks(self._work_order(), "Look at it"))

    def test_run_by_hand_without_records(self):
        """An action run by hand without records does nothing."""
        action = self.Action.create(
            {
                "name": "Task",
                "model_id": self.env["ir.model"]._get_id("field.work.order"),
                **self._task_action("Nothing"),
            }
        )
        self.assertFalse(action.with_context(active_model="field.work.order").run())
        self.assertFalse(self.env["mail.activity"].search([("summary", "=", "Nothing")]))

    def test_summary_of_each_action(self):
        """The list of a rule's actions says in a few words what each one does."""
        endpoint = self.env["field.sync.endpoint"].create(
            {"name": "Head-office ERP", "url": "https://erp.example.com/api"}
        )
        template = self._mail_template()
        summaries = {
            state_label: self._action(state, **vals).fm_summary
            for state_label, state, vals in (
                (
                    "delayed e-mail",
                    "fm_email",
                    {
                        "fm_mail_template_id": template.id,
                        "fm_mail_delay": 30,
                        "fm_mail_extra_email": "Boss <boss@janssens.example.com>",
                    },
                ),
                ("e-mail", "fm_email", {"fm_mail_template_id": template.id}),
                ("sms", "fm_sms", {"fm_sms_extra_number": "+32 470 12 34 56"}),
                (
                    "task",
                    "fm_task",
                    {
                        "fm_task_title": "Call",
                        "fm_task_user_id": self.manager.id,
                        "fm_task_deadline_range": 2,
                        "fm_task_deadline_range_type": "days",
                    },
                ),
                (
                    "task of the record's user",
                    "fm_task",
                    {
                        "fm_task_title": "Call",
                        "fm_task_user_type": "generic",
                        "fm_task_user_field": "user_id",
                    },
                ),
                ("material", "fm_add_material", {"fm_material_quantity": 2.5}),
                ("sync", "fm_sync", {"fm_sync_endpoint_id": endpoint.id}),
            )
        }
        self.assertIn("30", summaries["delayed e-mail"])
        self.assertIn("boss@janssens.example.com", summaries["delayed e-mail"])
        self.assertNotIn("Boss <", summaries["delayed e-mail"], "the address only")
        self.assertTrue(summaries["e-mail"])
        self.assertNotIn("30", summaries["e-mail"])
        self.assertIn("+32 470 12 34 56", summaries["sms"])
        self.assertIn("Mia Manager", summaries["task"])
        self.assertIn("2 days", summaries["task"])
        self.assertIn("user_id", summaries["task of the record's user"])
        self.assertIn("2.5", summaries["material"])
        self.assertIn("Head-office ERP", summaries["sync"])
