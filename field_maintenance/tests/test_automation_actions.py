"""Automation rules: every action type, run by rules on work orders (the invoicing
types are in test_automation_invoicing)."""

from datetime import date, datetime, timedelta

from freezegun import freeze_time

from odoo import Command
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.mail.tests.common import MockEmail

from .common import SmsMock
from .test_automation_common import AutomationCase

NOW = datetime(2026, 3, 2, 9, 0)


@tagged("post_install", "-at_install")
class TestAutomationActions(AutomationCase, MockEmail, SmsMock):
    """Every action type, run by rules."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.mail_template = cls._mail_template()
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
        self._run_cron(
            self.env.ref("field_maintenance.ir_cron_field_scheduled_mail"), at=at, cursor_now=True
        )

    def test_email_with_extra_address_and_delay(self):
        """A delayed e-mail is scheduled once for all the records of the trigger and
        written at its time; the queue sends it to the template's and the extra
        recipients."""
        self._mail_rule(fm_mail_extra_email="boss@janssens.example.com")
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
        self._mail_rule()
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
        self._mail_rule()
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
