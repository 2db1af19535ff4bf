#!/usr/bin/env python3
"""Status change of work orders with automation rules versus none.

Creates N planned work orders in a database where field_maintenance is installed and marks
them ready (``action_ready()``, one write for all) five times, each time in its own
savepoint that is rolled back:

- without any automation rule (the reference),
- with five active field-service rules whose conditions no work order meets: the cost of
  the rule engine itself (triggers, conditions, bookkeeping),
- with five active field-service rules (three of them fire on this change: e-mail the
  customer 15 minutes later, a task for the lead technician, add material; two do not:
  follow-up work order on completion, SMS on a dispatch-board update),
- with the same five rules, their actions run record by record as Odoo runs other actions
  (batching switched off), to show what batching saves,
- with the equivalent native rules: "Send Email" (template), "Create Activity", Python code
  creating the line (no native action adds material), Python code copying the work order,
  "Send SMS".

It prints seconds, SQL queries and queries per work order for each, and the ratios of the
times with the five field-service rules to the time without rules (target: at most 1.5).
When rules fire, their actions create records (here 1,000 tasks and lines; the e-mails
sent 15 minutes later are scheduled in one row and written when due, by a cron), which
costs what creating those records costs; batching keeps that to a few queries per batch.
The work orders exist before the measured write (their creation is not part of it), and
the measured time includes the end of the request (flush and pre-commit hooks, such as
the tracking messages of the status change).
Everything is rolled back at the end: the database is left as it was.

    python3 benchmarks/bench_automation.py -d mydb -n 1000 \\
        --db_host 127.0.0.1 --db_user odoo --db_password odoo \\
        --addons-path /opt/odoo19/addons,/path/to/repo

The status change is done by a dispatcher (access rights and record rules apply, and the
rules check the dispatcher's access to the work orders); use --superuser to run as the
superuser instead.
"""

import argparse
import sys
from contextlib import nullcontext
from datetime import datetime
from unittest.mock import patch

from _odoo import Meter, add_connection_arguments, environment, out, round_by_round


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_connection_arguments(parser)
    parser.add_argument("-n", "--orders", type=int, default=1000, help="work orders (1000)")
    parser.add_argument("--superuser", action="store_true", help="run as the superuser")
    parser.add_argument(
        "--skip-unbatched", action="store_true", help="skip the run without batching"
    )
    parser.add_argument(
        "--count-calls",
        action="store_true",
        help="also count the Python function calls of each case, in one more run of each: "
        "a ratio that the load of the machine does not change",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="runs of each case but the native one, the fastest counts (3)",
    )
    return parser.parse_args(argv)


def create_fixtures(env):
    from odoo import Command

    su = env(su=True)
    model_id = su["ir.model"]._get_id("field.work.order")
    technician = su["res.users"].create(
        {
            "name": "Bench technician",
            "login": "bench_automation_technician",
            "group_ids": [Command.set(su.ref("field_maintenance.group_field_technician").ids)],
        }
    )
    dispatcher = su["res.users"].create(
        {
            "name": "Bench dispatcher",
            "login": "bench_automation_dispatcher",
            "email": "dispatch@bench.example.com",
            "group_ids": [Command.set(su.ref("field_maintenance.group_field_user").ids)],
        }
    )
    customers = su["res.partner"].create(
        [
            {
                "name": f"Bench customer {index}",
                "email": f"customer{index}@bench.example.com",
                "phone": f"+32 9 123 45 {index:02d}",
            }
            for index in range(50)
        ]
    )
    return {
        "model_id": model_id,
        "technician": technician,
        "dispatcher": dispatcher,
        "customers": customers,
        "product": su["product.product"].create(
            {"name": "Bench filter", "type": "consu", "list_price": 8.0}
        ),
        "mail_template": su["mail.template"].create(
            {
                "name": "Bench: work order ready",
                "model_id": model_id,
                "subject": "{{ object.name }} is ready",
                "body_html": "<p>Work order <t t-out='object.name'/> is ready.</p>",
                "partner_to": "{{ object.partner_id.id }}",
                "use_default_to": False,
            }
        ),
        "sms_template": su["sms.template"].create(
            {"name": "Bench SMS", "model_id": model_id, "body": "{{ object.name }} moved"}
        ),
        "state_field": su["ir.model.fields"]._get("field.work.order", "state"),
        "start_field": su["ir.model.fields"]._get("field.work.order", "planned_date_start"),
    }


def create_orders(env, fixtures, count):
    from odoo import Command

    customers = fixtures["customers"]
    orders = (
        env(su=True)["field.work.order"]
        .with_context(tracking_disable=True)
        .create(
            [
                {
                    "partner_id": customers[index % len(customers)].id,
                    "summary": f"Bench job {index}",
                    "planned_date_start": datetime(2026, 3, 2, 8, 0),
                    "technician_ids": [Command.set(fixtures["technician"].ids)],
                    "state": "planned",
                }
                for index in range(count)
            ]
        )
    )
    # planned by a dispatcher: "Plan" makes the technicians followers, as it does
    orders._subscribe_technicians()
    env.flush_all()
    # end the "request" that created them, as if they existed before: records created in
    # the current transaction get no tracking messages, existing ones do
    env.cr.precommit.run()
    return orders


def field_service_rules(fixtures, firing=True):
    rules = [
        (
            "wo_planned_to_ready",
            {},
            [
                {
                    "state": "fm_email",
                    "fm_mail_template_id": fixtures["mail_template"].id,
                    "fm_mail_delay": 15,
                }
            ],
        ),
        (
            "wo_state_changed",
            {},
            [
                {
                    "state": "fm_task",
                    "fm_task_title": "Prepare the job",
                    "fm_task_user_type": "generic",
                    "fm_task_user_field": "user_id",
                }
            ],
        ),
        (
            "wo_state_changed",
            {},
            [
                {
                    "state": "fm_add_material",
                    "fm_material_product_id": fixtures["product"].id,
                }
            ],
        ),
        ("wo_completed", {}, [{"state": "fm_follow_up"}]),
        (
            "wo_dispatch_update",
            {},
            [{"state": "fm_sms", "fm_sms_template_id": fixtures["sms_template"].id}],
        ),
    ]
    if not firing:
        # same rules, with a condition no work order meets: the cost of evaluating them
        rules = [
            (fm_trigger, {"filter_domain": NOT_FIRING[fm_trigger]}, actions)
            for fm_trigger, __, actions in rules
        ]
    return rules


NOT_FIRING = {
    "wo_planned_to_ready": "[('state', '=', 'ready'), ('priority', '=', '3')]",
    "wo_state_changed": "[('priority', '=', '3')]",
    "wo_completed": "[('state', '=', 'done'), ('priority', '=', '3')]",
    "wo_dispatch_update": "[('priority', '=', '3')]",
}


def native_rules(env, fixtures):
    from odoo import Command

    state = [Command.set(fixtures["state_field"].ids)]
    add_line = (
        "env['field.work.order.line'].create({'work_order_id': record.id, "
        f"'line_type': 'material', 'product_id': {fixtures['product'].id}}})"
    )
    return [
        (
            False,
            {
                "trigger": "on_write",
                "trigger_field_ids": state,
                "filter_pre_domain": "[('state', '=', 'planned')]",
                "filter_domain": "[('state', '=', 'ready')]",
            },
            [
                {
                    "state": "mail_post",
                    "template_id": fixtures["mail_template"].id,
                    "mail_post_method": "email",
                }
            ],
        ),
        (
            False,
            {"trigger": "on_write", "trigger_field_ids": state},
            [
                {
                    "state": "next_activity",
                    "activity_type_id": env.ref("mail.mail_activity_data_todo").id,
                    "activity_summary": "Prepare the job",
                    "activity_user_type": "generic",
                    "activity_user_field_name": "user_id",
                }
            ],
        ),
        (
            False,
            {"trigger": "on_write", "trigger_field_ids": state},
            [{"state": "code", "code": add_line}],
        ),
        (
            False,
            {
                "trigger": "on_write",
                "trigger_field_ids": state,
                "filter_domain": "[('state', '=', 'done')]",
            },
            [{"state": "code", "code": "record.copy({'origin_work_order_id': record.id})"}],
        ),
        (
            False,
            {
                "trigger": "on_write",
                "trigger_field_ids": [Command.set(fixtures["start_field"].ids)],
            },
            [{"state": "sms", "sms_template_id": fixtures["sms_template"].id, "sms_method": "sms"}],
        ),
    ]


def create_rules(env, fixtures, specs):
    su = env(su=True)
    rules = su["base.automation"]
    for index, (fm_trigger, vals, actions) in enumerate(specs):
        rule = su["base.automation"].create(
            {
                "name": f"Bench rule {index}",
                "model_id": fixtures["model_id"],
                **({"fm_trigger": fm_trigger} if fm_trigger else {}),
                **vals,
            }
        )
        su["ir.actions.server"].create(
            [
                {
                    "name": f"Bench action {index}",
                    "model_id": fixtures["model_id"],
                    "usage": "base_automation",
                    "base_automation_id": rule.id,
                    **action,
                }
                for action in actions
            ]
        )
        rules |= rule
    env.flush_all()
    return rules


def main(argv=None):
    args = parse_args(argv)
    with environment(args) as env:
        cr = env.cr
        if "field.work.order" not in env or "fm_trigger" not in env["base.automation"]:
            sys.exit(f"field_maintenance (with automation) is not installed in {args.database}")
        # the time includes the end of the request (tracking messages)
        meter = Meter(env, end="request", collect_garbage=True)
        counts = {}
        try:
            # no other rule on work orders may interfere
            env["base.automation"].search([("model_name", "=", "field.work.order")]).write(
                {"active": False}
            )
            fixtures = create_fixtures(env)
            user_env = env if args.superuser else env(user=fixtures["dispatcher"])
            Rules = env["base.automation"]

            def run_once(name, specs=None, unbatched=False, count_calls=False):
                env.flush_all()
                cr.flush()
                cr.execute("SAVEPOINT bench_automation")
                rules = create_rules(env, fixtures, specs) if specs else Rules
                orders = create_orders(env, fixtures, args.orders).with_env(user_env)
                batching = (
                    patch.object(type(env["ir.actions.server"]), "_fm_is_batched", lambda s: False)
                    if unbatched
                    else nullcontext()
                )
                with batching, meter(name, count_calls):
                    orders.action_ready()
                if count_calls:
                    cr.execute("ROLLBACK TO SAVEPOINT bench_automation")
                    env.invalidate_all()
                    if rules:
                        Rules._update_registry()
                    return
                counts[name] = {
                    "lines": len(orders.sudo().line_ids),
                    "tasks": env["mail.activity"].search_count(
                        [("res_model", "=", "field.work.order"), ("res_id", "in", orders.ids)]
                    ),
                    "mails": env["mail.mail"].search_count(
                        [("model", "=", "field.work.order"), ("res_id", "in", orders.ids)]
                    ),
                    # delayed e-mails of field-service rules are written at their time
                    "scheduled": sum(
                        len(set(scheduled.res_ids) & set(orders.ids))
                        for scheduled in env["field.scheduled.mail"].search([])
                    ),
                }
                cr.execute("ROLLBACK TO SAVEPOINT bench_automation")
                env.invalidate_all()
                if rules:
                    Rules._update_registry()  # unpatch the models again

            cases = [
                ("none", None, False),
                ("field_service_idle", field_service_rules(fixtures, firing=False), False),
                ("field_service", field_service_rules(fixtures), False),
            ]
            if not args.skip_unbatched:
                cases.append(("field_service_unbatched", field_service_rules(fixtures), True))
            # the cases in turn, repeated: a machine that is slower for a while slows all
            for _run in range(max(args.repeat, 1)):
                for name, specs, unbatched in cases:
                    run_once(name, specs, unbatched)
            run_once("native", native_rules(env, fixtures))  # slow: once
            if args.count_calls:
                for name, specs, unbatched in cases:
                    run_once(name, specs, unbatched, count_calls=True)
        finally:
            cr.rollback()
            env["base.automation"]._update_registry()

    results = meter.results
    user = "superuser" if args.superuser else "dispatcher"
    out(
        f"database {args.database}: {args.orders} planned work orders marked ready in one "
        f"write, as a {user}"
    )
    labels = {
        "none": "no rules",
        "field_service_idle": "5 field-service rules, none firing",
        "field_service": "5 field-service rules, 3 firing",
        "field_service_unbatched": "5 field-service rules, not batched",
        "native": "5 equivalent native rules",
    }
    reference = results["none"]
    cpu_label = "CPU, Odoo + PostgreSQL" if meter.cpu.includes_database else "CPU of Odoo"
    for name, result in results.items():
        out(
            f"{labels[name]:<36} {result['seconds']:8.2f} s  "
            f"{result['cpu']:7.2f} s {cpu_label}  "
            f"{result['queries']:7d} queries  "
            f"{result['queries'] / args.orders:6.2f} queries/work order  "
            f"x{result['seconds'] / reference['seconds']:5.2f} time  "
            f"x{result['cpu'] / reference['cpu']:5.2f} CPU  "
            f"(+{(result['queries'] - reference['queries']) / args.orders:.2f} queries/WO; "
            f"{counts[name]['mails']} e-mails written, "
            f"{counts[name]['scheduled']} scheduled, {counts[name]['tasks']} tasks, "
            f"{counts[name]['lines']} lines)"
        )
    for name in ("field_service_idle", "field_service"):
        ratio = results[name]["seconds"] / reference["seconds"]
        cpu_ratio = results[name]["cpu"] / reference["cpu"]
        verdict = "ok" if max(ratio, cpu_ratio) <= 1.5 else "ABOVE TARGET"
        out(
            f"ratio {labels[name]} / no rules: {ratio:.2f} wall clock, {cpu_ratio:.2f} "
            f"{cpu_label} (target <= 1.5: {verdict})"
        )
        if len(meter.runs[name]) > 1:
            # each run against the run without rules of the same round
            out(round_by_round(meter.runs[name], meter.runs["none"], "cpu", cpu_label))
    if meter.calls:
        reference_calls = meter.calls["none"]
        out(
            "Python function calls (a count of the work done, which the load of the machine "
            "does not change): "
            + ", ".join(
                f"{labels[name]} {calls:,} (x{calls / reference_calls:.3f})"
                for name, calls in meter.calls.items()
            )
        )
    out("rolled back: the database is unchanged")
    return results


if __name__ == "__main__":
    main()
