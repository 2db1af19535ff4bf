#!/usr/bin/env python3
"""Invoicing work orders in batch versus one by one.

Creates N done work orders (three lines each; planned, started and completed with their
buttons) in a database where field_maintenance and a chart of accounts are installed,
then invoices them

- in batch, one invoice per customer (the default setting),
- in batch, one invoice per work order (the other setting),
- one by one as a user clicking "Create Invoice" on each work order: one call per work
  order, each starting from an empty ORM cache as a new request does (the reference),
- one by one in a loop of one transaction, sharing the ORM cache and prefetching
  between calls (a stricter reference, for information),

each run in its own savepoint that is rolled back, and prints seconds (wall and CPU of
the Odoo process), SQL queries per work order and the ratio of the batch time to the
one-by-one time (target: at most 1/5).
Everything is rolled back at the end: the database is left as it was.

    python3 benchmarks/bench_invoicing.py -d mydb -n 1000 \\
        --db_host 127.0.0.1 --db_user odoo --db_password odoo \\
        --addons-path /opt/odoo19/addons,/path/to/repo

The work is done as the administrator (base.user_admin), with access rights and record
rules, like a dispatcher with invoicing rights clicking "Create Invoice"; use --superuser
to run as the superuser instead.
"""

import argparse
import sys
from datetime import datetime, timedelta

from _odoo import Meter, add_connection_arguments, environment, out


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_connection_arguments(parser)
    parser.add_argument("-n", "--orders", type=int, default=1000, help="work orders (1000)")
    parser.add_argument("--customers", type=int, default=0, help="customers (orders / 10)")
    parser.add_argument(
        "--skip-one-by-one", action="store_true", help="only the batch runs (quick check)"
    )
    parser.add_argument("--superuser", action="store_true", help="run as the superuser")
    return parser.parse_args(argv)


def create_orders(env, args):
    from odoo import Command

    count = args.orders
    products = env["product.product"].create(
        [
            {"name": "Bench gasket set", "type": "consu", "list_price": 12.5},
            {"name": "Bench valve", "type": "consu", "list_price": 40.0},
            {"name": "Bench labour", "type": "service", "list_price": 60.0},
        ]
    )
    customers = env["res.partner"].create(
        [
            {
                "name": f"Bench customer {index}",
                "is_company": True,
                "country_id": env.company.country_id.id,
                "street": f"Benchstraat {index}",
                "zip": "9000",
                "city": "Gent",
            }
            for index in range(args.customers or max(count // 10, 1))
        ]
    )
    technician = (
        env["res.users"]
        .sudo()
        .create(
            {
                "name": "Bench technician",
                "login": "bench_invoicing_technician",
                "group_ids": [Command.set(env.ref("field_maintenance.group_field_technician").ids)],
            }
        )
    )
    start = datetime(2026, 3, 2, 8, 0)
    orders = env["field.work.order"].create(
        [
            {
                "partner_id": customers[index % len(customers)].id,
                "summary": f"Bench job {index}",
                "planned_date_start": start,
                "technician_ids": [Command.set(technician.ids)],
                "line_ids": [
                    Command.create({"product_id": products[0].id, "quantity": 1 + index % 3}),
                    Command.create({"product_id": products[1].id, "quantity": 1}),
                    Command.create(
                        {"product_id": products[2].id, "quantity": 1.5, "line_type": "labour"}
                    ),
                ],
            }
            for index in range(count)
        ]
    )
    # done with the buttons; then the times of the visit, as a dispatcher corrects them
    orders.action_plan()
    orders.action_start()
    orders.action_done()
    orders.write({"date_start": start, "date_end": start + timedelta(hours=2)})
    env.flush_all()
    return orders


def main(argv=None):
    args = parse_args(argv)
    with environment(args, {"tracking_disable": True}) as env:
        cr = env.cr
        if "field.work.order" not in env or "fm_invoice_grouping" not in env["res.company"]:
            sys.exit(f"field_maintenance (with invoicing) is not installed in {args.database}")
        if not env["account.journal"].search_count([("type", "=", "sale")], limit=1):
            sys.exit(f"no sales journal in {args.database}: install a chart of accounts")
        if not args.superuser:
            env = env(user=env.ref("base.user_admin"))
            if not env["account.move"].has_access("create"):
                sys.exit("the administrator cannot create invoices; try --superuser")
        company = env.company
        # wall and CPU time of the Odoo process, as a user's request costs it
        meter = Meter(env, end="flush", database_cpu=False)
        orders = create_orders(env, args)
        count = len(orders)
        counts = {}

        def run(name, grouping, one_by_one=None, limit=None):
            cr.execute("SAVEPOINT bench_invoicing")
            company.sudo().fm_invoice_grouping = grouping
            env.flush_all()
            batch = orders.browse(orders.ids[:limit])
            with meter(name):
                if one_by_one == "requests":
                    invoices = env["account.move"]
                    for order_id in batch.ids:
                        env.invalidate_all()
                        order = env["field.work.order"].browse(order_id)
                        invoices |= order._create_invoices()
                        env.flush_all()
                elif one_by_one == "loop":
                    invoices = env["account.move"]
                    for order in batch:
                        invoices |= order._create_invoices()
                else:
                    invoices = batch._create_invoices()
            counts[name] = len(invoices)
            cr.execute("ROLLBACK TO SAVEPOINT bench_invoicing")
            env.invalidate_all()

        # warm up the registry and ormcaches (trigger trees, taxes, accounts...) so that
        # the first measured run does not pay for them
        run("warm_up", "customer", limit=20)
        meter.results.pop("warm_up")
        run("batch_per_customer", "customer")
        run("batch_per_work_order", "work_order")
        if not args.skip_one_by_one:
            run("one_by_one", "work_order", one_by_one="requests")
            run("one_by_one_loop", "work_order", one_by_one="loop")

    results = meter.results
    user = "superuser" if args.superuser else "administrator"
    out(
        f"database {args.database}: {count} done work orders, three lines each, "
        f"{args.customers or max(count // 10, 1)} customers, as the {user}"
    )
    labels = {
        "batch_per_customer": "batch, one invoice per customer",
        "batch_per_work_order": "batch, one invoice per work order",
        "one_by_one": "one by one (one request each)",
        "one_by_one_loop": "one by one (loop, shared cache)",
    }
    for name, result in results.items():
        out(
            f"{labels[name]:<34} {result['seconds']:7.2f} s ({result['cpu']:6.2f} s CPU)  "
            f"{result['queries'] / count:7.2f} queries/work order  "
            f"({result['queries']} queries, {counts[name]} invoices, "
            f"{1000 * result['seconds'] / count:.2f} ms/work order)"
        )
    for reference_name in ("one_by_one", "one_by_one_loop"):
        if reference_name not in results:
            continue
        reference = results[reference_name]
        for name in ("batch_per_customer", "batch_per_work_order"):
            ratio = results[name]["seconds"] / reference["seconds"]
            cpu_ratio = results[name]["cpu"] / reference["cpu"]
            verdict = "ok" if ratio <= 0.2 else "above 1/5"
            out(
                f"time ratio {labels[name]} / {labels[reference_name]}: {ratio:.3f} "
                f"(CPU {cpu_ratio:.3f}; target <= 0.2: {verdict})"
            )
    out("rolled back: the database is unchanged")
    return results


if __name__ == "__main__":
    main()
