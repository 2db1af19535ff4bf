"""Locust load test of field_maintenance: technicians, dispatchers and portal customers of
a dataset built by ``make_dataset.py``, against a server on 127.0.0.1 (``run_load.py``
starts it, with the crons, and runs this file; see ``benchmarks/README.md``).

Each user logs in as a user of the dataset (password ``FM_PASSWORD``) and repeats its
round, a few seconds of thinking between two steps:

- technician (``fm.tech.NNN``): My Work (kanban), open the first planned or ready
  order they lead (a second technician of an order does not start it too), start it,
  add a material line, tick the checklist, sign, complete;
- dispatcher (``fm.dispatch.NN``): calendar week, plan a new order for a technician,
  move a planned order to another day, create a follow-up of a done order;
- portal customer (``fm.portal.NNN``): /my/work_orders and one work order's page.

Environment: FM_DB (database), FM_PASSWORD (fm-dataset), FM_TECHNICIANS,
FM_DISPATCHERS, FM_PORTAL (users of each kind, 40/6/30), FM_THINK (seconds between two
steps, "1,3"). Every request is named after the user's step ("tech: start", ...): the
statistics are per step. An error the server returns to a user (including a
serialization conflict Odoo did not manage to retry) is a failure.
"""

import itertools
import os
import random
import re
import sys
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from locust import HttpUser, between, task

sys.path.insert(0, str(Path(__file__).parent))

from odoo_client import OdooClient, RpcError, search_filter_domain, view_specification  # noqa: E402

DATABASE = os.environ.get("FM_DB", "")
PASSWORD = os.environ.get("FM_PASSWORD", "fm-dataset")
THINK = [float(value) for value in os.environ.get("FM_THINK", "1,3").split(",")]
SIGNATURE = (
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgAAIAAAUAAen63NgAAAAASUVORK5CYII="
)
FMT = "%Y-%m-%d %H:%M:%S"
_specs = {}
_logged_in = []  # the users of this process who have logged in


def think():
    time.sleep(random.uniform(*THINK))  # gevent's sleep: Locust patches time


def lead(record):
    """The lead technician's id of a record read with ``{"user_id": {}}``."""
    user = record.get("user_id")
    return user.get("id") if isinstance(user, dict) else user


def specs(client):
    """The specifications of the views (the same for every user of a kind): read once,
    and published whole (the users are greenlets: another one runs while this one waits
    for the server, and must not find half of them)."""
    if not _specs:
        specs_read = {}
        views = client.call(
            "field.work.order",
            "get_views",
            views=[[False, "kanban"], [False, "form"], [False, "search"]],
            options={},
            name="get_views",
        )
        models = views["models"]
        specs_read["form"] = view_specification(
            views["views"]["form"]["arch"], "field.work.order", models
        )
        action = client.load_action("field_maintenance.action_field_work_order_my")
        my_views = client.call(
            "field.work.order", "get_views", views=action["views"], options={}, name="get_views"
        )
        specs_read["my_kanban"] = view_specification(
            my_views["views"]["kanban"]["arch"], "field.work.order", my_views["models"]
        )
        specs_read["upcoming"] = search_filter_domain(
            views["views"]["search"]["arch"], "filter_upcoming"
        )
        _specs.update(specs_read)
    return _specs


class OdooUser(HttpUser):
    abstract = True
    login_format = ""
    counter = None
    count_variable = ""

    def on_start(self):
        index = next(self.counter) % int(os.environ.get(self.count_variable, "1")) + 1
        self.odoo = OdooClient(self.host, DATABASE, session=self.client)
        self.odoo.login(self.login_format.format(index), PASSWORD)
        # the figures start once every user has logged in: a login hashes the password
        # (about a second of CPU, by design), and 76 logins in a few seconds are a burst
        # of the morning, not the working day measured (Locust's --reset-stats resets
        # when the last user is started, before the last logins are answered)
        _logged_in.append(index)
        if len(_logged_in) == self.environment.runner.target_user_count:
            self.environment.stats.reset_all()


class Technician(OdooUser):
    fixed_count = int(os.environ.get("FM_TECHNICIANS", "40"))
    wait_time = between(*THINK)
    login_format = "fm.tech.{:03d}"
    counter = itertools.count()
    count_variable = "FM_TECHNICIANS"

    def my_work(self):
        uid = self.odoo.uid
        tomorrow = (date.today() + timedelta(days=3)).strftime("%Y-%m-%d 00:00:00")
        domain = [
            ("user_id", "!=", False),
            "|",
            ("technician_ids", "in", uid),
            ("user_id", "=", uid),
            ("state", "not in", ["done", "cancelled"]),
            "|",
            ("planned_date_start", "=", False),
            ("planned_date_start", "<", tomorrow),
        ]
        return self.odoo.call(
            "field.work.order",
            "web_search_read",
            domain,
            # the lead technician too: the lead starts and completes the job
            {**specs(self.odoo)["my_kanban"], "user_id": {}},
            offset=0,
            limit=40,
            order="planned_date_start, priority desc, id",
            count_limit=10001,
            name="tech: my work",
        )["records"]

    @task
    def job(self):
        odoo = self.odoo
        records = self.my_work()
        todo = [
            record
            for record in records
            if record["state"] in ("planned", "ready") and lead(record) == odoo.uid
        ]
        if not todo:
            # nothing left in the next days: the next planned job, further ahead
            todo = odoo.call(
                "field.work.order",
                "search_read",
                [("user_id", "=", odoo.uid), ("state", "in", ["planned", "ready"])],
                ["state"],
                limit=1,
                order="planned_date_start",
                name="tech: next job",
            )
        if not todo:
            return
        order = todo[0]["id"]
        think()
        form = specs(odoo)["form"]
        [values] = odoo.call("field.work.order", "web_read", [order], form, name="tech: open order")
        think()
        odoo.call_button("field.work.order", "action_start", [order], name="tech: start")
        think()
        product = odoo.call(
            "product.product",
            "name_search",
            "dataset",
            [("type", "=", "consu")],
            limit=8,
            name="tech: find material",
        )
        odoo.call(
            "field.work.order",
            "web_save",
            [order],
            {
                "line_ids": [
                    [
                        0,
                        "virtual_1",
                        {
                            "line_type": "material",
                            "product_id": random.choice(product)[0],
                            "quantity": 1,
                        },
                    ]
                ]
            },
            form,
            name="tech: add material",
        )
        think()
        checks = [
            check["id"]
            for check in (values.get("checklist_ids") or [])
            if isinstance(check, dict) and check.get("result") == "todo"
        ]
        if checks:
            odoo.call(
                "field.work.order",
                "web_save",
                [order],
                {"checklist_ids": [[1, check, {"result": "ok"}] for check in checks]},
                form,
                name="tech: tick checklist",
            )
            think()
        odoo.call(
            "field.work.order",
            "web_save",
            [order],
            # the signature widget says how it was given: drawn by the customer
            {"signature": SIGNATURE, "signed_by": "Load test customer", "signature_mode": "draw"},
            form,
            name="tech: sign",
        )
        think()
        odoo.call_button("field.work.order", "action_done", [order], name="tech: complete")


class Dispatcher(OdooUser):
    fixed_count = int(os.environ.get("FM_DISPATCHERS", "6"))
    wait_time = between(*THINK)
    login_format = "fm.dispatch.{:02d}"
    counter = itertools.count()
    count_variable = "FM_DISPATCHERS"

    def calendar(self):
        today = date.today()
        start = today - timedelta(days=today.weekday())
        end = start + timedelta(days=7)
        return self.odoo.call(
            "field.work.order",
            "search_read",
            [
                ("state", "!=", "cancelled"),
                ("planned_date_start", "<=", end.strftime(FMT)),
                ("planned_date_end", ">=", start.strftime(FMT)),
            ],
            [
                "partner_id",
                "planned_date_start",
                "planned_date_end",
                "state",
                "user_id",
                "technician_ids",
                "summary",
                "site_address",
                "work_type_id",
                "priority",
                "display_name",
            ],
            name="disp: calendar week",
        )

    @task
    def plan_the_week(self):
        odoo = self.odoo
        events = self.calendar()
        if not events:
            return
        think()
        event = random.choice(events)
        technician = event["user_id"][0] if event["user_id"] else None
        start = datetime.now(UTC).replace(tzinfo=None, minute=0, second=0, microsecond=0)
        start += timedelta(days=random.randint(1, 10), hours=random.randint(0, 6))
        form = specs(odoo)["form"]
        [new] = odoo.call(
            "field.work.order",
            "web_save",
            [],
            {
                "partner_id": event["partner_id"][0],
                "summary": "Load test: repair",
                "technician_ids": [[6, 0, [technician]]] if technician else [],
                "planned_date_start": start.strftime(FMT),
            },
            form,
            name="disp: create order",
        )
        if technician:
            odoo.call_button("field.work.order", "action_plan", [new["id"]], name="disp: plan")
        think()
        planned = [record for record in events if record["state"] == "planned"]
        if planned:
            moved = random.choice(planned)
            odoo.call(
                "field.work.order",
                "web_save",
                [moved["id"]],
                {"planned_date_start": (start + timedelta(days=1)).strftime(FMT)},
                {"planned_date_start": {}, "planned_date_end": {}},
                name="disp: move",
            )
            think()
        done = [record for record in events if record["state"] == "done"]
        if done:
            origin = random.choice(done)
            odoo.call(
                "field.work.order",
                "web_save",
                [],
                {
                    "partner_id": origin["partner_id"][0],
                    "origin_work_order_id": origin["id"],
                    "summary": "Load test: follow-up",
                },
                {"display_name": {}},
                name="disp: follow-up",
            )


class PortalCustomer(OdooUser):
    fixed_count = int(os.environ.get("FM_PORTAL", "30"))
    wait_time = between(*THINK)
    login_format = "fm.portal.{:03d}"
    counter = itertools.count()
    count_variable = "FM_PORTAL"

    @task
    def my_work_orders(self):
        page = self.odoo.get("/my/work_orders", name="portal: my work orders")
        orders = re.findall(r"/my/work_orders/(\d+)", page.text)
        if orders:
            think()
            self.odoo.get(f"/my/work_orders/{random.choice(orders)}", name="portal: work order")


__all__ = ["Dispatcher", "PortalCustomer", "RpcError", "Technician"]
