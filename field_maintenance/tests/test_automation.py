from datetime import date, datetime, timedelta
from unittest.mock import patch

from freezegun import freeze_time

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import Form, tagged
from odoo.tools import mute_logger

from odoo.addons.mail.tests.common import MockEmail
from odoo.addons.sms.tests.common import SMSCase

from ..tools import TRIGGER_KEY, RuleTrigger
from .test_automation_common import AutomationCase

NOW = datetime(2026, 3, 2, 9, 0)


@tagged("post_install", "-at_install")
class TestAutomationTriggers(AutomationCase):
    """Each preset fills the native fields and fires exactly on its event."""

    def test_presets_fill_native_fields(self):
        Automation = self.env["base.automation"]
        state = self.env["ir.model.fields"]._get("field.work.order", "state")
        cases = {
            "wo_created": ("field.work.order", "on_create", [], False, False),
            "wo_planned_to_ready": (
                "field.work.order",
                "on_write",
                ["state"],
                "[('state', '=', 'planned')]",
                "[('state', '=', 'ready')]",
            ),
            "wo_completed": (
                "field.work.order",
                "on_write",
                ["state"],
                False,
                "[('state', '=', 'done')]",
            ),
            "wo_state_changed": ("field.work.order", "on_write", ["state"], False, False),
            "wo_dispatch_update": (
                "field.work.order",
                "on_write",
                ["planned_date_end", "planned_date_start", "technician_ids", "user_id"],
                False,
                False,
            ),
            "partner_created": ("res.partner", "on_create", [], False, False),
        }
        for fm_trigger, (model, trigger, watched, pre, post) in cases.items():
            with self.subTest(fm_trigger=fm_trigger):
                rule = Automation.create({"name": fm_trigger, "fm_trigger": fm_trigger})
                self.addCleanup(rule.unlink)
                self.assertEqual(rule.model_id.model, model)
                self.assertEqual(rule.trigger, trigger)
                self.assertEqual(sorted(rule.trigger_field_ids.mapped("name")), watched)
                self.assertEqual(rule.filter_pre_domain, pre)
                self.assertEqual(rule.filter_domain, post)
                self.assertEqual(rule.fm_trigger, fm_trigger)
        rule = Automation.create({"name": "SLA", "fm_trigger": "wo_sla_resolution"})
        self.addCleanup(rule.unlink)
        self.assertEqual(rule.trigger, "on_time")
        self.assertEqual(rule.trg_date_id.name, "sla_resolution_deadline")
        self.assertIn("sla_resolved_on", rule.filter_domain)
        # conditions given explicitly win over the preset's
        rule = Automation.create(
            {
                "name": "Urgent completed",
                "fm_trigger": "wo_completed",
                "filter_domain": "[('state', '=', 'done'), ('priority', '=', '2')]",
            }
        )
        self.addCleanup(rule.unlink)
        self.assertEqual(rule.filter_domain, "[('state', '=', 'done'), ('priority', '=', '2')]")
        self.assertEqual(rule.trigger_field_ids, state)
        # changing the native trigger by hand forgets the preset
        rule.trigger = "on_create_or_write"
        self.assertFalse(rule.fm_trigger)
        # and writing a preset fills the native fields again (RPC)
        rule.write({"fm_trigger": "wo_planned_to_ready"})
        self.assertEqual(rule.trigger, "on_write")
        self.assertEqual(rule.filter_pre_domain, "[('state', '=', 'planned')]")

    def test_preset_onchange_in_the_editor(self):
        form = Form(self.env["base.automation"])
        form.name = "Ready"
        form.fm_trigger = "wo_planned_to_ready"
        self.assertEqual(form.model_id.model, "field.work.order")
        self.assertEqual(form.trigger, "on_write")
        self.assertEqual(form.filter_domain, "[('state', '=', 'ready')]")
        self.assertEqual(form.filter_pre_domain, "[('state', '=', 'planned')]")
        self.assertEqual(form.trigger_field_ids[:].mapped("name"), ["state"])
        form.fm_trigger = "partner_created"
        self.assertEqual(form.model_id.model, "res.partner")
        self.assertEqual(form.trigger, "on_create")
        self.assertFalse(form.filter_domain)
        rule = form.save()
        self.addCleanup(rule.unlink)
        self.assertEqual(rule.fm_trigger, "partner_created")

    def test_work_order_created(self):
        self._rule("wo_created", [self._task_action("Created")])
        order = self._work_order()
        self.assertEqual(len(self._tasks(order, "Created")), 1)
        order.summary = "Changed"
        order.action_cancel()
        self.assertEqual(len(self._tasks(order, "Created")), 1)

    def test_planned_to_ready_is_exactly_that_transition(self):
        self._rule("wo_planned_to_ready", [self._task_action("Ready")])
        order = self._planned_work_order()
        self.assertFalse(self._tasks(order, "Ready"), "draft to planned is not the transition")
        order.action_ready()
        self.assertEqual(len(self._tasks(order, "Ready")), 1)
        order.action_start()
        self.assertEqual(len(self._tasks(order, "Ready")), 1)
        # created directly in ready: not a transition from planned
        direct = self._work_order(state="ready")
        self.assertFalse(self._tasks(direct, "Ready"))
        # back to ready from another state than planned: not it either
        started = self._order_in_state("in_progress")
        started.write({"state": "ready"})
        self.assertFalse(self._tasks(started, "Ready"))

    def test_reported_complete(self):
        self._rule("wo_completed", [self._task_action("Complete")])
        order = self._order_in_state("in_progress")
        self.assertFalse(self._tasks(order, "Complete"))
        order.with_user(self.technician).action_done()
        self.assertEqual(len(self._tasks(order, "Complete")), 1)
        order.comment = "Signed"
        self.assertEqual(len(self._tasks(order, "Complete")), 1)

    def test_any_status_change(self):
        self._rule("wo_state_changed", [self._task_action("Status")])
        order = self._work_order()
        self.assertFalse(self._tasks(order, "Status"), "creation is not a status change")
        order.summary = "Other summary"
        self.assertFalse(self._tasks(order, "Status"))
        order.write({"planned_date_start": self.start, "technician_ids": self.technician.ids})
        order.action_plan()
        order.action_ready()
        order.action_start()
        self.assertEqual(len(self._tasks(order, "Status")), 3)

    def test_dispatch_board_update(self):
        self._rule("wo_dispatch_update", [self._task_action("Dispatch")])
        # a work order created without planning is not on the board; one created with a
        # planned date and technicians is, once (not once per computed field)
        self.assertFalse(self._tasks(self._work_order(), "Dispatch"))
        order = self._planned_work_order()
        self.assertEqual(len(self._tasks(order, "Dispatch")), 1)
        self._tasks(order, "Dispatch").unlink()
        order.summary = "Not planning"
        order.comment = "Neither"
        self.assertFalse(self._tasks(order, "Dispatch"))
        order.planned_date_start = self.start + timedelta(days=1)
        self.assertEqual(len(self._tasks(order, "Dispatch")), 1)
        order.technician_ids = [Command.link(self.technician_2.id)]
        self.assertEqual(len(self._tasks(order, "Dispatch")), 2)

    def test_contact_added_and_updated(self):
        self._rule("partner_created", [self._task_action("New contact")])
        self._rule("partner_updated", [self._task_action("Contact changed")])
        partner = self.env["res.partner"].create({"name": "Garage Peeters"})
        self.assertEqual(len(self._tasks(partner, "New contact")), 1)
        self.assertFalse(self._tasks(partner, "Contact changed"))
        partner.phone = "+32 3 555 12 12"
        self.assertEqual(len(self._tasks(partner, "Contact changed")), 1)

    def test_conditions_any_of(self):
        """Native domain conditions combine with the preset (any of several)."""
        self._rule(
            "wo_created",
            [self._task_action("Urgent or ad-hoc")],
            filter_domain="['|', ('priority', 'in', ['2', '3']), ('is_adhoc', '=', True)]",
        )
        urgent = self._work_order(priority="3")
        adhoc = self._work_order(is_adhoc=True)
        normal = self._work_order()
        self.assertTrue(self._tasks(urgent, "Urgent or ad-hoc"))
        self.assertTrue(self._tasks(adhoc, "Urgent or ad-hoc"))
        self.assertFalse(self._tasks(normal, "Urgent or ad-hoc"))


@tagged("post_install", "-at_install")
class TestAutomationActions(AutomationCase, MockEmail, SMSCase):
    """Every action type, run by rules."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mail_template = cls.env["mail.template"].create(
            {
                "name": "Work order done",
                "model_id": cls.env["ir.model"]._get_id("field.work.order"),
                "subject": "{{ object.name }} is done",
                "body_html": "<p>Your work order <t t-out='object.name'/> is done.</p>",
                "partner_to": "{{ object.partner_id.id }}",
                "email_from": "office@field.example.com",
                "use_default_to": False,
            }
        )
        cls.sms_template = cls.env["sms.template"].create(
            {
                "name": "On our way",
                "model_id": cls.env["ir.model"]._get_id("field.work.order"),
                "body": "Our technician is on the way for {{ object.name }}",
            }
        )

    def test_task(self):
        category = self.env.ref("mail.mail_activity_data_call")
        self._rule(
            "wo_completed",
            [
                self._task_action(
                    "Check the report",
                    fm_task_user_type="generic",
                    fm_task_user_field="user_id",
                    fm_task_responsible_type="specific",
                    fm_task_responsible_id=self.manager.id,
                    fm_activity_type_id=category.id,
                    fm_task_priority="2",
                    fm_task_note="<p>Read the comment of the technician.</p>",
                    fm_task_deadline_range=2,
                    fm_task_deadline_range_type="days",
                    fm_task_started=True,
                ),
                self._task_action(
                    "Follow the planned date",
                    fm_task_date_field_id=self.env["ir.model.fields"]
                    ._get("field.work.order", "planned_date_start")
                    .id,
                    fm_task_deadline_range=1,
                    fm_task_deadline_range_type="weeks",
                ),
            ],
        )
        with freeze_time(NOW - timedelta(hours=2)):
            order = self._order_in_state("in_progress")
        with self.mock_datetime_and_now(NOW):
            order.action_done()
        task = self._tasks(order, "Check the report")
        self.assertRecordValues(
            task,
            [
                {
                    "user_id": self.technician.id,  # the lead technician, a field of the record
                    "fm_responsible_user_id": self.manager.id,
                    "activity_type_id": category.id,
                    "fm_priority": "2",
                    "date_deadline": date(2026, 3, 4),
                    "fm_date_started": NOW,
                    "automated": True,
                }
            ],
        )
        self.assertIn("Read the comment", str(task.note))
        relative = self._tasks(order, "Follow the planned date")
        self.assertEqual(relative.user_id, self.manager)
        self.assertEqual(relative.date_deadline, self.start.date() + timedelta(weeks=1))
        self.assertFalse(relative.fm_date_started)
        self.assertFalse(relative.fm_responsible_user_id)

    def test_tasks_of_a_batch_have_what_odoo_computes(self):
        """Tasks created for many work orders at once get the document, the assignee's time
        zone and the state that Odoo computes for a task scheduled by hand."""
        self.technician.tz = "Europe/Brussels"
        orders = self._planned_work_order() | self._planned_work_order(summary="Heat pump")
        self._rule(
            "wo_state_changed",
            [
                self._task_action(
                    "Prepare", fm_task_user_type="generic", fm_task_user_field="user_id"
                )
            ],
        )
        orders.action_ready()
        by_hand = orders[0].activity_schedule(
            "mail.mail_activity_data_todo", summary="By hand", user_id=self.technician.id
        )
        self.env.flush_all()
        self.env.invalidate_all()  # read back from the database
        tasks = self._tasks(orders, "Prepare")
        self.assertEqual(len(tasks), 2)
        for order in orders:
            task = tasks.filtered(lambda task, order=order: task.res_id == order.id)
            self.assertRecordValues(
                task,
                [
                    {
                        "res_model": "field.work.order",
                        "res_model_id": by_hand.res_model_id.id,
                        "res_name": order.display_name,
                        "user_id": self.technician.id,
                        "user_tz": "Europe/Brussels",
                        "active": True,
                        "date_done": False,
                        "state": by_hand.state,
                    }
                ],
            )
        self.assertEqual(by_hand.user_tz, "Europe/Brussels")
        self.assertEqual(by_hand.res_name, orders[0].display_name)
        # the assignee follows the work orders, as for any task assigned to them
        self.assertIn(self.technician.partner_id, orders[1].message_partner_ids)

    def _scheduled_mails(self):
        return self.env["field.scheduled.mail"].search(
            [("template_id", "=", self.mail_template.id)]
        )

    def _run_scheduled_mail_cron(self, at):
        # this case runs in registry test mode already (HttpCase): commits are savepoints
        with self.mock_datetime_and_now(at):
            self.env.ref("field_maintenance.ir_cron_field_scheduled_mail").method_direct_trigger()
        self.env.invalidate_all()

    def _delayed_mail_rule(self, delay=30, **action):
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

    def test_email_with_extra_address_and_delay(self):
        """A delayed e-mail is scheduled once for all the records of the trigger and
        written at its time; the queue sends it to the template's and the extra
        recipients."""
        self._delayed_mail_rule(fm_mail_extra_email="boss@janssens.example.com")
        scheduler = self.env.ref("field_maintenance.ir_cron_field_scheduled_mail")
        mail_cron = self.env.ref("mail.ir_cron_mail_scheduler_action")
        with freeze_time(NOW - timedelta(hours=2)):
            orders = self._order_in_state("in_progress") | self._order_in_state("in_progress")
        with self.mock_mail_gateway(), self.mock_datetime_and_now(NOW):
            orders.action_done()
            self.assertFalse(
                self._new_mails.filtered(lambda m: m.res_id in orders.ids),
                "nothing is written before its time",
            )
        scheduled = self._scheduled_mails()
        self.assertEqual(len(scheduled), 1, "one schedule for the whole trigger")
        self.assertEqual(sorted(scheduled.res_ids), sorted(orders.ids))
        self.assertEqual(scheduled.scheduled_date, NOW + timedelta(minutes=30))
        self.assertEqual(scheduled.state, "pending")
        self.assertTrue(
            self.env["ir.cron.trigger"].search(
                [("cron_id", "=", scheduler.id), ("call_at", "=", NOW + timedelta(minutes=30))]
            ),
            "the scheduler is triggered for the scheduled time",
        )
        with self.mock_mail_gateway():
            self._run_scheduled_mail_cron(NOW + timedelta(minutes=10))
            self.assertEqual(scheduled.state, "pending", "not written before its time")
            self._run_scheduled_mail_cron(NOW + timedelta(minutes=31))
            self.assertEqual(scheduled.state, "sent")
            self.assertEqual(scheduled.mail_count, 2)
            mails = self._new_mails.filtered(lambda m: m.res_id in orders.ids)
            self.assertEqual(len(mails), 2)
            self.assertEqual(mails.recipient_ids, self.customer)
            self.assertEqual(set(mails.mapped("email_to")), {"boss@janssens.example.com"})
            self.assertTrue(
                self.env["ir.cron.trigger"].search([("cron_id", "=", mail_cron.id)]),
                "the mail queue is triggered",
            )
        with self.mock_mail_gateway(), self.mock_datetime_and_now(NOW + timedelta(minutes=32)):
            self.env["mail.mail"].process_email_queue(email_ids=mails.ids)
            for order in orders:
                self.assertSentEmail(
                    "office@field.example.com", [self.customer], subject=f"{order.name} is done"
                )
                self.assertSentEmail(
                    "office@field.example.com",
                    ["boss@janssens.example.com"],
                    subject=f"{order.name} is done",
                )
        # the cron does not send them twice
        with self.mock_mail_gateway():
            self._run_scheduled_mail_cron(NOW + timedelta(hours=1))
            self.assertFalse(self._new_mails)

    def test_delayed_email_shows_the_work_order_as_it_is_when_sent(self):
        self._delayed_mail_rule()
        with freeze_time(NOW - timedelta(hours=2)):
            kept = self._order_in_state("in_progress")
            deleted = self._order_in_state("in_progress", summary="Deleted meanwhile")
        with self.mock_datetime_and_now(NOW):
            (kept | deleted).action_done()
        kept.name = "WO-RENAMED"
        deleted.sudo().write({"state": "cancelled"})
        deleted.sudo().unlink()
        with self.mock_mail_gateway():
            self._run_scheduled_mail_cron(NOW + timedelta(minutes=31))
            self.assertEqual(len(self._new_mails), 1, "no e-mail for a deleted work order")
            self.assertEqual(self._new_mails.subject, "WO-RENAMED is done")
        self.assertEqual(self._scheduled_mails().state, "sent")

    @mute_logger("odoo.addons.field_maintenance.models.field_scheduled_mail")
    def test_failing_scheduled_email_does_not_stop_the_others(self):
        """A schedule whose e-mails cannot be written is marked failed with the error,
        the others are sent; a manager retries it once it is fixed."""
        broken = self.mail_template.copy()
        self._delayed_mail_rule()
        self._rule(
            "wo_completed",
            [{"state": "fm_email", "fm_mail_template_id": broken.id, "fm_mail_delay": 30}],
        )
        with freeze_time(NOW - timedelta(hours=2)):
            order = self._order_in_state("in_progress")
        with self.mock_datetime_and_now(NOW):
            order.action_done()
        # the template no longer renders when the e-mails are due (Odoo refuses such an
        # edit in the editor; a field removed since, e.g. by an uninstalled module, does it)
        self.env.cr.execute(
            "UPDATE mail_template SET subject = jsonb_build_object('en_US', %s) WHERE id = %s",
            ["{{ object.no_such_field }}", broken.id],
        )
        broken.invalidate_recordset(["subject"])
        with self.mock_mail_gateway():
            self._run_scheduled_mail_cron(NOW + timedelta(minutes=31))
            self.assertEqual(len(self._new_mails), 1)
        failed = self.env["field.scheduled.mail"].search([("template_id", "=", broken.id)])
        self.assertEqual(failed.state, "failed")
        self.assertTrue(failed.error)
        self.assertEqual(self._scheduled_mails().state, "sent")
        broken.subject = "{{ object.name }} is done (fixed)"
        with self.mock_mail_gateway():
            # the retry only schedules it again; the scheduler writes it
            failed.with_user(self.manager).action_retry()
            self.assertEqual(failed.state, "pending")
            self.assertFalse(self._new_mails)
            self._run_scheduled_mail_cron(NOW + timedelta(minutes=32))
            self.assertEqual(failed.state, "sent")
            self.assertEqual(self._new_mails.subject, f"{order.name} is done (fixed)")

    def test_sms_with_extra_number(self):
        self._rule(
            "wo_planned_to_ready",
            [
                {
                    "state": "fm_sms",
                    "fm_sms_template_id": self.sms_template.id,
                    "fm_sms_extra_number": "+32 470 12 34 56",
                }
            ],
        )
        orders = self._planned_work_order() | self._planned_work_order(
            partner_id=self.other_customer.id
        )
        self.other_customer.phone = "+32 3 444 55 66"
        with self.mockSMSGateway():
            orders.action_ready()
            for order in orders:
                self.assertSMSOutgoing(
                    order.partner_id,
                    None,
                    content=f"Our technician is on the way for {order.name}",
                )
            extra_number = orders[0]._phone_format(number="+32 470 12 34 56")
            extra = self._new_sms.filtered(lambda sms: sms.number == extra_number)
            self.assertEqual(len(extra), 2)
            self.assertEqual(
                sorted(extra.mapped("body")),
                sorted(f"Our technician is on the way for {order.name}" for order in orders),
            )
            self._new_sms.send()
        self.assertSMSIapSent(
            [
                self.customer._phone_format(),
                self.other_customer._phone_format(),
                extra_number,
            ],
            content="Our technician is on the way",
        )
        logs = orders[0].message_ids.filtered(lambda message: message.message_type == "sms")
        self.assertEqual(len(logs), 1)
        self.assertIn(f"Our technician is on the way for {orders[0].name}", str(logs.body))

    def test_follow_up_work_order(self):
        Fields = self.env["ir.model.fields"]
        priority_urgent = self.env["ir.model.fields.selection"].search(
            [
                ("field_id.model", "=", "field.work.order"),
                ("field_id.name", "=", "priority"),
                ("value", "=", "2"),
            ]
        )
        other_type = self.env["field.work.type"].create(
            {
                "name": "Repair",
                "checklist_template_ids": [Command.create({"name": "Pump replaced"})],
            }
        )
        self._rule(
            "wo_completed",
            [
                {
                    "state": "fm_follow_up",
                    "fm_follow_up_copy_lines": False,
                    "fm_follow_up_field_ids": [
                        Command.create(
                            {
                                "field_id": Fields._get("field.work.order", "summary").id,
                                "operation": "set",
                                "value": "Replace the pump",
                            }
                        ),
                        Command.create(
                            {
                                "field_id": Fields._get("field.work.order", "priority").id,
                                "operation": "set",
                                "selection_value_id": priority_urgent.id,
                            }
                        ),
                        Command.create(
                            {
                                "field_id": Fields._get("field.work.order", "work_type_id").id,
                                "operation": "set",
                                "resource_ref": f"field.work.type,{other_type.id}",
                            }
                        ),
                        Command.create(
                            {
                                "field_id": Fields._get("field.work.order", "technician_ids").id,
                                "operation": "clear",
                            }
                        ),
                        Command.create(
                            {
                                "field_id": Fields._get(
                                    "field.work.order", "planned_date_start"
                                ).id,
                                "operation": "copy",
                            }
                        ),
                        Command.create(
                            {
                                "field_id": Fields._get("field.work.order", "is_adhoc").id,
                                "operation": "set",
                                "boolean_value": True,
                            }
                        ),
                    ],
                }
            ],
        )
        order = self._order_in_state(
            "in_progress",
            site_partner_id=self.site.id,
            comment="Pump is noisy",
            line_ids=[Command.create({"product_id": self.material.id, "quantity": 2})],
        )
        order.checklist_ids[0].result = "fail"
        order.action_done()
        follow_up = order.follow_up_ids
        self.assertEqual(len(follow_up), 1)
        self.assertEqual(order.follow_up_count, 1)
        self.assertRecordValues(
            follow_up,
            [
                {
                    "origin_work_order_id": order.id,
                    "state": "draft",
                    "summary": "Replace the pump",
                    "priority": "2",
                    "work_type_id": other_type.id,
                    "partner_id": self.customer.id,
                    "site_partner_id": self.site.id,
                    "planned_date_start": self.start,
                    "is_adhoc": True,
                    "comment": "Pump is noisy",  # no rule: copied as on duplicate
                }
            ],
        )
        self.assertFalse(follow_up.technician_ids)
        self.assertFalse(follow_up.line_ids, "lines are only copied on request")
        self.assertNotEqual(follow_up.name, order.name)
        self.assertEqual(
            follow_up.checklist_ids.mapped(lambda check: (check.name, check.result)),
            [("Pump replaced", "todo")],
            "a fresh checklist from its work type",
        )
        # lines copied on request
        action = self.env["ir.actions.server"].search(
            [("state", "=", "fm_follow_up"), ("base_automation_id", "!=", False)], limit=1
        )
        action.fm_follow_up_copy_lines = True
        second = self._order_in_state(
            "in_progress",
            line_ids=[Command.create({"product_id": self.material.id, "quantity": 3})],
        )
        second.action_done()
        self.assertEqual(second.follow_up_ids.line_ids.quantity, 3)
        self.assertEqual(second.follow_up_ids.checklist_ids.mapped("result"), ["todo"])

    def test_native_archive_and_update_work_order_and_equipment(self):
        """Archive, update a work-order field and a field of the linked equipment are
        Odoo's own "Update Record" actions, shown working on work orders."""
        equipment = self.env["field.equipment"].create(
            {"name": "Boiler", "partner_id": self.customer.id}
        )
        self._rule(
            "wo_completed",
            [
                {
                    "state": "object_write",
                    "update_path": "internal_note",
                    "evaluation_type": "value",
                    "html_value": "<p>Closed by the rule</p>",
                },
                {
                    "state": "object_write",
                    "update_path": "equipment_ids.brand",
                    "evaluation_type": "value",
                    "value": "Serviced",
                },
            ],
        )
        self._rule(
            "wo_state_changed",
            [
                {
                    "state": "object_write",
                    "update_path": "active",
                    "evaluation_type": "value",
                    "update_boolean_value": "false",
                }
            ],
            filter_domain="[('state', '=', 'cancelled')]",
        )
        order = self._order_in_state("in_progress", equipment_ids=[Command.set(equipment.ids)])
        order.action_done()
        self.assertIn("Closed by the rule", str(order.internal_note))
        self.assertEqual(equipment.brand, "Serviced")
        self.assertTrue(order.active)
        cancelled = self._planned_work_order()
        cancelled.action_cancel()
        self.assertFalse(cancelled.active)

    def test_add_material(self):
        self._rule(
            "wo_completed",
            [
                {
                    "state": "fm_add_material",
                    "fm_material_product_id": self.material.id,
                    "fm_material_quantity": 2,
                },
                {
                    "state": "fm_add_material",
                    "fm_material_product_id": self.material.id,
                    "fm_material_quantity": 3,
                    "fm_material_use_price": True,
                    "fm_material_price": 9.005,  # more digits than prices have
                },
            ],
        )
        orders = self._order_in_state("in_progress") | self._order_in_state("in_progress")
        orders.action_done()
        self.env.flush_all()
        self.env.invalidate_all()  # read back from the database
        for order in orders:
            self.assertEqual(
                sorted(order.line_ids.mapped(lambda line: (line.quantity, line.price_unit))),
                [(2.0, 12.5), (3.0, 9.01)],
            )
            self.assertEqual(set(order.line_ids.mapped("line_type")), {"material"})
            # the rule prices and creates all the lines at once; a line gets what the same
            # line added by hand gets
            fnames = [
                "name",
                "product_uom_id",
                "price_unit",
                "price_subtotal",
                "company_id",
                "currency_id",
                "qty_invoiced",
                "qty_to_invoice",
            ]
            for by_rule, vals in [
                (order.line_ids.filtered(lambda line: line.quantity == 2), {"quantity": 2}),
                (
                    order.line_ids.filtered(lambda line: line.quantity == 3),
                    {"quantity": 3, "price_unit": 9.005},
                ),
            ]:
                added = self.env["field.work.order.line"].create(
                    {"work_order_id": order.id, "product_id": self.material.id, **vals}
                )
                self.assertEqual(
                    {fname: by_rule[fname] for fname in fnames},
                    {fname: added[fname] for fname in fnames},
                )
            self.assertEqual(
                order.line_ids.filtered(lambda line: line.quantity == 3)[0].price_subtotal, 27.03
            )

    def test_sync_to_external_system(self):
        endpoint = self.env["field.sync.endpoint"].create(
            {"name": "Refrigerant register", "url": "https://register.example.com/api"}
        )
        self._rule(
            "wo_completed",
            [{"state": "fm_sync", "fm_sync_endpoint_id": endpoint.id}],
        )
        orders = self._order_in_state("in_progress") | self._order_in_state("in_progress")
        orders.with_user(self.technician).action_done()
        messages = self.env["field.sync.message"].search([("endpoint_id", "=", endpoint.id)])
        self.assertEqual(sorted(messages.mapped("res_id")), sorted(orders.ids))
        self.assertEqual(set(messages.mapped("event")), {"wo_completed"})

    def test_incomplete_configuration_warns_and_refuses_to_run(self):
        rule = self._rule("wo_completed")
        action = self.env["ir.actions.server"].create(
            {
                "name": "Mail without template",
                "base_automation_id": rule.id,
                "model_id": rule.model_id.id,
                "usage": "base_automation",
                "state": "fm_email",
                "fm_mail_extra_email": "not an address",
            }
        )
        self.assertIn("Choose the e-mail template to send.", action.warning)
        self.assertIn("not a valid e-mail address", action.warning)
        # the editor refuses to save the rule with it (native)
        with self.assertRaises(UserError):
            rule.write({"action_server_ids": [Command.link(action.id)]})
        order = self._order_in_state("in_progress")
        with self.assertRaisesRegex(UserError, "configuration is incomplete"):
            order.action_done()
        # other incomplete configurations
        incomplete = {
            "fm_task": {"fm_task_user_type": "generic", "fm_task_user_field": "partner_id"},
            "fm_sms": {},
            "fm_add_material": {"fm_material_quantity": 0},
            "fm_sync": {},
        }
        for state, vals in incomplete.items():
            with self.subTest(state=state):
                action.write({"state": state, **vals})
                self.assertTrue(action.warning)
        action.write(
            {
                "state": "fm_follow_up",
                "fm_follow_up_field_ids": [
                    Command.create(
                        {
                            "field_id": self.env["ir.model.fields"]
                            ._get("field.work.order", "planned_hours")
                            .id,
                            "operation": "set",
                            "value": "two hours",
                        }
                    )
                ],
            }
        )
        self.assertIn("not valid for field", action.warning)
        partner_action = self.env["ir.actions.server"].create(
            {
                "name": "Material on a contact",
                "model_id": self.env["ir.model"]._get_id("res.partner"),
                "state": "fm_add_material",
                "fm_material_product_id": self.material.id,
            }
        )
        self.assertIn("only run on work orders", partner_action.warning)
        self.assertNotIn("fm_add_material", partner_action.allowed_states)
        self.assertIn("fm_task", partner_action.allowed_states)


@tagged("post_install", "-at_install")
class TestAutomationSafety(AutomationCase):
    """Loops, access rights and batching."""

    def test_rule_changing_the_work_order_does_not_refire_itself(self):
        order = self._planned_work_order()
        # on any update of a work order, add material: adding the line updates the
        # work order (its amounts) again
        self._rule(
            "wo_state_changed",
            [{"state": "fm_add_material", "fm_material_product_id": self.material.id}],
            trigger_field_ids=[Command.clear()],
        )
        order.action_ready()
        self.assertEqual(len(order.line_ids), 1)
        self.assertEqual(order.amount_untaxed, 12.5)

    def test_chain_of_rules_ends(self):
        Fields = self.env["ir.model.fields"]
        summary = Fields._get("field.work.order", "summary").id
        follow_up = {
            "state": "fm_follow_up",
            "fm_follow_up_field_ids": [
                Command.create({"field_id": summary, "operation": "set", "value": "Follow-up"})
            ],
        }
        # A: every new work order gets a follow-up; B: every new follow-up too
        self._rule("wo_created", [follow_up])
        self._rule(
            "wo_created", [follow_up], filter_domain="[('origin_work_order_id', '!=', False)]"
        )
        order = self._work_order()
        orders = self.env["field.work.order"].search([("partner_id", "=", self.customer.id)])
        # order -> follow-up by A -> follow-up by B; A and B never re-enter their chain
        self.assertEqual(len(orders), 3)
        self.assertEqual(len(order.follow_up_ids), 1)
        self.assertEqual(len(order.follow_up_ids.follow_up_ids), 1)
        self.assertFalse(order.follow_up_ids.follow_up_ids.follow_up_ids)

    def test_rule_on_a_computed_field_fires_when_it_is_recomputed(self):
        """Rules watching a stored computed field fire when Odoo recomputes it; rules
        watching other fields of the same model leave it alone."""
        Fields = self.env["ir.model.fields"]
        self._rule("wo_state_changed", [self._task_action("Status changed")])
        rule = self._rule(
            False,  # a native rule
            [self._task_action("Invoice it")],
            model_id=self.env["ir.model"]._get_id("field.work.order"),
            trigger="on_write",
            trigger_field_ids=[Command.set(Fields._get("field.work.order", "priority").ids)],
            filter_domain="[('invoice_status', '=', 'to_invoice')]",
        )
        # edited in the rule editor: now it watches the invoice status
        rule.trigger_field_ids = [
            Command.set(Fields._get("field.work.order", "invoice_status").ids)
        ]
        order = self._order_in_state(
            "in_progress",
            line_ids=[Command.create({"product_id": self.material.id, "quantity": 1})],
        )
        self.assertFalse(self._tasks(order, "Invoice it"))
        order.action_done()  # writes the status; the invoice status is recomputed
        self.assertEqual(order.invoice_status, "to_invoice")
        self.assertEqual(len(self._tasks(order, "Invoice it")), 1)
        self.assertEqual(len(self._tasks(order, "Status changed")), 3)  # ready, started, done

    def test_technician_trigger_never_gets_access_error(self):
        """A technician's completion runs rules as superuser: the follow-up is
        created although technicians cannot plan, and the task is assigned to
        the manager."""
        self._rule(
            "wo_completed",
            [
                {"state": "fm_follow_up"},
                self._task_action("Review"),
                {"state": "fm_add_material", "fm_material_product_id": self.material.id},
            ],
        )
        order = self._order_in_state("in_progress")
        order.with_user(self.technician).action_done()
        self.assertEqual(len(order.follow_up_ids), 1)
        self.assertEqual(self._tasks(order, "Review").user_id, self.manager)
        self.assertEqual(len(order.line_ids), 1)

    def test_actions_only_act_on_records_the_triggering_user_may_access(self):
        rule = self._rule(
            "wo_completed",
            [{"state": "fm_add_material", "fm_material_product_id": self.material.id}],
        )
        action = rule.action_server_ids
        own = self._order_in_state("planned")
        foreign = self._order_in_state(
            "planned", technician_ids=[Command.set(self.technician_2.ids)]
        )
        # as run by a rule triggered by the technician (actions run as superuser)
        with mute_logger("odoo.addons.field_maintenance.models.ir_actions_server"):
            action.sudo().with_context(
                active_model="field.work.order",
                active_ids=(own | foreign).ids,
                active_id=own.id,
                **{TRIGGER_KEY: RuleTrigger(self.technician.id, False)},
            ).run()
        self.assertEqual(len(own.line_ids), 1)
        self.assertFalse(foreign.line_ids, "the technician may not change this work order")
        # run by hand by the technician: Odoo's own check refuses
        with self.assertRaises(AccessError), mute_logger("odoo.addons.base.models.ir_actions"):
            action.with_user(self.technician).with_context(
                active_model="field.work.order", active_ids=foreign.ids, active_id=foreign.id
            ).run()

    def test_batch_query_count_does_not_grow_per_work_order(self):
        """Five rules on a status change: the queries the rules add for 30 more
        work orders stay a small constant, not a few per work order."""
        self._rule("wo_planned_to_ready", [self._task_action("Prepare")])
        self._rule(
            "wo_state_changed",
            [{"state": "fm_add_material", "fm_material_product_id": self.material.id}],
        )
        self._rule("wo_completed", [{"state": "fm_follow_up"}])
        self._rule("wo_dispatch_update", [self._task_action("Moved")])
        self._rule("wo_sla_response", [self._task_action("Late")])

        def ready_queries(count):
            orders = self.env["field.work.order"].create(
                [
                    {
                        "partner_id": self.customer.id,
                        "planned_date_start": self.start,
                        "technician_ids": [Command.set(self.technician.ids)],
                        "state": "planned",
                    }
                    for __ in range(count)
                ]
            )
            self.env.flush_all()
            self.env.invalidate_all()
            before = self.env.cr.sql_log_count
            orders.action_ready()
            self.env.flush_all()
            queries = self.env.cr.sql_log_count - before
            self.assertEqual(len(self._tasks(orders, "Prepare")), count)
            self.assertEqual(len(orders.line_ids), count)
            return queries

        def baseline(count):
            with patch.object(
                type(self.env["base.automation"]), "_process", lambda *args, **kwargs: None
            ):
                orders = self.env["field.work.order"].create(
                    [
                        {
                            "partner_id": self.customer.id,
                            "planned_date_start": self.start,
                            "technician_ids": [Command.set(self.technician.ids)],
                            "state": "planned",
                        }
                        for __ in range(count)
                    ]
                )
                self.env.flush_all()
                self.env.invalidate_all()
                before = self.env.cr.sql_log_count
                orders.action_ready()
                self.env.flush_all()
                return self.env.cr.sql_log_count - before

        ready_queries(5)  # warm the caches
        small, large = ready_queries(10), ready_queries(40)
        base_small, base_large = baseline(10), baseline(40)
        added_per_order = ((large - small) - (base_large - base_small)) / 30
        self.assertLess(
            added_per_order,
            1,
            f"rules add {added_per_order:.2f} queries per work order "
            f"({small}/{large} with rules, {base_small}/{base_large} without)",
        )
