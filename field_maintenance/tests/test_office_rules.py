"""Rules that say what they do (issue 16): presets on triggers Odoo 19 does not mark
deprecated, one sentence per event, the Rules menu, action summaries, rule e-mails in the
chatter."""

from odoo import Command
from odoo.tests import Form, tagged
from odoo.tools.safe_eval import safe_eval

from .test_automation_common import AutomationCase

# triggers Odoo 19's rule editor lists under "Deprecated (do not use)"
# (base_automation/static/src/base_automation_trigger_selection_field.js)
DEPRECATED_TRIGGERS = {"on_write"}


@tagged("post_install", "-at_install")
class TestOfficeRules(AutomationCase):
    def test_presets_use_no_deprecated_trigger(self):
        Automation = self.env["base.automation"]
        for fm_trigger, _label in Automation._fields["fm_trigger"].selection:
            with self.subTest(fm_trigger=fm_trigger):
                rule = Automation.create({"name": fm_trigger, "fm_trigger": fm_trigger})
                self.addCleanup(rule.unlink)
                self.assertNotIn(rule.trigger, DEPRECATED_TRIGGERS)
                self.assertEqual(rule.fm_trigger, fm_trigger, "the preset is kept")
                self.assertTrue(rule.fm_trigger_description.startswith("Runs when"))

    def test_rules_of_earlier_versions_are_upgraded(self):
        rule = self._rule("wo_planned_to_ready", [self._task_action("Ready")])
        state = self.env["ir.model.fields"]._get("field.work.order", "state")
        rule.write(  # as made before 19.0.1.2
            {
                "trigger": "on_write",
                "trigger_field_ids": [Command.set(state.ids)],
                "filter_pre_domain": "[('state', '=', 'planned')]",
                "filter_domain": "[('state', '=', 'ready')]",
            }
        )
        self.assertEqual(rule.trigger_field_ids, state)
        native = self.env["base.automation"].create(
            {
                "name": "Native",
                "model_id": self.env["ir.model"]._get_id("res.partner"),
                "trigger": "on_write",
            }
        )
        self.addCleanup(native.unlink)
        self.assertIn(rule, self.env["base.automation"]._fm_upgrade_legacy_triggers())
        self.assertEqual(rule.trigger, "on_create_or_write")
        self.assertEqual(rule.fm_trigger, "wo_planned_to_ready")
        self.assertEqual(rule.filter_pre_domain, "[('state', '=', 'planned')]")
        self.assertEqual(rule.trigger_field_ids.mapped("name"), ["state"])
        self.assertEqual(native.trigger, "on_write", "Odoo's own rules are left alone")
        self.assertFalse(self._tasks(self._work_order(state="ready"), "Ready"))
        order = self._planned_work_order()
        order.action_ready()
        self.assertEqual(len(self._tasks(order, "Ready")), 1)
        # the example rules of the module (noupdate data, upgraded the same way)
        example = self.env.ref("field_maintenance.automation_mail_customer_on_completion")
        self.env["base.automation"]._fm_upgrade_legacy_triggers()
        self.assertNotIn(example.trigger, DEPRECATED_TRIGGERS)

    def test_created_in_ready_does_not_fire(self):
        self._rule("wo_planned_to_ready", [self._task_action("Ready")])
        direct = self._work_order(state="ready")
        self.assertFalse(self._tasks(direct, "Ready"), "created in Ready: no transition")
        order = self._planned_work_order()
        order.action_ready()
        self.assertEqual(len(self._tasks(order, "Ready")), 1)

    def test_update_presets_do_not_fire_on_creation(self):
        self._rule("wo_state_changed", [self._task_action("Status")])
        self._rule("wo_completed", [self._task_action("Done")])
        order = self._work_order(state="done")
        self.assertFalse(self._tasks(order, "Status") | self._tasks(order, "Done"))
        # a created-or-updated rule of Odoo's own still fires on creation
        native = self.env["base.automation"].create(
            {
                "name": "Native",
                "model_id": self.env["ir.model"]._get_id("field.work.order"),
                "trigger": "on_create_or_write",
                "action_server_ids": [
                    (
                        0,
                        0,
                        {
                            "name": "Mark",
                            "model_id": self.env["ir.model"]._get_id("field.work.order"),
                            "state": "code",
                            "code": "record.write({'internal_note': 'native ran'})",
                        },
                    )
                ],
            }
        )
        self.addCleanup(native.unlink)
        self.assertIn("native ran", self._work_order().internal_note)

    def test_legacy_on_write_preset_is_kept(self):
        rule = self._rule("wo_completed", [self._task_action("Done")])
        rule.trigger = "on_write"
        self.assertEqual(rule.fm_trigger, "wo_completed", "rules of earlier versions keep it")

    def test_sentence(self):
        rule = self._rule("wo_planned_to_ready")
        self.assertEqual(
            rule.fm_trigger_description,
            "Runs when a work order goes from Planned to Ready (not when it is created in Ready).",
        )
        rule.filter_domain = "[('state', '=', 'ready'), ('priority', '=', '2')]"
        self.assertIn("extra conditions", rule.fm_trigger_description)
        sla = self._rule("wo_sla_response", trg_date_range=30, trg_date_range_type="minutes")
        self.assertIn("30 minutes after the deadline", sla.fm_trigger_description)
        form = Form(self.env["base.automation"])
        form.name = "Ready"
        form.fm_trigger = "wo_completed"
        self.assertIn("reported complete", form.fm_trigger_description)

    def test_rules_menu_shows_field_service_rules_only(self):
        action = self.env.ref("field_maintenance.action_field_automation_rules")
        native = self.env["base.automation"].create(
            {
                "name": "Native partner rule",
                "model_id": self.env["ir.model"]._get_id("res.partner"),
                "trigger": "on_create",
            }
        )
        self.addCleanup(native.unlink)
        fs_rule = self._rule("partner_created")
        on_order = self.env["base.automation"].create(
            {
                "name": "Own rule on work orders",
                "model_id": self.env["ir.model"]._get_id("field.work.order"),
                "trigger": "on_create",
            }
        )
        self.addCleanup(on_order.unlink)
        shown = (
            self.env["base.automation"]
            .with_context(active_test=False)
            .search(safe_eval(action.domain))
        )
        self.assertIn(fs_rule, shown)
        self.assertIn(on_order, shown)
        self.assertNotIn(native, shown)
        self.assertNotIn("search_default_filter_field_service", action.context)

    def test_action_labels_and_summary(self):
        labels = dict(
            self.env["ir.actions.server"]._fields["state"]._description_selection(self.env)
        )
        for state in ("fm_task", "fm_email", "fm_sms", "fm_follow_up", "fm_invoice"):
            self.assertTrue(labels[state].startswith("Field Service: "), labels[state])
        template = self._mail_template()
        rule = self._rule(
            "wo_completed",
            [
                {
                    "state": "fm_email",
                    "fm_mail_template_id": template.id,
                    "fm_mail_delay": 30,
                    "fm_mail_extra_email": "Office <office@field.example.com>",
                },
                self._task_action("Check", fm_task_deadline_range=2),
            ],
        )
        mail, task = rule.action_server_ids.sorted("sequence")
        self.assertEqual(mail.fm_summary, "after 30 min, + office@field.example.com")
        self.assertEqual(task.fm_summary, f"for {self.manager.name}, due in 2 days")
        mail.fm_mail_delay = 0
        self.assertEqual(mail.fm_summary, "at once, + office@field.example.com")

    def test_rule_emails_in_the_chatter(self):
        template = self._mail_template()
        self._rule(
            "wo_completed",
            [{"state": "fm_email", "fm_mail_template_id": template.id, "fm_mail_delay": 0}],
        )
        order = self._order_in_state("in_progress")
        order.with_user(self.technician).action_done()
        notes = order.message_ids.filtered(
            lambda message: "E-mail sent by an automation rule" in (message.body or "")
        )
        self.assertEqual(len(notes), 1)
        self.assertIn(f"{order.name} is done", notes.body)
        self.assertIn("info@janssens.example.com", notes.body)
        self.assertTrue(notes.is_internal, "a note for the office, not sent to the customer")

    def test_example_rules_with_their_templates(self):
        ready_rule = self.env.ref("field_maintenance.automation_mail_customer_on_ready")
        due_rule = self.env.ref("field_maintenance.automation_mail_customer_maintenance_due")
        for rule in ready_rule | due_rule:
            self.assertFalse(rule.active, "shipped switched off")
            self.assertEqual(rule.trigger, "on_create_or_write")
            self.assertEqual(rule.fm_trigger, "wo_planned_to_ready")
        ready_rule.active = True
        self.addCleanup(setattr, ready_rule, "active", False)
        order = self._planned_work_order(summary="Boiler does not start")
        order.action_ready()
        mail = self.env["mail.mail"].search(
            [("model", "=", order._name), ("res_id", "=", order.id)]
        )
        self.assertEqual(len(mail), 1)
        self.assertIn("is confirmed", mail.subject)
        self.assertIn(self.technician.name, mail.body_html)
        self.assertIn("Boiler does not start", mail.body_html)
        self.assertEqual(mail.recipient_ids, self.customer)
        # the maintenance template names the installation and the due date
        body = self.env.ref(
            "field_maintenance.mail_template_work_order_maintenance_due"
        )._render_field("body_html", order.ids)[order.id]
        self.assertIn("periodic maintenance", body)
