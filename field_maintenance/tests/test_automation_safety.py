"""Automation rules: chains of rules end, actions respect the triggering user's access,
incomplete actions do not run, actions are batched; and Odoo's own rules behave as
without the module."""

from contextlib import ExitStack, nullcontext
from unittest.mock import patch

from odoo import Command
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

from ..models import base_automation, ir_actions_server
from ..tools.rule_run import BATCH_KEY, CHAIN_KEY
from ..tools.rule_trigger import TRIGGER_KEY, RuleTrigger
from .test_automation_common import AutomationCase

# the methods through which the module extends the rule engine
ENGINE_HOOKS = [
    (base_automation.BaseAutomation, "_filter_pre"),
    (base_automation.BaseAutomation, "_filter_post_export_domain"),
    (base_automation.BaseAutomation, "_check_trigger_fields"),
    (base_automation.BaseAutomation, "_process"),
    (base_automation.BaseAutomation, "_register_hook"),
    (ir_actions_server.IrActionsServer, "run"),
]


def _delegating(cls, name):
    """``cls.name`` as if ``cls`` did not override it."""

    def method(self, *args, **kwargs):
        return getattr(super(cls, self), name)(*args, **kwargs)

    return method


@tagged("post_install", "-at_install")
class TestAutomationSafety(AutomationCase):
    """Loops, access rights, incomplete configurations, batching."""

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
        self.assertEqual(len(self._tasks(order, "Status changed")), 3)  # planned, started, done

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

    def test_rule_with_incomplete_action_cannot_be_switched_on(self):
        """An archived rule (as the examples shipped) is switched on only once its
        field-service actions are complete: else every completion would be refused."""
        rule = self._rule("wo_completed", [self._task_action("Check the report")])
        rule.active = False
        action = rule.action_server_ids
        # incomplete while archived (the editor refuses it on an active rule)
        action.write({"fm_task_user_type": "generic", "fm_task_user_field": "partner_id"})
        self.assertTrue(action.warning)
        # (administrators edit rules; Odoo's assertRaises rolls the refused write back)
        with self.assertRaises(ValidationError) as refused:
            rule.active = True
        self.assertIn("cannot be switched on", str(refused.exception))
        self.assertFalse(rule.active)
        # completed, it is switched on (positive control)
        action.write({"fm_task_user_type": "specific", "fm_task_user_id": self.manager.id})
        rule.active = True
        self.assertTrue(rule.active)

    def test_follow_up_field_of_another_model_is_refused(self):
        action = self.env["ir.actions.server"].create(
            {
                "name": "Follow-up",
                "model_id": self.env["ir.model"]._get_id("field.work.order"),
                "state": "fm_follow_up",
            }
        )
        FollowUpField = self.env["field.follow.up.field"]
        partner_name = self.env["ir.model.fields"]._get("res.partner", "name")
        with self.assertRaises(ValidationError) as refused:
            FollowUpField.create(
                {"action_id": action.id, "field_id": partner_name.id, "operation": "copy"}
            )
        self.assertIn("not a field of work orders", str(refused.exception))
        summary = self.env["ir.model.fields"]._get("field.work.order", "summary")
        rule = FollowUpField.create(
            {"action_id": action.id, "field_id": summary.id, "operation": "copy"}
        )
        self.assertEqual(rule.field_id, summary)

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

        def ready_queries(count, rules=True):
            """Queries of marking ``count`` planned work orders ready (``rules``: with the
            rules running, or none of them)."""
            no_rules = patch.object(type(self.env["base.automation"]), "_process", no_process)
            with nullcontext() if rules else no_rules:
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
            if rules:
                self.assertEqual(len(self._tasks(orders, "Prepare")), count)
                self.assertEqual(len(orders.line_ids), count)
            return queries

        def no_process(*args, **kwargs):
            return None

        ready_queries(5)  # warm the caches
        small, large = ready_queries(10), ready_queries(40)
        base_small, base_large = ready_queries(10, rules=False), ready_queries(40, rules=False)
        added_per_order = ((large - small) - (base_large - base_small)) / 30
        self.assertLess(
            added_per_order,
            1,
            f"rules add {added_per_order:.2f} queries per work order "
            f"({small}/{large} with rules, {base_small}/{base_large} without)",
        )

    def test_actions_of_a_rule_run_in_their_order(self):
        """A field-service action runs once for all the records, before the next action
        of the rule: Odoo's own action after it sees what it did."""
        self._rule(
            "wo_completed",
            [
                {"state": "fm_add_material", "fm_material_product_id": self.material.id},
                {
                    "state": "code",
                    "code": "record.write({'comment': 'lines: %s' % len(record.line_ids)})",
                },
                {"state": "fm_add_material", "fm_material_product_id": self.valve.id},
            ],
        )
        orders = self._order_in_state("in_progress") | self._order_in_state("in_progress")
        orders.action_done()
        self.assertEqual(orders.mapped("comment"), ["lines: 1", "lines: 1"])
        self.assertEqual(orders.line_ids.product_id, self.material | self.valve)
        self.assertEqual(len(orders.line_ids), 4)

    def test_field_service_action_runs_once_for_all_the_records(self):
        self._rule(
            "wo_completed",
            [{"state": "fm_add_material", "fm_material_product_id": self.material.id}],
        )
        orders = self._order_in_state("in_progress") | self._order_in_state("in_progress")
        Action = type(self.env["ir.actions.server"])
        runs = []
        runner = Action._run_action_fm_add_material_multi

        def counted(action, eval_context=None):
            runs.append(eval_context["records"].ids)
            return runner(action, eval_context=eval_context)

        with patch.object(Action, "_run_action_fm_add_material_multi", counted):
            orders.action_done()
        self.assertEqual(runs, [orders.ids])
        self.assertEqual(len(orders.line_ids), 2)

    def test_chain_and_batch_cannot_be_forged_by_the_client(self):
        """A context sent over RPC holds lists and dictionaries: it cannot make a rule
        believe it runs already (and skip it) or swallow the records of an action."""
        rule = self._rule(
            "wo_planned_to_ready",
            [
                self._task_action("Prepare"),
                {"state": "fm_add_material", "fm_material_product_id": self.material.id},
            ],
        )
        order = self._planned_work_order()
        forged = {CHAIN_KEY: [rule.id], BATCH_KEY: {"rule_ids": rule.ids}}
        order.with_user(self.dispatcher).with_context(**forged).action_ready()
        self.assertEqual(len(self._tasks(order, "Prepare")), 1)
        self.assertEqual(len(order.line_ids), 1)

    def test_native_time_based_rule_keeps_odoos_error_handling(self):
        """Only field-service rules isolate each record of a time-based rule: Odoo's
        scheduler rolls a native rule back as a whole when one record fails."""
        rule = self._rule(
            False,
            [{"state": "code", "code": "raise UserError('The remote office is closed')"}],
            model_id=self.env["ir.model"]._get_id("field.work.order"),
            trigger="on_time",
            trg_date_id=self.env["ir.model.fields"]._get("field.work.order", "create_date").id,
        )
        orders = self._work_order() | self._work_order()
        with self.assertRaisesRegex(UserError, "remote office"):
            rule._process(orders)

    def test_editing_the_watched_fields_reloads_models_for_field_service_rules_only(self):
        Fields = self.env["ir.model.fields"]
        field_service = self._rule("wo_state_changed", [self._task_action("Status")])
        native = self._rule(
            False,
            [{"state": "code", "code": "record.write({'comment': 'priority'})"}],
            model_id=self.env["ir.model"]._get_id("field.work.order"),
            trigger="on_create_or_write",
            trigger_field_ids=[Command.set(Fields._get("field.work.order", "priority").ids)],
        )
        Automation = type(self.env["base.automation"])
        summary = Fields._get("field.work.order", "summary")
        with patch.object(Automation, "_update_registry", autospec=True) as update:
            native.trigger_field_ids = [Command.link(summary.id)]
            self.assertFalse(update.called, "a native rule is edited as without the module")
            field_service.trigger_field_ids = [Command.link(summary.id)]
            self.assertTrue(update.called)


@tagged("post_install", "-at_install")
class TestNativeRules(TransactionCase):
    """Odoo's own rules (no field-service trigger, no field-service action) behave exactly
    as on a database without the module: the same scenario of native rules on contacts
    gives the same result with the module's extension of the rule engine switched off
    (its hooks delegate to Odoo's) and on."""

    def _scenario(self, prefix):
        """Contacts created, renamed, changed, processed by a time-based rule and deleted,
        with native rules watching a field, any field (a rule that writes its own record),
        a stored computed field, deletions, and time; what the rules wrote, by name."""
        Partner = self.env["res.partner"]
        Fields = self.env["ir.model.fields"]
        model_id = self.env["ir.model"]._get_id("res.partner")
        journal_name = f"{prefix} journal"

        def rule(name, trigger, code, **vals):
            rule = self.env["base.automation"].create(
                {
                    "name": f"{prefix} {name}",
                    "model_id": model_id,
                    "trigger": trigger,
                    "filter_domain": repr([("name", "like", prefix)]),
                    **vals,
                }
            )
            rule.action_server_ids = [
                Command.create({"name": name, "model_id": model_id, "state": "code", "code": code})
            ]
            self.addCleanup(rule.unlink)
            return rule

        def watching(name):
            return [Command.set(Fields._get("res.partner", name).ids)]

        def mark(letter):
            return f"record.write({{'comment': (record.comment or '') + '{letter}'}})"

        rule("watch", "on_create_or_write", mark("A"), trigger_field_ids=watching("name"))
        rule("any", "on_create_or_write", "record.write({'ref': str(int(record.ref or 0) + 1)})")
        rule(
            "computed", "on_write", mark("C"), trigger_field_ids=watching("commercial_company_name")
        )
        rule(
            "unlink",
            "on_unlink",
            f"journal = env['res.partner'].search([('name', '=', '{journal_name}')])\n"
            "journal.write({'function': (journal.function or '') + record.name})",
        )
        timed = rule(
            "time", "on_time", mark("T"), trg_date_id=Fields._get("res.partner", "write_date").id
        )
        journal = Partner.create({"name": journal_name})
        company = Partner.create({"name": f"{prefix} company", "is_company": True})
        person = Partner.create({"name": f"{prefix} person", "parent_id": company.id})
        company.name = f"{prefix} company renamed"
        person.email = "person@example.com"
        timed._process(company | person)
        fnames = ["name", "comment", "ref", "function"]
        rows = person.read(fnames)
        person.unlink()
        self.env.flush_all()
        rows += (journal | company).read(fnames)
        return [
            {
                fname: value.replace(prefix, "X") if isinstance(value, str) else value
                for fname, value in row.items()
                if fname != "id"
            }
            for row in rows
        ]

    def test_native_rules_behave_as_without_the_module(self):
        with ExitStack() as stack:
            for cls, name in ENGINE_HOOKS:
                stack.enter_context(patch.object(cls, name, _delegating(cls, name), create=True))
            without = self._scenario("FMNAT1")
        with_module = self._scenario("FMNAT2")
        self.assertEqual(with_module, without)
        # every rule fired in the scenario
        person, journal, company = with_module
        self.assertEqual(company["name"], "X company renamed")
        for letter in "ACT":
            self.assertIn(letter, company["comment"])
        self.assertIn("T", person["comment"])
        self.assertGreater(int(company["ref"]), 1)
        self.assertEqual(journal["function"], "X person")
