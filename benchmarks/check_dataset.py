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
- the three SLA policies, the example rules on, the users able to log in.

It is a script, not a test of the module's test command: the generator is not part of
the module (it is not installed with it) and it commits in batches, which Odoo's test
cursor forbids.

    python3 benchmarks/check_dataset.py -d fm_tpl_copy \\
        --db_host 127.0.0.1 --db_user odoo --db_password odoo
"""

import argparse
import sys
import time

import make_dataset
from _odoo import add_connection_arguments, environment, out


def check(env, builder):
    problems = []

    def expect(condition, message):
        if not condition:
            problems.append(message)

    counts = builder.counts
    Order = env["field.work.order"]
    orders = Order.search([("name", "in", builder.order_names)])
    expect(len(orders) == counts["work_orders"], f"{len(orders)} work orders")
    states = set(orders.mapped("state"))
    expect(
        states == {"draft", "planned", "ready", "in_progress", "done", "cancelled"},
        f"statuses {sorted(states)}",
    )
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
    plans = env["field.maintenance.plan"].browse(builder.plan_ids)
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
    build_args = make_dataset.parse_args(["-d", args.database, "--scale", "0.001", "--quiet"])
    started = time.perf_counter()
    with environment(args, make_dataset.BUILD_CONTEXT) as env:
        builder = make_dataset.Builder(env, build_args, make_dataset.sizes(build_args))
        # one transaction, rolled back at the end: flush instead of committing
        builder.commit = env.flush_all
        builder.build()
        problems = check(env, builder)
    out(f"dataset of scale 0.001 built and checked in {time.perf_counter() - started:.0f} s")
    for problem in problems:
        out(f"  FAILED: {problem}")
    out("OK" if not problems else f"{len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
