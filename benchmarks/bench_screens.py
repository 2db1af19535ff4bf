#!/usr/bin/env python3
"""The key screens as their users get them: SQL queries and server time of each.

Starts an Odoo server on 127.0.0.1 (one process, the database of ``-d``, built by
``make_dataset.py``; or uses ``--server`` when one runs) and calls, over HTTP as the web
client and the portal do, as the dataset's users (password ``--password``):

- technician (``fm.tech.001``): My Work in kanban and in list (the action's domain and
  its default filter "Today and Next Days"), a work-order form with 20 lines
  (``web_read`` with the form's specification), saving a new line (``web_save``),
  start, tick the checklist, sign and complete (the buttons, then the form read again,
  as the client does);
- dispatcher (``fm.dispatch.01``): the planning calendar's week with all technicians
  and with one technician ticked in its side panel (``search_read`` of the week's
  range, the technicians' names), the work-order list grouped by status and the
  work-order kanban by status (the main menu, with its default filter "Open"),
  maintenance plans due this month, an installation's form and its work-order history;
- portal customer (``fm.portal.001``): /my/work_orders, one work order's page and the
  page where the customer books the next visit of a maintenance plan (the search of the
  technicians' free slots).

Specifications are built from the real views (``get_views``) as the web client builds
them (``load/odoo_client.py``). The SQL queries and the server time of every request are
read from the server's access log (Odoo prints the query count, query time and other
time of each request; both are printed: the SQL time is what indexes change, the rest
is Python); a screen of several requests adds them up. Each screen runs
once to warm the caches, then ``--repeat`` times (5); the median server time and the
queries of the last run are printed, and with ``--json`` written for ``--compare``:

    python3 benchmarks/bench_screens.py -d t18_s001 --json /tmp/s001.json \\
        --db_host 127.0.0.1 --db_user odoo --db_password odoo
    python3 benchmarks/bench_screens.py --compare /tmp/s001.json /tmp/s010.json

``--against`` measures a reference database in the same run: a server of each, the
two taking turns request by request (what else a shared machine runs weighs on both
alike), then the comparison below; the reference is best the same company with less
history (``make_dataset.py --history 0.01``)::

    python3 benchmarks/bench_screens.py -d t18_full --against t18_h001 \\
        --db_host 127.0.0.1 --db_user odoo --db_password odoo

``--compare`` prints the ratio of the queries and of the server time of each screen of
the second file to the first and flags query counts that grow with the volume and time
ratios above 1.5, beside the records each screen shows in both (a page of a list, the
cards of a kanban, the orders of a calendar week or summed up by status): a screen of the
whole company shows more of them in a larger company.

Saving a line and start/complete change the data (a line is added to the 20-line
order, ``--repeat`` + 1 planned or ready plan visits of the technician are completed):
run it on a copy of the dataset when the same figures must be measured again.
"""

import argparse
import ast
import base64
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).with_name("load")))

from _odoo import add_connection_arguments, out  # noqa: E402
from odoo_client import (  # noqa: E402
    OdooClient,
    RpcError,
    relative_dates_domain,
    search_filter_domain,
    view_specification,
)

ACCESS_LINE = re.compile(
    r'"(?P<method>[A-Z]+) (?P<path>\S+) HTTP/[\d.]+" (?P<status>\d+) \S+ '
    r"(?P<queries>\d+) (?P<query_time>[\d.]+) (?P<other_time>[\d.]+)"
)
# a 1x1 PNG: the signature the customer draws
SIGNATURE = base64.b64encode(
    bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
        "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
    )
).decode()


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_connection_arguments(parser)
    parser.add_argument("--port", type=int, default=8218, help="HTTP port (8218)")
    parser.add_argument("--server", help="URL of a running server (its log: --server-log)")
    parser.add_argument("--server-log", help="access log of the running --server")
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--password", default="fm-dataset")
    parser.add_argument("--technician", default="fm.tech.001")
    parser.add_argument("--dispatcher", default="fm.dispatch.01")
    parser.add_argument("--portal", default="fm.portal.001")
    parser.add_argument("--json", help="write the figures to this file")
    parser.add_argument("--label", help="name of the run in --json (the database)")
    parser.add_argument("--compare", nargs=2, metavar=("SMALL", "LARGE"))
    parser.add_argument(
        "--against",
        metavar="DATABASE",
        help="a reference database (the smaller dataset) measured in the same run: a server "
        "of each (ports --port and the next), the two taking turns request by request, "
        "then the comparison",
    )
    parser.add_argument("--config", default=None, help="Odoo config file of the server")
    parser.add_argument(
        "--keep-log",
        help="keep the server's log in this file (with --log-sql: its queries; with "
        "--against: the log of the server of -d)",
    )
    parser.add_argument("--log-sql", action="store_true", help="log every SQL query")
    if "--compare" in (argv or sys.argv):
        parser.set_defaults(database="-")
        for action in parser._actions:
            if action.dest == "database":
                action.required = False
    return parser.parse_args(argv)


class Server:
    """An Odoo server of the database on 127.0.0.1, one process, its access log in a
    file; stopped at the end."""

    def __init__(self, args, database=None, port=None):
        self.args = args
        self.database = database or args.database
        self.port = port or args.port
        self.log = Path(tempfile.mkstemp(prefix=f"{self.database}-", suffix=".log")[1])
        self.process = None
        self.url = f"http://127.0.0.1:{self.port}"

    def __enter__(self):
        command = [
            sys.executable,
            "-m",
            "odoo",
            "server",
            "-d",
            self.database,
            "--db-filter",
            f"^{re.escape(self.database)}$",
            "--http-interface",
            "127.0.0.1",
            "--http-port",
            str(self.port),
            "--workers",
            "0",
            "--max-cron-threads",
            "0",
            "--no-database-list",
            "--log-level",
            "warn",
            "--log-handler",
            "werkzeug:INFO",
            "--logfile",
            str(self.log),
        ]
        if self.args.log_sql:
            command += ["--log-handler", "odoo.sql_db:DEBUG"]
        if self.args.config:
            command += ["-c", self.args.config]
        for option in ("db_host", "db_port", "db_user", "db_password"):
            if getattr(self.args, option):
                command += [f"--{option}", getattr(self.args, option)]
        if self.args.addons_path:
            command += ["--addons-path", self.args.addons_path]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL)  # noqa: S603
        deadline = time.time() + 120
        while time.time() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    return self
            if self.process.poll() is not None:
                raise SystemExit(f"the server stopped; see {self.log}")
            time.sleep(0.5)
        raise SystemExit(f"the server did not start; see {self.log}")

    def __exit__(self, *exc):
        self.process.terminate()
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()


def read_access_log(path):
    """{screen tag: [(queries, seconds), ...]} of the requests in the log."""
    result = {}
    with open(path, encoding="utf-8", errors="replace") as log:
        for line in log:
            match = ACCESS_LINE.search(line)
            if not match or "screen=" not in match["path"]:
                continue
            tag = re.split(r"[&/#]", match["path"].split("screen=", 1)[1])[0]
            result.setdefault(tag, []).append(
                (
                    int(match["queries"]),
                    float(match["query_time"]) + float(match["other_time"]),
                    match["status"],
                    float(match["query_time"]),
                )
            )
    return result


def literal(domain_string, uid):
    return ast.literal_eval(re.sub(r"\buid\b", str(uid), domain_string))


class Screens:
    """The screens, each a function of a tag (put on each of its requests)."""

    def __init__(self, args, url, database=None):
        self.args = args
        self.database = database = database or args.database
        self.tech = OdooClient(url, database)
        self.tech.login(args.technician, args.password)
        self.disp = OdooClient(url, database)
        self.disp.login(args.dispatcher, args.password)
        self.portal = OdooClient(url, database)
        self.portal.login(args.portal, args.password)
        self.today = date.today()
        self.shown = {}  # {screen: records it shows}
        self.prepare()

    # -- set-up (not measured) ------------------------------------------------------

    def views(self, client, model, views):
        return client.call(model, "get_views", views=views, options={"load_filters": True})

    def prepare(self):
        tech, disp = self.tech, self.disp
        Order = "field.work.order"
        self.my_action = tech.load_action("field_maintenance.action_field_work_order_my")
        views = self.views(tech, Order, self.my_action["views"] + [[False, "search"]])
        self.kanban_my_spec = view_specification(
            views["views"]["kanban"]["arch"], Order, views["models"]
        )
        self.list_spec = view_specification(views["views"]["list"]["arch"], Order, views["models"])
        self.form_spec = view_specification(views["views"]["form"]["arch"], Order, views["models"])
        self.search_arch = views["views"]["search"]["arch"]
        main = disp.load_action("field_maintenance.action_field_work_order")
        context = main.get("context") or "{}"
        self.main_action_context = (
            context if isinstance(context, dict) else literal(context, disp.uid)
        )
        main_views = self.views(disp, Order, main["views"])
        self.kanban_spec = view_specification(
            main_views["views"]["kanban"]["arch"], Order, main_views["models"]
        )
        planning = disp.load_action("field_maintenance.action_field_work_order_calendar")
        calendar = self.views(disp, Order, planning["views"])
        self.calendar_domain = literal(planning["domain"], disp.uid)
        from lxml import etree

        arch = etree.fromstring(calendar["views"]["calendar"]["arch"])
        self.calendar_fields = sorted(
            {node.get("name") for node in arch.iter("field")}
            | {"planned_date_start", "planned_date_end", "user_id", "display_name"}
        )
        plans = self.views(disp, "field.maintenance.plan", [[False, "list"], [False, "search"]])
        self.plan_list_spec = view_specification(
            plans["views"]["list"]["arch"], "field.maintenance.plan", plans["models"]
        )
        self.plan_search_arch = plans["views"]["search"]["arch"]
        equipment = self.views(disp, "field.equipment", [[False, "form"]])
        self.equipment_spec = view_specification(
            equipment["views"]["form"]["arch"], "field.equipment", equipment["models"]
        )

        # the technician's open orders: one to fill to 20 lines, some to start/complete:
        # visits of maintenance plans, the common job (one of another kind does other
        # work when completed, which would make two datasets differ by the job drawn)
        mine = [("user_id", "=", tech.uid), ("state", "in", ["planned", "ready"])]
        visits = disp.call(
            Order,
            "search_read",
            mine + [("maintenance_plan_id", "!=", False)],
            ["id"],
            order="planned_date_start",
            limit=self.args.repeat + 1,
        )
        if len(visits) < self.args.repeat + 1:
            raise SystemExit(
                f"{self.args.technician} has fewer than {self.args.repeat + 1} planned or "
                "ready plan visits: another --technician, or a smaller --repeat"
            )
        self.to_complete = [order["id"] for order in visits]
        orders = disp.call(
            Order,
            "search_read",
            mine + [("id", "not in", self.to_complete)],
            ["id", "line_ids"],
            order="planned_date_start",
            limit=1,
        )
        if not orders:
            raise SystemExit(f"{self.args.technician} has no other planned or ready order")
        self.form_order = orders[0]["id"]
        missing = 20 - len(orders[0]["line_ids"])
        products = disp.call("product.product", "search", [("type", "=", "consu")], limit=5)
        self.product = products[0]
        if missing > 0:
            disp.call(
                Order,
                "web_save",
                [self.form_order],
                {
                    "line_ids": [
                        [
                            0,
                            f"virtual_{index}",
                            {
                                "line_type": "material",
                                "quantity": 1,
                                "product_id": products[index % len(products)],
                            },
                        ]
                        for index in range(missing)
                    ]
                },
                {},
            )
        # the installation under a maintenance plan with the most work orders, and the
        # portal user's latest order
        equipment = disp.call(
            "field.work.order",
            "formatted_read_group",
            [("maintenance_plan_id", "!=", False)],
            ["equipment_ids"],
            ["__count"],
            order="__count desc",
            limit=1,
        )
        self.equipment = equipment[0]["equipment_ids"][0]
        partner = self.portal.session_info["partner_id"]
        portal_orders = disp.call(
            Order, "search", [("commercial_partner_id", "=", partner)], limit=1, order="id desc"
        )
        if not portal_orders:
            raise SystemExit(
                f"{self.args.portal}'s customer has no work order in {self.database}: "
                "another --portal, or a dataset with more history"
            )
        self.portal_order = portal_orders[0]
        # the booking page of the customer's next visit: the free slots of the technicians
        self.booking_client, self.booking_path = self.bookable_plan()

    def bookable_plan(self):
        """A portal customer of the dataset and the booking page of a plan of theirs whose
        next visit can be booked now (not planned by the office yet): the first portal
        user's, else the next one's (fm.portal.002, ...)."""
        prefix, number = self.args.portal.rsplit(".", 1)
        for index in range(int(number), int(number) + 30):
            if index == int(number):
                client = self.portal
            else:
                client = OdooClient(self.portal.base_url, self.database)
                try:
                    client.login(f"{prefix}.{index:03d}", self.args.password)
                except RpcError:  # no such user: the dataset has fewer
                    break
            plans = self.disp.call(
                "field.maintenance.plan",
                "search_read",
                [("partner_id", "=", client.session_info["partner_id"]), ("state", "=", "active")],
                ["booking_url"],
            )
            for plan in plans:
                url = plan["booking_url"]
                path = url and url[url.index("/my/maintenance/") :]
                if path and client.session.get(client._url(path)).status_code == 200:
                    return client, path
        raise SystemExit("no portal customer has a plan to book now (make_dataset.py)")

    # -- the screens ----------------------------------------------------------------

    @staticmethod
    def count_shown(result):
        """The records a ``web_search_read`` shows (the page, not the total)."""
        return len(result["records"])

    def my_work_domain(self):
        action_domain = literal(self.my_action["domain"], self.tech.uid)
        upcoming = relative_dates_domain(
            search_filter_domain(self.search_arch, "filter_upcoming"), self.today
        )
        return action_domain + literal(upcoming, self.tech.uid)

    def my_work_context(self):
        return dict(
            self.tech.context, default_technician_ids=[self.tech.uid], default_is_adhoc=True
        )

    def my_work_kanban(self, tag):
        self.shown["my_work_kanban"] = self.count_shown(
            self.tech.call(
                "field.work.order",
                "web_search_read",
                self.my_work_domain(),
                self.kanban_my_spec,
                offset=0,
                limit=40,
                order="planned_date_start, priority desc, id",
                count_limit=10001,
                context=self.my_work_context(),
                tag=tag,
            )
        )

    def my_work_list(self, tag):
        self.shown["my_work_list"] = self.count_shown(
            self.tech.call(
                "field.work.order",
                "web_search_read",
                self.my_work_domain(),
                self.list_spec,
                offset=0,
                limit=80,
                order="",
                count_limit=10001,
                context=self.my_work_context(),
                tag=tag,
            )
        )

    def form_20_lines(self, tag):
        self.tech.call("field.work.order", "web_read", [self.form_order], self.form_spec, tag=tag)

    def save_new_line(self, tag):
        self.tech.call(
            "field.work.order",
            "web_save",
            [self.form_order],
            {
                "line_ids": [
                    [
                        0,
                        "virtual_1",
                        {"line_type": "material", "product_id": self.product, "quantity": 2},
                    ]
                ]
            },
            self.form_spec,
            tag=tag,
        )

    def start_complete(self, tag):
        order = self.to_complete.pop(0)
        tech = self.tech
        tech.call_button("field.work.order", "action_start", [order], tag=tag)
        [values] = tech.call("field.work.order", "web_read", [order], self.form_spec, tag=tag)
        checks = [
            check["id"]
            for check in values.get("checklist_ids") or []
            if isinstance(check, dict) and check.get("result") == "todo"
        ]
        tech.call(
            "field.work.order",
            "web_save",
            [order],
            {
                "checklist_ids": [[1, check, {"result": "ok"}] for check in checks],
                "signature": SIGNATURE,
                "signed_by": "Benchmark customer",
                "signature_mode": "draw",
            },
            self.form_spec,
            tag=tag,
        )
        tech.call_button("field.work.order", "action_done", [order], tag=tag)
        tech.call("field.work.order", "web_read", [order], self.form_spec, tag=tag)

    def calendar_week(self, tag, technician=None):
        start = self.today - timedelta(days=self.today.weekday())
        end = start + timedelta(days=7)
        fmt = "%Y-%m-%d %H:%M:%S"
        domain = self.calendar_domain + [
            ("planned_date_start", "<=", (end - timedelta(seconds=1)).strftime(fmt)),
            ("planned_date_end", ">=", start.strftime(fmt)),
        ]
        if technician:
            # the filter of the calendar's side panel: one technician ticked
            domain.append(("technician_ids", "in", [technician]))
        records = self.disp.call(
            "field.work.order", "search_read", domain, self.calendar_fields, tag=tag
        )
        technicians = sorted({tech for rec in records for tech in rec["technician_ids"]})
        if technicians:
            self.disp.call(
                "res.users", "search_read", [("id", "in", technicians)], ["display_name"], tag=tag
            )
        return len(records)

    def calendar_week_all(self, tag):
        self.shown["calendar_week_all"] = self.calendar_week(tag)

    def calendar_week_one(self, tag):
        self.shown["calendar_week_one"] = self.calendar_week(tag, technician=self.tech.uid)

    def main_domain(self):
        """The domain of the main menu's default filters (the action's context)."""
        domain = []
        for key, value in self.main_action_context.items():
            if key.startswith("search_default_") and value:
                name = key[len("search_default_") :]
                domain += literal(search_filter_domain(self.search_arch, name), self.disp.uid)
        return domain

    def work_orders_by_status(self, tag):
        result = self.disp.call(
            "field.work.order",
            "web_read_group",
            self.main_domain(),
            ["state"],
            ["planned_hours:sum", "amount_untaxed:sum"],
            tag=tag,
        )
        # the orders summed up in the groups
        self.shown["work_orders_by_status"] = sum(
            group.get("__count", 0) for group in result["groups"]
        )

    def kanban_by_status(self, tag):
        result = self.disp.call(
            "field.work.order",
            "web_read_group",
            self.main_domain(),
            ["state"],
            [],
            auto_unfold=True,
            unfold_read_specification=self.kanban_spec,
            unfold_read_default_limit=40,
            tag=tag,
        )
        # the cards of the unfolded columns
        self.shown["kanban_by_status"] = sum(
            len(group.get("__records") or []) for group in result["groups"]
        )

    def plans_due_this_month(self, tag):
        domain = literal(search_filter_domain(self.plan_search_arch, "filter_active"), 0)
        due = relative_dates_domain(
            search_filter_domain(self.plan_search_arch, "filter_due_this_month"),
            self.today,
            fmt="%Y-%m-%d",
        )
        self.shown["plans_due_this_month"] = self.count_shown(
            self.disp.call(
                "field.maintenance.plan",
                "web_search_read",
                domain + literal(due, 0),
                self.plan_list_spec,
                offset=0,
                limit=80,
                order="",
                count_limit=10001,
                tag=tag,
            )
        )

    def equipment_history(self, tag):
        disp = self.disp
        disp.call("field.equipment", "web_read", [self.equipment], self.equipment_spec, tag=tag)
        disp.call_button("field.equipment", "action_view_work_orders", [self.equipment], tag=tag)
        self.shown["equipment_history"] = self.count_shown(
            disp.call(
                "field.work.order",
                "web_search_read",
                [("equipment_ids", "in", [self.equipment])],
                self.list_spec,
                offset=0,
                limit=80,
                order="",
                count_limit=10001,
                tag=tag,
            )
        )

    def portal_work_orders(self, tag):
        self.portal.get("/my/work_orders", tag=tag)

    def portal_work_order(self, tag):
        self.portal.get(f"/my/work_orders/{self.portal_order}", tag=tag)

    def portal_booking(self, tag):
        self.booking_client.get(self.booking_path, tag=tag)

    SCREENS = [
        ("my_work_kanban", "technician: My Work, kanban"),
        ("my_work_list", "technician: My Work, list"),
        ("form_20_lines", "technician: work order form, 20 lines"),
        ("save_new_line", "technician: save a new line"),
        ("start_complete", "technician: start, sign, complete"),
        ("calendar_week_all", "dispatcher: calendar week, all technicians"),
        ("calendar_week_one", "dispatcher: calendar week, one technician"),
        ("work_orders_by_status", "dispatcher: work-order list by status"),
        ("kanban_by_status", "dispatcher: work-order kanban by status"),
        ("plans_due_this_month", "dispatcher: plans due this month"),
        ("equipment_history", "dispatcher: installation and its history"),
        ("portal_work_orders", "portal: my work orders"),
        ("portal_work_order", "portal: a work order"),
        ("portal_booking", "portal: book a visit (free slots)"),
    ]


def run(args, runs):
    """Each screen once to warm up, then ``--repeat`` rounds; ``runs`` are (screens, access
    log) of one or two databases, which take turns request by request."""
    for name, _label in Screens.SCREENS:
        for round_ in range(args.repeat + 1):
            for screens, _log_path in runs:
                getattr(screens, name)(f"{name}.r{round_}")
    time.sleep(0.5)  # the last access lines reach the log
    return [results_of(args, screens, read_access_log(log_path)) for screens, log_path in runs]


def results_of(args, screens, log):
    results = {}
    for name, label in Screens.SCREENS:
        rounds = [log.get(f"{name}.r{round_}", []) for round_ in range(1, args.repeat + 1)]
        failed = [request for requests in rounds for request in requests if request[2] >= "400"]
        results[name] = {
            "label": label,
            "requests": len(rounds[-1]),
            "queries": sum(request[0] for request in rounds[-1]),
            "seconds": statistics.median(
                sum(request[1] for request in requests) for requests in rounds
            ),
            "sql_seconds": statistics.median(
                sum(request[3] for request in requests) for requests in rounds
            ),
            "failed": len(failed),
        }
    for name, shown in screens.shown.items():
        results[name]["records"] = shown
    return results


def print_results(label, results):
    out(f"screens of {label} (median server time of the runs, queries of the last run)")
    out(f"  {'screen':<44} {'requests':>8} {'queries':>8} {'server ms':>10} {'of it SQL':>10}")
    for result in results.values():
        note = f"  ({result['records']} records)" if "records" in result else ""
        if result["failed"]:
            note += f"  {result['failed']} FAILED REQUESTS"
        out(
            f"  {result['label']:<44} {result['requests']:>8} {result['queries']:>8} "
            f"{result['seconds'] * 1000:>10.1f} {result.get('sql_seconds', 0) * 1000:>10.1f}{note}"
        )


def shown(result):
    return str(result["records"]) if "records" in result else "-"


def compare(small_path, large_path):
    small = json.loads(Path(small_path).read_text(encoding="utf-8"))
    large = json.loads(Path(large_path).read_text(encoding="utf-8"))
    print_comparison(small, large)


def print_comparison(small, large):
    out(f"{large['label']} against {small['label']}: queries and server time")
    out(
        f"  {'screen':<44} {'queries':>13} {'server ms':>17} {'ratio':>6} {'SQL ms':>17} "
        f"{'records shown':>15}"
    )
    for name, big in large["screens"].items():
        little = small["screens"].get(name)
        if not little:
            continue
        ratio = big["seconds"] / little["seconds"] if little["seconds"] else float("inf")
        flags = []
        if big["queries"] > little["queries"]:
            flags.append("QUERIES GROW")
        if ratio > 1.5:
            flags.append("TIME > 1.5x")
        out(
            f"  {big['label']:<44} {little['queries']:>5} -> {big['queries']:<5} "
            f"{little['seconds'] * 1000:>7.1f} -> {big['seconds'] * 1000:<7.1f} {ratio:>6.2f} "
            f"{little.get('sql_seconds', 0) * 1000:>7.1f} -> "
            f"{big.get('sql_seconds', 0) * 1000:<7.1f} "
            f"{shown(little):>6} -> {shown(big):<6} " + " ".join(flags)
        )


def write_json(path, label, results):
    Path(path).write_text(
        json.dumps(
            {"label": label, "date": datetime.now().isoformat(), "screens": results}, indent=1
        ),
        encoding="utf-8",
    )


def main(argv=None):
    args = parse_args(argv)
    if args.compare:
        compare(*args.compare)
        return 0
    if args.server:
        if not args.server_log:
            raise SystemExit("--server needs --server-log (the server's access log)")
        if args.against:
            raise SystemExit("--against starts its own servers: not with --server")
        [results] = run(args, [(Screens(args, args.server), args.server_log)])
    elif args.against:
        # the reference database on the next port, the two taking turns request by request
        with (
            Server(args) as server,
            Server(args, args.against, args.port + 1) as reference,
        ):
            runs = [
                (Screens(args, reference.url, args.against), reference.log),
                (Screens(args, server.url), server.log),
            ]
            against, results = run(args, runs)
        if args.keep_log:
            server.log.replace(args.keep_log)
        else:
            os.unlink(server.log)
        os.unlink(reference.log)
    else:
        with Server(args) as server:
            [results] = run(args, [(Screens(args, server.url), server.log)])
        if args.keep_log:
            server.log.replace(args.keep_log)
        else:
            os.unlink(server.log)
    label = args.label or args.database
    if args.against:
        print_results(args.against, against)
    print_results(label, results)
    if args.against:
        print_comparison(
            {"label": args.against, "screens": against}, {"label": label, "screens": results}
        )
    if args.json:
        write_json(args.json, label, results)
        if args.against:
            write_json(Path(args.json).with_suffix(f".{args.against}.json"), args.against, against)
    return 0


if __name__ == "__main__":
    sys.exit(main())
