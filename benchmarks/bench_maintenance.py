#!/usr/bin/env python3
"""Throughput of periodic maintenance: reminders and automatic work orders.

Creates N maintenance plans (each with three template lines) due now in a database
where field_maintenance is installed, runs the reminder cron and the work-order
generation cron, prints plans/s, reminders/s, work orders/s, SQL queries per generated
work order and peak memory, and rolls everything back.

    python3 benchmarks/bench_maintenance.py -d mydb --plans 10000 \\
        --db_host 127.0.0.1 --db_user odoo --db_password odoo \\
        --addons-path /opt/odoo19/addons,/path/to/repo

When OCA ``fieldservice_recurring`` is installed in the same database, the same number
of orders is generated there (one yearly recurring order each, due now) and the
throughput ratio is printed. To get it for Odoo 19 without touching the Python
environment::

    pip download --no-deps -d /tmp/oca "odoo-addon-fieldservice-recurring>=19.0,<19.1" \
        "odoo-addon-fieldservice>=19.0,<19.1" "odoo-addon-base_territory>=19.0,<19.1"
    cd /tmp/oca && for wheel in *.whl; do unzip -oq "$wheel"; done
    # then add /tmp/oca/odoo/addons to --addons-path and install fieldservice_recurring

The crons commit their batches (``ir.cron._commit_progress``); here commits only flush
and clear the caches, as a commit does, and the transaction is rolled back at the end:
the database is left as it was.
"""

import argparse
import logging
import resource
import sys
from contextlib import contextmanager
from datetime import timedelta

from _odoo import Meter, add_connection_arguments, environment, out, round_by_round

_logger = logging.getLogger("bench_maintenance")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_connection_arguments(parser)
    parser.add_argument("--plans", type=int, default=10000, help="number of plans (10000)")
    parser.add_argument(
        "--batch-size", type=int, default=0, help="plans per cron batch (module default)"
    )
    parser.add_argument("--customers", type=int, default=0, help="customers (plans / 10)")
    parser.add_argument(
        "--tracemalloc",
        action="store_true",
        help="measure the peak of Python allocations (slower) besides the peak RSS",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=1,
        help="runs of the generation (ours then OCA's, in turn, rolled back in between); the "
        "fastest of each counts (1)",
    )
    parser.add_argument("--skip-reminders", action="store_true")
    parser.add_argument("--skip-oca", action="store_true")
    return parser.parse_args(argv)


def peak_rss_mb():
    # ru_maxrss is in kilobytes on Linux
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@contextmanager
def commits_flush_only(cr):
    """Crons commit their batches; keep everything in one transaction instead, doing what
    a commit does to the ORM (flush, run the pre-commit hooks, clear the caches)."""
    original = cr.commit

    def commit():
        cr.flush()
        cr.clear()

    cr.commit = commit
    try:
        yield
    finally:
        cr.commit = original


def create_data(env, args):
    from odoo import Command, fields

    count = args.plans
    company = env.company
    products = env["product.product"].create(
        [
            {"name": f"Bench part {index}", "type": "consu", "list_price": 10.0 + index}
            for index in range(3)
        ]
    )
    work_type = env["field.work.type"].create({"name": "Bench maintenance"})
    customers = env["res.partner"].create(
        [
            {
                "name": f"Bench customer {index}",
                "is_company": True,
                "email": f"bench.customer.{index}@example.com",
                "street": f"Benchstraat {index}",
                "zip": "9000",
                "city": "Gent",
            }
            for index in range(args.customers or max(count // 10, 1))
        ]
    )
    today = fields.Date.context_today(env["field.maintenance.plan"])
    vals_list = [
        {
            "name": f"Bench plan {index}",
            "partner_id": customers[index % len(customers)].id,
            "company_id": company.id,
            "work_type_id": work_type.id,
            "interval_number": 1,
            "interval_unit": "year",
            "next_date": today + timedelta(days=1),
            # reminder and automatic creation both due: yesterday at the latest
            "reminder_days": 2,
            "auto_create_days": 2,
            "line_ids": [
                Command.create({"product_id": product.id, "quantity": 1 + index % 3})
                for product in products
            ],
        }
        for index in range(count)
    ]
    return vals_list


def prepare_oca(env, count):
    """Recurring orders of OCA fieldservice_recurring, when installed: ``count`` yearly
    recurring orders in progress whose first order is due now (one order each)."""
    if "fsm.recurring" not in env:
        return None
    from odoo import fields

    owner = env["res.partner"].create({"name": "Bench OCA owner"})
    location = env["fsm.location"].create({"name": "Bench OCA location", "owner_id": owner.id})
    frequency = env["fsm.frequency"].create(
        {"name": "Bench yearly", "interval": 1, "interval_type": "yearly"}
    )
    frequency_set = env["fsm.frequency.set"].create(
        {
            "name": "Bench yearly",
            "fsm_frequency_ids": [(6, 0, frequency.ids)],
            "schedule_days": 30,
        }
    )
    start = fields.Datetime.now() + timedelta(hours=1)
    recurrings = env["fsm.recurring"].create(
        [
            {
                "location_id": location.id,
                "fsm_frequency_set_id": frequency_set.id,
                "start_date": start,
                "max_orders": 1,
                "state": "progress",
            }
            for _index in range(count)
        ]
    )
    env.cr.flush()
    env.cr.clear()
    return recurrings


def main(argv=None):
    args = parse_args(argv)
    with environment(args) as env:
        cr = env.cr
        if "field.maintenance.plan" not in env:
            sys.exit(f"field_maintenance is not installed in {args.database}")
        Plan = env["field.maintenance.plan"]
        # a phase ends as the crons' commits end a batch; the caches are the crons' own
        meter = Meter(env, fresh_cache=False, python_memory=args.tracemalloc)
        baseline_rss = peak_rss_mb()
        with commits_flush_only(cr):
            vals_list = create_data(env, args)
            cr.flush()
            with meter("create_plans"):
                plans = Plan.create(vals_list)
            plan_ids = plans.ids
            cr.clear()
            if not args.skip_reminders:
                mails_before = env["mail.mail"].search_count([])
                with meter("reminders"):
                    Plan._cron_send_reminders(batch_size=args.batch_size or None)
                reminders = env["mail.mail"].search_count([]) - mails_before
            orders_before = env["field.work.order"].search_count([])
            recurrings = None if args.skip_oca else prepare_oca(env, len(plan_ids))
            oca_orders = None
            # ours and OCA's in turn, each run rolled back but the last: a machine that
            # is slower for a while slows both
            for attempt in range(max(args.repeat, 1)):
                cr.execute("SAVEPOINT bench_repeat")
                with meter("generation"):
                    Plan._cron_generate_work_orders(batch_size=args.batch_size or None)
                orders = env["field.work.order"].search_count([]) - orders_before
                lines = env["field.work.order.line"].search_count(
                    [("work_order_id.maintenance_plan_id", "in", plan_ids)]
                )
                if recurrings is not None:
                    with meter("oca_generation"):
                        env["fsm.recurring"]._cron_generate_orders()
                    oca_orders = env["fsm.order"].search_count(
                        [("fsm_recurring_id", "in", recurrings.ids)]
                    )
                if attempt < args.repeat - 1:
                    cr.execute("ROLLBACK TO SAVEPOINT bench_repeat")
                    env.invalidate_all()

    results = meter.results
    out(f"database {args.database}: {len(plan_ids)} plans, three template lines each")
    out(f"baseline RSS (registry loaded): {baseline_rss:.0f} MB")
    phase = results["create_plans"]
    out(
        f"create plans:      {len(plan_ids) / phase['seconds']:9.1f} plans/s "
        f"({phase['seconds']:.1f} s, {phase['queries'] / len(plan_ids):.2f} queries/plan)"
    )
    if not args.skip_reminders:
        phase = results["reminders"]
        out(
            f"reminder cron:     {reminders / phase['seconds']:9.1f} reminders/s, "
            f"{len(plan_ids) / phase['seconds']:.1f} plans/s "
            f"({reminders} e-mails queued, {phase['seconds']:.1f} s, "
            f"{phase['queries'] / max(reminders, 1):.2f} queries/reminder)"
        )
    cpu_label = "CPU of Odoo + PostgreSQL" if meter.cpu.includes_database else "CPU of Odoo"
    phase = results["generation"]
    out(
        f"generation cron:   {orders / phase['seconds']:9.1f} work orders/s "
        f"({orders} work orders, {lines} lines, {phase['seconds']:.1f} s, "
        f"{1000 * phase['seconds'] / max(orders, 1):.2f} ms/work order; "
        f"{cpu_label} {1000 * phase['cpu'] / max(orders, 1):.2f} ms/work order)"
    )
    out(
        f"SQL queries per generated work order: {phase['queries'] / max(orders, 1):.2f} "
        f"({phase['queries']} queries)"
    )
    out(f"peak RSS: {peak_rss_mb():.0f} MB")
    if args.tracemalloc:
        for name, phase in results.items():
            out(f"peak Python allocations during {name}: {phase['peak_python_mb']:.1f} MB")
    if oca_orders is None:
        out("OCA fieldservice_recurring: not installed in this database, no comparison")
    elif oca_orders:
        oca = results["oca_generation"]
        ours = orders / results["generation"]["seconds"]
        theirs = oca_orders / oca["seconds"]
        ours_cpu = orders / results["generation"]["cpu"]
        theirs_cpu = oca_orders / oca["cpu"]
        out(
            f"OCA fieldservice_recurring: {oca_orders} orders, {theirs:.1f} orders/s, "
            f"{1000 * oca['seconds'] / oca_orders:.2f} ms/order "
            f"({cpu_label} {1000 * oca['cpu'] / oca_orders:.2f} ms/order), "
            f"{oca['queries'] / oca_orders:.2f} queries/order"
        )
        out(
            f"ratio field_maintenance / OCA per generated order: {ours / theirs:.1f}x "
            f"throughput (wall clock), {ours_cpu / theirs_cpu:.1f}x ({cpu_label}), "
            f"{(oca['queries'] / oca_orders) / max(phase['queries'] / max(orders, 1), 1e-9):.0f}x "
            "fewer queries"
        )
        if len(meter.runs["oca_generation"]) > 1:
            # OCA's time per order over ours, each of our runs against OCA's that followed it
            per_order = [
                [{key: run[key] / count for key in ("seconds", "cpu")} for run in runs]
                for runs, count in (
                    (meter.runs["oca_generation"], oca_orders),
                    (meter.runs["generation"], orders),
                )
            ]
            out(round_by_round(*per_order, "cpu", cpu_label, fmt=".1f", suffix="x"))
    out("rolled back: the database is unchanged")
    return results


if __name__ == "__main__":
    main()
