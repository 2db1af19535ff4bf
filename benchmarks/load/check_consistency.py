#!/usr/bin/env python3
"""Consistency of the data after a load test (``run_load.py`` runs it before and after).

``--snapshot FILE`` records, before the test: the time, each maintenance plan's next
due date, and the lines (count, quantities, subtotals) of each done work order.
``--check FILE`` then finds, after the test:

- two open or done visits of one plan for one due date;
- a plan reminded twice during the test;
- a work-order line invoiced twice (on two invoices that are not cancelled);
- a work order done before the test whose lines changed;
- a plan not advanced exactly once per visit completed during the test (its next due
  date must be the snapshot's, moved one interval per completed visit of the due date
  it had then).

Prints each finding and exits 1 when there is one. Read only (the transaction is
rolled back).
"""

import argparse
import json
import sys
from datetime import date, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent))

from _odoo import add_connection_arguments, environment, out  # noqa: E402

LINES_OF_DONE_ORDERS = """
    SELECT o.id, count(l.id), coalesce(sum(l.quantity), 0), coalesce(sum(l.price_subtotal), 0)
      FROM field_work_order o
      LEFT JOIN field_work_order_line l ON l.work_order_id = o.id
     WHERE o.state = 'done'
     GROUP BY o.id
"""


def snapshot(env, path):
    env.cr.execute("SELECT now() at time zone 'UTC'")
    [now] = env.cr.fetchone()
    env.cr.execute("SELECT id, next_date FROM field_maintenance_plan WHERE state = 'active'")
    plans = {str(plan): str(next_date) for plan, next_date in env.cr.fetchall()}
    env.cr.execute(LINES_OF_DONE_ORDERS)
    lines = {
        str(order): [count, round(qty, 4), round(total, 2)]
        for order, count, qty, total in env.cr.fetchall()
    }
    Path(path).write_text(
        json.dumps({"start": now.isoformat(), "plans": plans, "done_lines": lines}),
        encoding="utf-8",
    )
    out(f"snapshot: {len(plans)} plans, {len(lines)} done work orders")


def check(env, path):
    before = json.loads(Path(path).read_text(encoding="utf-8"))
    start = datetime.fromisoformat(before["start"])
    cr = env.cr
    findings = []
    cr.execute(
        """SELECT maintenance_plan_id, maintenance_due_date, array_agg(name)
             FROM field_work_order
            WHERE maintenance_plan_id IS NOT NULL AND maintenance_due_date IS NOT NULL
              AND state != 'cancelled'
            GROUP BY 1, 2 HAVING count(*) > 1"""
    )
    findings += [f"plan {plan}: visits {names} for {due}" for plan, due, names in cr.fetchall()]
    cr.execute(
        """SELECT res_id, count(*) FROM mail_message
            WHERE model = 'field.maintenance.plan' AND create_date >= %s
              AND message_type IN ('email', 'email_outgoing', 'sms')
            GROUP BY res_id HAVING count(*) > 1""",
        [start],
    )
    findings += [f"plan {plan}: {count} reminders during the test" for plan, count in cr.fetchall()]
    cr.execute(
        """SELECT rel.work_order_line_id, array_agg(DISTINCT move.name)
             FROM field_work_order_line_invoice_rel rel
             JOIN account_move_line aml ON aml.id = rel.invoice_line_id
             JOIN account_move move ON move.id = aml.move_id
            WHERE move.state != 'cancel' AND move.move_type = 'out_invoice'
            GROUP BY 1 HAVING count(DISTINCT move.id) > 1"""
    )
    findings += [f"work-order line {line} invoiced on {moves}" for line, moves in cr.fetchall()]
    cr.execute(LINES_OF_DONE_ORDERS)
    now_lines = {
        str(order): [count, round(qty, 4), round(total, 2)]
        for order, count, qty, total in cr.fetchall()
    }
    for order, lines in before["done_lines"].items():
        if now_lines.get(order) != lines:
            findings.append(f"done work order {order}: lines {lines} became {now_lines.get(order)}")
    # plans: one interval per completed visit of the due date the plan had
    cr.execute(
        """SELECT maintenance_plan_id, array_agg(maintenance_due_date ORDER BY maintenance_due_date)
             FROM field_work_order
            WHERE state = 'done' AND date_end >= %s AND maintenance_plan_id IS NOT NULL
              AND maintenance_due_date IS NOT NULL
            GROUP BY 1""",
        [start],
    )
    Plan = env["field.maintenance.plan"]
    advanced = 0
    for plan_id, dues in cr.fetchall():
        plan = Plan.browse(plan_id)
        if str(plan_id) not in before["plans"] or plan.next_date_base != "due_date":
            continue
        expected = date.fromisoformat(before["plans"][str(plan_id)])
        for due in dues:
            if due >= expected:
                expected = plan._next_due_date(due, anchor_day=plan.anchor_day or due.day)
                advanced += 1
        if plan.next_date != expected:
            findings.append(f"plan {plan_id}: next due {plan.next_date}, expected {expected}")
    out(
        f"consistency after the test ({len(before['done_lines'])} done orders compared, "
        f"{advanced} plan advances checked): {len(findings)} finding(s)"
    )
    for finding in findings[:50]:
        out(f"  {finding}")
    return 1 if findings else 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_connection_arguments(parser)
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--snapshot", metavar="FILE")
    group.add_argument("--check", metavar="FILE")
    args = parser.parse_args(argv)
    with environment(args) as env:
        if args.snapshot:
            snapshot(env, args.snapshot)
            return 0
        return check(env, args.check)


if __name__ == "__main__":
    sys.exit(main())
