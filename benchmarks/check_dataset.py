#!/usr/bin/env python3
"""Smoke check of the dataset generator: builds ``make_dataset.py --scale 0.001`` in one
transaction of the given database, checks what the benchmarks rely on, and rolls it
all back (the database is left as it was). About half a minute.

- the sizes asked for: users, customers, installations, plans, work orders, invoices;
- work orders in every status, each with 3 to 8 lines;
- one calendar event per planned, ready, started or done order with a date and
  technicians, none for the others;
- one visit per plan and due date, every plan due after its last done visit;
- invoices made from done work orders, which show as invoiced;
- the three SLA policies, the example rules on, the users able to log in;
- with ``--history`` (a company of 0.005 after a tenth of its three years): the
  plans of the company, the work orders within the shorter history and the month ahead.

It is a script, not a test of the module's test command: the generator is not part of
the module (it is not installed with it) and it commits in batches, which Odoo's test
cursor forbids.

    python3 benchmarks/check_dataset.py -d fm_tpl_copy \\
        --db_host 127.0.0.1 --db_user odoo --db_password odoo
"""

import argparse
import sys
import time
from datetime import timedelta

import make_dataset
from _odoo import add_connection_arguments, environment, out


def highest_ids(env):
    """The highest ids of the work orders, plans and invoices before the build."""
    env.cr.execute(
        """SELECT (SELECT COALESCE(max(id), 0) FROM field_work_order),
                  (SELECT COALESCE(max(id), 0) FROM field_maintenance_plan),
                  (SELECT COALESCE(max(id), 0) FROM account_move)"""
    )
    return env.cr.fetchone()


def check(env, builder, before):
    problems = []

    def expect(condition, message):
        if not condition:
            problems.append(message)

    blocks = builder.blocks
    counts = {
        key: value * blocks if key in make_dataset.HISTORY else value
        for key, value in builder.counts.items()
    }
    order_mark, plan_mark, move_mark = before
    Order = env["field.work.order"]
    orders = Order.search([("id", ">", order_mark)])
    expect(len(orders) == counts["work_orders"], f"{len(orders)} work orders")
    expect(len(set(orders.mapped("name"))) == len(orders), "two work orders with one reference")
    states = set(orders.mapped("state"))
    expect(
        states == {"draft", "planned", "ready", "in_progress", "done", "cancelled"},
        f"statuses {sorted(states)}",
    )
    if builder.args.history < 1:
        # a shorter history: the same company's orders of its last days and the month ahead
        days = builder.history_days()
        dated = orders.filtered("planned_date_start")
        first = min(dated.mapped("planned_date_start")).date()
        last = max(dated.mapped("planned_date_start")).date()
        # a visit is planned up to 10 days from its due date, a weekend day on the Friday
        earliest = builder.today - timedelta(days=days + 12)
        expect(first >= earliest, f"a work order of {first}, before the history ({earliest})")
        latest = builder.today + timedelta(days=make_dataset.FUTURE_DAYS + 1)
        expect(last <= latest, f"a work order of {last}, after the month ahead ({latest})")
    line_counts = {len(order.line_ids) for order in orders}
    expect(min(line_counts) >= 3 and max(line_counts) <= 8, f"lines per order {line_counts}")
    for order in orders:
        wanted = (
            order.state in ("planned", "ready", "in_progress", "done")
            and order.planned_date_start
            and order.technician_ids
        )
        if len(order.calendar_event_ids) != (1 if wanted else 0):
            problems.append(
                f"{order.name} ({order.state}) has {len(order.calendar_event_ids)} events"
            )
            break
    for order in orders.filtered("calendar_event_ids")[:200]:
        attendees = order.calendar_event_ids.partner_ids
        if not order.technician_ids.partner_id <= attendees:
            problems.append(f"{order.name}: technicians not attendees of its event")
            break
    per_technician = {
        user: len(orders.filtered(lambda order, user=user: user in order.technician_ids))
        for user in builder.technicians
    }
    expect(
        len(builder.technicians) == 1 or min(per_technician.values()) > 0,
        f"work orders per technician {sorted(per_technician.values())}",
    )
    plans = env["field.maintenance.plan"].search([("id", ">", plan_mark)])
    expect(len(plans) == counts["plans"], f"{len(plans)} plans")
    env.cr.execute(
        """SELECT maintenance_plan_id, maintenance_due_date FROM field_work_order
            WHERE maintenance_plan_id = ANY(%s) AND state != 'cancelled'
              AND maintenance_due_date IS NOT NULL
            GROUP BY 1, 2 HAVING count(*) > 1""",
        [plans.ids],
    )
    expect(not env.cr.fetchall(), "two visits of a plan for one due date")
    for plan in plans:
        done = plan.work_order_ids.filtered(lambda order: order.state == "done")
        last_due = max(done.mapped("maintenance_due_date"), default=None)
        if last_due and plan.next_date <= last_due:
            problems.append(f"plan {plan.name} due {plan.next_date}, last visit due {last_due}")
            break
    invoiced = orders.filtered("invoice_ids")
    expect(invoiced, "no invoiced work order")
    expect(all(order.state == "done" for order in invoiced), "an invoiced order is not done")
    expect(
        set(invoiced.mapped("invoice_status")) <= {"invoiced", "to_invoice"},
        f"invoice statuses {set(invoiced.mapped('invoice_status'))}",
    )
    expect(len(invoiced.invoice_ids) == counts["invoices"], f"{len(invoiced.invoice_ids)} invoices")
    invoices = env["account.move"].search([("id", ">", move_mark), ("state", "=", "posted")])
    expect(
        invoices.invoice_line_ids.fm_work_order_line_ids.work_order_id <= invoiced,
        "an invoice line of an order that shows no invoice",
    )
    expect(len(set(invoices.mapped("name"))) == len(invoices), "two invoices with one number")
    expect(env["field.sla.policy"].search_count([("name", "like", "working")]) >= 3, "SLA policies")
    rules = env["base.automation"].search([("fm_trigger", "!=", False)])
    expect(all(rules.mapped("active")), "an example rule is off")
    users = env["res.users"].search([("login", "=like", "fm.%")])
    expected_users = counts["technicians"] + counts["dispatchers"] + counts["portal_users"]
    expect(len(users) == expected_users, f"{len(users)} users")
    env["res.users"].with_user(users[0])._check_credentials(
        {"type": "password", "password": builder.args.password}, {"interactive": False}
    )
    return problems


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_connection_arguments(parser)
    args = parser.parse_args(argv)
    failed = 0
    # the ORM alone, and a block of 0.001 copied twice by PostgreSQL (as at full size)
    # (three technicians: the copies give the work of one to another), and a company of
    # 0.005 after a tenth of its history (--history)
    for scale, copies, technicians, history in (
        ("0.001", "1", "1", "1"),
        ("0.003", "3", "3", "1"),
        ("0.005", "1", "3", "0.1"),
    ):
        build_args = make_dataset.parse_args(
            ["-d", args.database, "--scale", scale, "--copies", copies, "--quiet"]
            + ["--technicians", technicians, "--history", history]
        )
        started = time.perf_counter()
        with environment(args, make_dataset.BUILD_CONTEXT) as env:
            counts = make_dataset.sizes(build_args)
            blocks = make_dataset.block_count(build_args)
            builder = make_dataset.Builder(
                env, build_args, make_dataset.block_sizes(counts, blocks), blocks
            )
            # one transaction, rolled back at the end: flush instead of committing
            builder.commit = env.flush_all
            before = highest_ids(env)
            builder.build()
            env.invalidate_all()
            problems = check(env, builder, before)
        out(
            f"dataset of scale {scale} ({copies} block(s), history {history}) built and checked in "
            f"{time.perf_counter() - started:.0f} s"
        )
        for problem in problems:
            out(f"  FAILED: {problem}")
        out("OK" if not problems else f"{len(problems)} problem(s)")
        failed += bool(problems)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
