#!/usr/bin/env python3
"""Two workers generating the work orders of the same maintenance plans at once.

Creates and commits N plans due now, then starts W threads, each with its own
database cursor (as separate cron workers have), released together:

- ``cron``: each worker runs the generation cron method (plans locked per batch,
  locked ones skipped);
- ``race``: each worker generates the work orders of all the plans without locking
  them, so that both look for existing work orders before either commits; only the
  unique index on (plan, due date) of work orders stands between them and duplicates;
- ``race-cron``: the cron method in each worker, its row locks disabled: the loser of
  the race must give the batch up and end without error.

Then checks that every plan has exactly one work order for its due date, prints what
each worker did, and deletes the plans and work orders it created (the database is
left as it was, apart from sequence numbers).

    python3 benchmarks/check_concurrent_generation.py -d mydb --plans 200 \\
        --db_host 127.0.0.1 --db_user odoo --db_password odoo \\
        --addons-path /opt/odoo19/addons,/path/to/repo
"""

import argparse
import logging
import sys
import threading
from datetime import timedelta
from unittest.mock import patch

from _odoo import add_connection_arguments, load_registry, out, superuser


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_connection_arguments(parser)
    parser.add_argument("--plans", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--mode", choices=["cron", "race", "race-cron", "all"], default="all")
    return parser.parse_args(argv)


def create_plans(registry, count):
    from odoo import Command, fields

    with registry.cursor() as cr:
        env = superuser(cr)
        product = env["product.product"].create({"name": "Concurrency part", "type": "consu"})
        customer = env["res.partner"].create({"name": "Concurrency customer"})
        today = fields.Date.context_today(env["field.maintenance.plan"])
        plans = env["field.maintenance.plan"].create(
            [
                {
                    "name": f"Concurrency plan {index}",
                    "partner_id": customer.id,
                    "next_date": today + timedelta(days=1),
                    "auto_create_days": 2,
                    "send_reminder": False,
                    "line_ids": [Command.create({"product_id": product.id, "quantity": 1})],
                }
                for index in range(count)
            ]
        )
        return plans.ids, product.id, customer.id


def worker(registry, mode, plan_ids, barrier, report, name):
    try:
        with registry.cursor() as cr:
            env = superuser(cr)
            Plan = env["field.maintenance.plan"]
            if mode == "race-cron":
                # the cron without its row locks: both workers take the same batch
                Plan = type(Plan)
                with patch.object(Plan, "try_lock_for_update", lambda self, **kwargs: self):
                    barrier.wait()
                    env["field.maintenance.plan"]._cron_generate_work_orders()
                    cr.commit()
                report[name] = "finished without error"
            elif mode == "race":
                plans = Plan.browse(plan_ids)
                plans.mapped("next_date")  # read before the race: same snapshot for all
                barrier.wait()
                orders = plans._generate_work_orders()
                cr.commit()
                report[name] = f"created {len(orders)} work orders"
            else:
                barrier.wait()
                before = env["field.work.order"].search_count([])
                Plan._cron_generate_work_orders()
                cr.commit()
                report[name] = (
                    f"created {env['field.work.order'].search_count([]) - before} work orders"
                )
    except Exception as error:  # noqa: BLE001 - reported, the transaction is rolled back
        report[name] = f"rolled back: {type(error).__name__}: {str(error).splitlines()[0]}"


def check(registry, plan_ids):
    with registry.cursor() as cr:
        env = superuser(cr)
        cr.execute(
            """
            SELECT p.id, count(o.id)
              FROM field_maintenance_plan p
         LEFT JOIN field_work_order o
                ON o.maintenance_plan_id = p.id AND o.maintenance_due_date = p.next_date
             WHERE p.id IN %s
          GROUP BY p.id
            """,
            [tuple(plan_ids)],
        )
        counts = dict(cr.fetchall())
        env.invalidate_all()
        return counts


def cleanup(registry, plan_ids, product_id, customer_id):
    with registry.cursor() as cr:
        env = superuser(cr)
        plans = env["field.maintenance.plan"].browse(plan_ids)
        env["field.work.order"].with_context(active_test=False).search(
            [("maintenance_plan_id", "in", plan_ids)]
        ).unlink()
        plans.unlink()
        env["product.product"].browse(product_id).unlink()
        env["res.partner"].browse(customer_id).unlink()


def run(registry, mode, args):
    plan_ids, product_id, customer_id = create_plans(registry, args.plans)
    try:
        barrier = threading.Barrier(args.workers)
        report = {}
        threads = [
            threading.Thread(
                target=worker,
                args=(registry, mode, plan_ids, barrier, report, f"worker {index + 1}"),
            )
            for index in range(args.workers)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        counts = check(registry, plan_ids)
        out(f"mode {mode}: {args.workers} workers, {len(plan_ids)} plans")
        for name in sorted(report):
            out(f"  {name}: {report[name]}")
        duplicates = sum(1 for count in counts.values() if count > 1)
        missing = sum(1 for count in counts.values() if count == 0)
        verdict = "OK" if not duplicates and not missing else "FAILED"
        out(
            f"  plans with exactly one work order: {sum(1 for c in counts.values() if c == 1)}"
            f", duplicates: {duplicates}, without work order: {missing} -> {verdict}"
        )
        return not duplicates and not missing
    finally:
        cleanup(registry, plan_ids, product_id, customer_id)


def main(argv=None):
    args = parse_args(argv)
    registry = load_registry(args)
    # the refused INSERT and UPDATE are expected in the race: do not log them as errors
    logging.getLogger("odoo.sql_db").setLevel(logging.CRITICAL)
    modes = ["cron", "race", "race-cron"] if args.mode == "all" else [args.mode]
    results = [run(registry, mode, args) for mode in modes]
    sys.exit(0 if all(results) else 1)


if __name__ == "__main__":
    main()
