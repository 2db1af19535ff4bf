#!/usr/bin/env python3
"""Build a busy installer's company in a database where field_maintenance is installed.

At ``--scale 1`` (issue 18): 60 technicians, 8 dispatchers, 20,000 customers with their
sites, 40,000 installations, 15,000 maintenance plans, 200,000 work orders over the last
three years (and the next month) in every status with 3-8 lines each, their calendar
events, 30,000 customer invoices made by the module's own invoicing, three SLA policies
and the module's example automation rules switched on (the sync rule to an endpoint on
127.0.0.1). ``--scale 0.01`` builds 1 % of everything (the users too, at least one of
each: a technician's own workload stays about the same at every scale, the history
and the company grow); ``--technicians``/``--dispatchers`` set the users apart.
``--history 0.01`` builds the same company (its users, customers, installations and
plans at ``--scale``) after 1 % of its three years: the work orders of the last 11 days
and of the month planned ahead at the same rate a day, the invoices of those days; the
screens of one company can so be compared at two volumes of history.
30 portal users (or fewer when there are fewer customers) log in as customers.

Every record is made with the ORM, in batches (``create`` with lists of values, one
commit per batch, a progress line on stderr), as the superuser, so computed stored
fields, sequences, companies, SLA deadlines, checklists and calendar events are exactly
what the module makes. What differs from records made by hand, and why:

- chatter: no creation/tracking messages and no followers are written for the history
  (``tracking_disable``), the one thing the ORM would add that a 20-minute budget cannot
  pay for; the technicians still follow the open work orders planned for them;
- the historical statuses are given at creation (done, cancelled, ...) with their dates
  (started/completed on, SLA start, responded and resolved on) instead of going through
  the buttons one by one; visits of maintenance plans carry their due dates and each
  plan's next due date is the one after its last visit, as the buttons would leave it;
- no signature images (no 200,000 files): done orders carry the signer's name and time;
- the passwords of the created users are one hash, written with one UPDATE (hashing is
  deliberately slow; the hash is the one the ORM stores for ``--password``).

All created users log in with ``--password`` (``fm-dataset``): technicians
``fm.tech.001``..., dispatchers ``fm.dispatch.01``..., portal customers
``fm.portal.001``... (the screen benchmark and the load test log in as them).

    python3 benchmarks/make_dataset.py -d t18_s001 --scale 0.01 \\
        --db_host 127.0.0.1 --db_user odoo --db_password odoo

Randomness is seeded (``--seed``): the same scale gives the same data.
"""

import argparse
import random
import sys
import time
from datetime import date, datetime, timedelta

from _dataset_copy import BlockCopier
from _odoo import add_connection_arguments, load_registry, out, superuser

FULL = {
    "technicians": 60,
    "dispatchers": 8,
    "customers": 20_000,
    "installations": 40_000,
    "plans": 15_000,
    "work_orders": 200_000,
    "invoices": 30_000,
}
PORTAL_USERS = 30
# what the ORM builds in blocks (the users are not divided)
HISTORY = ("customers", "installations", "plans", "work_orders", "invoices")
# no chatter for the history (see the docstring)
BUILD_CONTEXT = {
    "tracking_disable": True,
    "mail_create_nolog": True,
    "mail_create_nosubscribe": True,
    "mail_notrack": True,
    "no_reset_password": True,
}
INVOICE_BATCH = 100  # customers invoiced per call
HISTORY_DAYS = 3 * 365
FUTURE_DAYS = 30
CITIES = [
    ("9000", "Gent", "BE"),
    ("2000", "Antwerpen", "BE"),
    ("1000", "Brussel", "BE"),
    ("3000", "Leuven", "BE"),
    ("8000", "Brugge", "BE"),
    ("3500", "Hasselt", "BE"),
    ("2800", "Mechelen", "BE"),
    ("4611 AA", "Bergen op Zoom", "NL"),
    ("4811 AA", "Breda", "NL"),
    ("5611 AA", "Eindhoven", "NL"),
]
STREETS = [
    "Kerkstraat",
    "Stationsstraat",
    "Molenstraat",
    "Dorpsstraat",
    "Nieuwstraat",
    "Schoolstraat",
]
MATERIALS = [
    ("Boiler service kit", 38.0),
    ("Magnetic sludge filter cartridge", 24.0),
    ('Gasket set 3/4"', 6.5),
    ("Refrigerant R32 (kg)", 55.0),
    ("Heat-pump water filter", 31.0),
    ("Expansion vessel 18 l", 79.0),
    ("Condensate pump", 95.0),
    ("Ignition electrode", 18.0),
    ("Pressure relief valve 3 bar", 22.0),
    ("Thermostat battery set", 8.0),
]
EQUIPMENT = [
    ("Gas boiler", "Vaillant", "ecoTEC plus"),
    ("Gas boiler", "Bulex", "Thema Condens"),
    ("Heat pump", "Daikin", "Altherma 3 R"),
    ("Heat pump", "Mitsubishi", "Ecodan"),
    ("Cooling unit", "Daikin", "Perfera"),
    ("Cooling unit", "LG", "Artcool"),
]
SUMMARIES = {
    "maintenance": ["Annual service", "Periodic maintenance", "Six-monthly check"],
    "repair": ["No hot water", "Boiler in fault", "Leak at the outdoor unit", "Noisy pump"],
    "installation": ["Install new boiler", "Install heat pump", "Replace cooling unit"],
    "inspection": ["Safety inspection", "Leak check (F-gas)", "Combustion analysis"],
}
CHECKLIST_RESULTS = ["ok", "ok", "ok", "ok", "ok", "ok", "ok", "ok", "fail", "na"]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_connection_arguments(parser)
    parser.add_argument("--scale", type=float, default=0.01, help="share of the full size (0.01)")
    parser.add_argument(
        "--history",
        type=float,
        default=1.0,
        help="share of the three years of history, the company kept at --scale (1)",
    )
    parser.add_argument("--technicians", type=int, help="technicians (60 x scale, at least 1)")
    parser.add_argument("--dispatchers", type=int, help="dispatchers (8 x scale, at least 1)")
    parser.add_argument(
        "--copies",
        type=int,
        help="the ORM builds 1/N of the history, PostgreSQL copies it N-1 times "
        "(default: one block per 10 %% of the full size, 10 at --scale 1; 1 = ORM only)",
    )
    parser.add_argument("--batch", type=int, default=1000, help="records per create (1000)")
    parser.add_argument("--seed", type=int, default=18)
    parser.add_argument("--password", default="fm-dataset", help="password of the users")
    parser.add_argument("--quiet", action="store_true", help="no progress display")
    args = parser.parse_args(argv)
    if not 0 < args.history <= 1:
        parser.error("--history is a share of the three years: more than 0, at most 1")
    return args


def sizes(args):
    result = {key: max(1, round(value * args.scale)) for key, value in FULL.items()}
    if args.technicians:
        result["technicians"] = args.technicians
    if args.dispatchers:
        result["dispatchers"] = args.dispatchers
    result["portal_users"] = min(PORTAL_USERS, result["customers"])
    if args.history < 1:
        # the invoices of the shorter history; the work orders: see Builder.work_orders
        result["invoices"] = max(1, round(result["invoices"] * args.history))
    return result


def block_count(args):
    """Into how many blocks the history is split (the ORM builds one)."""
    if args.copies:
        return max(1, args.copies)
    return max(1, round(args.scale / 0.1))


def block_sizes(counts, blocks):
    """The sizes of the block the ORM builds: the history divided, the users not."""
    return {
        key: max(1, round(value / blocks)) if key in HISTORY else value
        for key, value in counts.items()
    }


class Progress:
    """One line on stderr per step, rewritten as batches are committed."""

    def __init__(self, quiet=False):
        self.quiet = quiet
        self.start = time.perf_counter()
        self.steps = {}

    def __call__(self, step, done, total):
        if self.quiet:
            return
        elapsed = time.perf_counter() - self.start
        sys.stderr.write(f"\r{elapsed:7.1f}s  {step:<24} {done:>8}/{total:<8}")
        if done >= total:
            sys.stderr.write("\n")
        sys.stderr.flush()

    def done(self, step, started):
        self.steps[step] = time.perf_counter() - started


def chunks(items, size):
    for index in range(0, len(items), size):
        yield items[index : index + size]


class Builder:
    def __init__(self, env, args, counts, blocks=1):
        self.env = env
        self.blocks = blocks
        self.cr = env.cr
        self.args = args
        self.counts = counts
        self.rng = random.Random(args.seed)
        self.progress = Progress(args.quiet)
        self.today = date.today()
        self.now = datetime.now().replace(microsecond=0)
        self.company = env.ref("base.main_company")
        self.users = {}

    # -- helpers ------------------------------------------------------------------

    def create_in_batches(self, step, model, vals_list, after_batch=None):
        """Create ``vals_list`` in batches, one commit each; the records created."""
        records = self.env[model]
        for batch in chunks(vals_list, self.args.batch):
            created = self.env[model].create(batch)
            if after_batch:
                after_batch(created)
            records |= created
            self.commit()
            self.progress(step, len(records), len(vals_list))
        return records.with_env(self.env)

    def commit(self):
        """One commit per batch: a script of its own, not a request (the issue asks for
        batched commits)."""
        self.env.flush_all()
        self.cr.commit()  # pylint: disable=invalid-commit
        # the next batch does not drag the cache of the previous ones along
        self.env.invalidate_all()

    def step(self, name, function):
        started = time.perf_counter()
        result = function()
        self.progress.done(name, started)
        return result

    def working_datetime(self, day):
        """A start time on a working day (UTC, 06:00-15:00)."""
        while day.weekday() >= 5:
            day -= timedelta(days=1)
        return datetime.combine(day, datetime.min.time()) + timedelta(
            hours=self.rng.randint(6, 15), minutes=self.rng.choice((0, 15, 30, 45))
        )

    # -- configuration ------------------------------------------------------------

    def products(self):
        env = self.env
        self.labour = env.ref("field_maintenance.product_labour_hour")
        self.travel = env["product.product"].create(
            {"name": "Travel (km) - dataset", "type": "service", "list_price": 0.45}
        )
        self.materials = env["product.product"].create(
            [
                {"name": f"{name} - dataset", "type": "consu", "list_price": price}
                for name, price in MATERIALS
            ]
        )
        self.work_types = {
            key: env.ref(f"field_maintenance.work_type_{key}")
            for key in ("maintenance", "repair", "installation", "inspection")
        }
        Category = env["field.equipment.category"]
        self.categories = {}
        for name, _brand, _model in EQUIPMENT:
            if name not in self.categories:
                self.categories[name] = Category.search([("name", "=", name)], limit=1) or (
                    Category.create({"name": name})
                )
        self.commit()

    def sla_policies(self):
        self.env["field.sla.policy"].create(
            [
                {
                    "name": "Emergency: respond in 4 working hours",
                    "sequence": 1,
                    "priority": "3",
                    "response_time": 4,
                    "resolution_time": 16,
                    "at_risk_time": 1,
                },
                {
                    "name": "Repairs: respond in 2 working days",
                    "sequence": 5,
                    "work_type_ids": [(6, 0, self.work_types["repair"].ids)],
                    "response_time": 16,
                    "resolution_time": 40,
                    "at_risk_time": 4,
                },
                {
                    "name": "Urgent: respond in 1 working day",
                    "sequence": 10,
                    "priority": "2",
                    "response_time": 8,
                    "resolution_time": 24,
                    "at_risk_time": 2,
                },
            ]
        )
        self.commit()

    def users_and_groups(self):
        env = self.env
        Users = env["res.users"].with_context(no_reset_password=True)
        technician = env.ref("field_maintenance.group_field_technician")
        dispatcher = env.ref("field_maintenance.group_field_user")

        def internal(login, name, group):
            return {
                "name": name,
                "login": login,
                "email": f"{login}@dataset.example.com",
                "tz": "Europe/Brussels",
                "company_id": self.company.id,
                "company_ids": [(6, 0, self.company.ids)],
                "group_ids": [(6, 0, group.ids)],
            }

        first = ["Jan", "Sofie", "Luc", "Els", "Tom", "An", "Pieter", "Lies", "Koen", "Nele"]
        last = ["Peeters", "Janssens", "Maes", "Claes", "Wouters", "De Smet", "Mertens"]
        techs = [
            internal(
                f"fm.tech.{index:03d}",
                f"{first[index % len(first)]} {last[index % len(last)]} {index:03d}",
                technician,
            )
            for index in range(1, self.counts["technicians"] + 1)
        ]
        dispatchers = [
            internal(f"fm.dispatch.{index:02d}", f"Dispatcher {index:02d}", dispatcher)
            for index in range(1, self.counts["dispatchers"] + 1)
        ]
        self.technicians = Users.create(techs)
        self.dispatchers = Users.create(dispatchers)
        self.commit()

    def set_passwords(self, users):
        # one hash for all (hashing is deliberately slow): what the ORM stores for it
        hashed = self.env["res.users"]._crypt_context().hash(self.args.password)
        self.cr.execute(
            "UPDATE res_users SET password = %s WHERE id = ANY(%s)", [hashed, users.ids]
        )
        self.commit()

    # -- customers, sites, installations, plans ---------------------------------

    def customers(self):
        env = self.env
        countries = {code: env.ref(f"base.{code.lower()}").id for code in ("BE", "NL")}
        rng = self.rng
        count = self.counts["customers"]
        vals_list = []
        for index in range(1, count + 1):
            zip_code, city, country = rng.choice(CITIES)
            sites = []
            for site in range(rng.choice((0, 1, 1, 1, 2))):
                site_zip, site_city, site_country = rng.choice(CITIES)
                sites.append(
                    (
                        0,
                        0,
                        {
                            "type": "delivery",
                            "name": f"Site {site + 1}",
                            "street": f"{rng.choice(STREETS)} {rng.randint(1, 250)}",
                            "zip": site_zip,
                            "city": site_city,
                            "country_id": countries[site_country],
                            "phone": f"+32 9 {rng.randint(100, 999)} {rng.randint(10, 99)} 00",
                        },
                    )
                )
            vals_list.append(
                {
                    "name": f"Customer {index:05d}",
                    "is_company": rng.random() < 0.3,
                    "street": f"{rng.choice(STREETS)} {rng.randint(1, 250)}",
                    "zip": zip_code,
                    "city": city,
                    "country_id": countries[country],
                    "email": f"customer{index:05d}@dataset.example.com",
                    "phone": f"+32 470 {index:06d}",
                    "lang": "en_US",
                    "child_ids": sites,
                }
            )
        customers = self.create_in_batches("customers and sites", "res.partner", vals_list)
        self.customer_ids = customers.ids
        self.sites = {}
        for customer in customers:
            self.sites[customer.id] = [customer.id, *customer.child_ids.ids]
        self.commit()

    def installations(self):
        rng = self.rng
        count = self.counts["installations"]
        vals_list = []
        self.customer_equipment = {}
        for index in range(1, count + 1):
            customer = self.customer_ids[(index - 1) % len(self.customer_ids)]
            kind, brand, model = rng.choice(EQUIPMENT)
            install = self.today - timedelta(days=rng.randint(30, 15 * 365))
            vals_list.append(
                {
                    "name": f"{kind} {brand} {model}",
                    "partner_id": customer,
                    "site_partner_id": rng.choice(self.sites[customer]),
                    "category_id": self.categories[kind].id,
                    "brand": brand,
                    "model": model,
                    "serial_number": f"SN{index:08d}",
                    "install_date": install,
                    "warranty_end_date": install + timedelta(days=2 * 365),
                }
            )
        equipment = self.create_in_batches("installations", "field.equipment", vals_list)
        for record, vals in zip(equipment, vals_list, strict=True):
            self.customer_equipment.setdefault(vals["partner_id"], []).append(
                (record.id, vals["site_partner_id"])
            )

    def plans(self):
        rng = self.rng
        count = self.counts["plans"]
        vals_list = []
        self.plan_info = []  # (customer, site, equipment, interval months, next date, tech)
        customers = list(self.customer_equipment)
        for index in range(count):
            customer = customers[index % len(customers)]
            equipment, site = self.customer_equipment[customer][
                (index // len(customers)) % len(self.customer_equipment[customer])
            ]
            months = rng.choice((12, 12, 12, 6))
            next_date = self.today + timedelta(days=rng.randint(0, months * 30))
            technician = rng.choice(self.technicians).id
            self.plan_info.append((customer, site, equipment, months, next_date, technician))
            vals_list.append(
                {
                    "name": f"Maintenance {index + 1:05d}",
                    "partner_id": customer,
                    "site_partner_id": site,
                    "equipment_ids": [(6, 0, [equipment])],
                    "work_type_id": self.work_types["maintenance"].id,
                    "user_id": technician,
                    "interval_number": 1 if months == 12 else 6,
                    "interval_unit": "year" if months == 12 else "month",
                    "next_date": next_date,
                    "line_ids": [
                        (
                            0,
                            0,
                            {"line_type": "labour", "product_id": self.labour.id, "quantity": 1.5},
                        ),
                        (
                            0,
                            0,
                            {
                                "line_type": "material",
                                "product_id": rng.choice(self.materials).id,
                                "quantity": 1,
                            },
                        ),
                    ],
                }
            )
        plans = self.create_in_batches("maintenance plans", "field.maintenance.plan", vals_list)
        self.plan_ids = plans.ids

    # -- work orders --------------------------------------------------------------

    def order_lines(self, kind, done):
        rng = self.rng
        lines = [
            (
                0,
                0,
                {
                    "line_type": "labour",
                    "product_id": self.labour.id,
                    "quantity": rng.choice((1.0, 1.5, 2.0, 3.0)),
                },
            ),
            (
                0,
                0,
                {
                    "line_type": "travel",
                    "product_id": self.travel.id,
                    "quantity": rng.randint(5, 80),
                },
            ),
        ]
        for _index in range(rng.randint(1, 6)):
            lines.append(
                (
                    0,
                    0,
                    {
                        "line_type": "material",
                        "product_id": rng.choice(self.materials).id,
                        "quantity": rng.randint(1, 3),
                        "discount": rng.choice((0, 0, 0, 10)),
                    },
                )
            )
        return lines

    def state_for(self, start):
        """Status of a work order planned at ``start``: the past is done (or cancelled),
        today is being worked on, the future is planned or waiting."""
        rng = self.rng.random()
        day = start.date()
        if day < self.today - timedelta(days=2):
            return "done" if rng < 0.92 else "cancelled" if rng < 0.98 else "draft"
        if day <= self.today:
            return ("in_progress", "ready", "planned", "done")[int(rng * 4)]
        return "planned" if rng < 0.6 else "ready" if rng < 0.75 else "draft"

    def order_vals(self, kind, start, customer, site, equipment, state, plan=None, due=None):
        rng = self.rng
        technicians = [rng.choice(self.technicians).id]
        if rng.random() < 0.2:
            technicians.append(rng.choice(self.technicians).id)
        priority = "0"
        if kind == "repair":
            priority = rng.choice(("0", "0", "1", "2", "3"))
        vals = {
            "summary": rng.choice(SUMMARIES[kind]),
            "partner_id": customer,
            "site_partner_id": site,
            "equipment_ids": [(6, 0, [equipment])] if equipment else [],
            "work_type_id": self.work_types[kind].id,
            "priority": priority,
            "state": state,
            "technician_ids": [(6, 0, technicians)],
            "user_id": technicians[0],
            "planned_date_start": start,
            "sla_start_date": start - timedelta(days=rng.randint(1, 10)),
            "line_ids": self.order_lines(kind, state == "done"),
        }
        if state == "draft" and start.date() < self.today:
            # an old request nobody planned: no technician (it is on nobody's My Work)
            vals.update(technician_ids=[], user_id=False)
        elif state == "draft" and rng.random() < 0.5:
            # waiting for a dispatcher: no date, no technician
            vals.update(planned_date_start=False, technician_ids=[], user_id=False)
        if state in ("planned", "ready", "in_progress", "done"):
            vals["sla_responded_on"] = vals["sla_start_date"] + timedelta(hours=rng.randint(1, 30))
        if state in ("in_progress", "done"):
            vals["date_start"] = start + timedelta(minutes=rng.randint(-20, 40))
        if state == "done":
            vals["date_end"] = vals["date_start"] + timedelta(minutes=rng.randint(30, 240))
            vals["sla_resolved_on"] = vals["date_end"]
            vals["signed_by"] = "Customer"
            vals["signed_on"] = vals["date_end"]
        if plan:
            vals.update(maintenance_plan_id=plan, maintenance_due_date=due)
        return vals

    def every_state(self, vals_list):
        """At least one work order of each status, even in a small dataset: a planned
        order of today or later takes the missing status."""
        present = {vals["state"] for vals in vals_list}
        planned = [
            vals
            for vals in vals_list
            if vals["state"] == "planned" and vals["planned_date_start"].date() >= self.today
        ]
        for state in ("ready", "in_progress", "cancelled"):
            if state not in present and len(planned) > 1:
                vals = planned.pop()
                vals["state"] = state
                if state == "in_progress":
                    vals["date_start"] = vals["planned_date_start"]

    def history_days(self):
        """The days of history: three years, or the share of them of ``--history``."""
        return max(1, round(HISTORY_DAYS * self.args.history))

    def work_orders(self):
        rng = self.rng
        total = self.counts["work_orders"]
        # the three years' rate, whatever the history: orders a day over the three years
        # and the month planned ahead, of which a shorter history keeps its own days
        history_start = self.today - timedelta(days=self.history_days())
        full_start = self.today - timedelta(days=HISTORY_DAYS)
        vals_list = []
        plan_visits = 0  # over the three years: what leaves the rest to other work
        # the visits of the maintenance plans: every due date of the history
        for plan, (customer, site, equipment, months, next_date, _tech) in zip(
            self.plan_ids, self.plan_info, strict=True
        ):
            due = next_date
            if due <= self.today + timedelta(days=FUTURE_DAYS) and rng.random() < 0.7:
                # the coming visit is already generated or planned
                start = self.working_datetime(due)
                state = "planned" if rng.random() < 0.6 else "draft"
                plan_visits += 1
                vals_list.append(
                    self.order_vals(
                        "maintenance", start, customer, site, equipment, state, plan, due
                    )
                )
            step = 0
            while True:
                step += 1
                due = next_date - timedelta(days=round(step * months * 30.44))
                if due < full_start:
                    break
                plan_visits += 1
                if due < history_start:
                    continue  # before a shorter history began
                start = self.working_datetime(due + timedelta(days=rng.randint(-10, 10)))
                if start.date() >= self.today:
                    start = self.working_datetime(self.today - timedelta(days=3))
                vals_list.append(
                    self.order_vals(
                        "maintenance", start, customer, site, equipment, "done", plan, due
                    )
                )
            if plan_visits >= total * 0.6:
                break
        # the rest: repairs, installations and inspections over the history
        customers = list(self.customer_equipment)
        kinds = ["repair"] * 6 + ["installation"] + ["inspection"] * 2
        days = self.history_days()
        others = round((total - plan_visits) * (days + FUTURE_DAYS) / (HISTORY_DAYS + FUTURE_DAYS))
        for _index in range(others):
            customer = rng.choice(customers)
            equipment, site = rng.choice(self.customer_equipment[customer])
            day = history_start + timedelta(days=rng.randint(0, days + FUTURE_DAYS))
            start = self.working_datetime(day)
            vals_list.append(
                self.order_vals(
                    rng.choice(kinds), start, customer, site, equipment, self.state_for(start)
                )
            )
        self.every_state(vals_list)
        vals_list.sort(key=lambda vals: vals["planned_date_start"] or datetime.max)
        # the references in one query per batch, as the maintenance cron draws them
        Plan = self.env["field.maintenance.plan"]
        for batch in chunks(vals_list, self.args.batch):
            for vals, name in zip(
                batch, Plan._next_work_order_names(self.company, len(batch)), strict=True
            ):
                vals["name"] = name
        self.order_names = [vals["name"] for vals in vals_list]
        Order = self.env["field.work.order"]

        def after_batch(orders):
            done = orders.filtered(lambda order: order.state == "done")
            # the results of the checks of the done orders, one write per result
            checks = done.checklist_ids.filtered(lambda check: not check.display_type)
            by_result = {}
            for check in checks:
                by_result.setdefault(rng.choice(CHECKLIST_RESULTS), []).append(check.id)
            for result, ids in by_result.items():
                self.env["field.work.order.checklist"].browse(ids).write({"result": result})
            # the technicians follow their open planned orders, as "Plan" makes them
            Order.browse(
                orders.filtered(lambda o: o.state in ("planned", "ready", "in_progress")).ids
            )._subscribe_technicians()

        self.create_in_batches("work orders", "field.work.order", vals_list, after_batch)
        self.counts["work_orders"] = len(vals_list)

    # -- invoices -----------------------------------------------------------------

    def invoices(self):
        """Invoices made by the module, one per customer and year: the done orders of the
        customer in that year, for as many customer-years as invoices are wanted."""
        target = self.counts["invoices"]
        self.cr.execute(
            """SELECT partner_id, extract(year FROM date_end)::int AS year, array_agg(id)
                 FROM field_work_order
                WHERE state = 'done' AND date_end < now() - interval '7 days'
                GROUP BY 1, 2"""
        )
        groups = self.cr.fetchall()
        self.rng.shuffle(groups)
        groups = groups[:target]
        by_year = {}
        for _partner, year, ids in groups:
            by_year.setdefault(year, []).append(ids)
        Order = self.env["field.work.order"]
        made = 0
        for _year, order_groups in sorted(by_year.items()):
            # one customer at most once per call: one invoice per customer and call
            # the time per invoice hardly depends on the batch (0.6 s at 20, 100 or
            # 200 customers per call on the shared development machine)
            for batch in chunks(order_groups, INVOICE_BATCH):
                orders = Order.browse([order for ids in batch for order in ids])
                invoices = orders._create_invoices(skip_refused=True)
                invoices.filtered(lambda move: move.invoice_line_ids).action_post()
                made += len(invoices)
                self.commit()
                self.progress("invoices", made, len(groups))
        self.counts["invoices"] = made

    # -- rules --------------------------------------------------------------------

    def rules(self):
        env = self.env
        env["ir.config_parameter"].set_param("field_maintenance.sync_allow_private_targets", "True")
        endpoint = env["field.sync.endpoint"].create(
            {"name": "Dataset sink (127.0.0.1)", "url": "http://127.0.0.1:8229/fm-sync"}
        )
        env.ref("field_maintenance.automation_sync_completed_action").fm_sync_endpoint_id = endpoint
        rules = (
            env.ref("field_maintenance.automation_mail_customer_on_completion")
            | env.ref("field_maintenance.automation_follow_up_failed_check")
            | env.ref("field_maintenance.automation_sla_escalation")
            | env.ref("field_maintenance.automation_sync_completed")
        )
        rules.write({"active": True})
        self.commit()

    def portal_users(self):
        """The portal customers, who can book the next visit of their plans online."""
        portal = self.env.ref("base.group_portal")
        customers = self.env["res.partner"].browse(self.customer_ids[: self.counts["portal_users"]])
        self.portal = (
            self.env["res.users"]
            .with_context(no_reset_password=True)
            .create(
                [
                    {
                        "login": f"fm.portal.{index:03d}",
                        "partner_id": customer.id,
                        "group_ids": [(6, 0, portal.ids)],
                    }
                    for index, customer in enumerate(customers, 1)
                ]
            )
        )
        self.company.fm_booking_enabled = True
        self.env["field.maintenance.plan"].search(
            [("partner_id", "in", self.portal.partner_id.ids)]
        )._booking_ensure_token()
        self.commit()

    def copies(self):
        """Copies of the block the ORM built (``_dataset_copy.py``), one commit each."""
        copier = self.copier
        copier.check_tables()
        copier.rotate(self.technicians)
        copier.prepare()
        rows = 0
        for number in range(1, self.blocks):
            rows += copier.copy(number)
            self.commit()
            self.progress("copies of the block", number, self.blocks - 1)
        # the copies were written in SQL: what the ORM holds in its cache is stale
        self.env.invalidate_all()
        copier.finish(self.blocks, self.env)
        broken = copier.verify()
        if broken:
            raise RuntimeError(f"References of the copies that point nowhere: {broken}")
        self.commit()
        self.copied_rows = rows
        # the copies' customers are customers too (of the portal users, say)
        span = copier.spans["res_partner"]
        self.customer_ids += [
            customer + number * span
            for number in range(1, self.blocks)
            for customer in list(self.customer_ids)
        ]

    def build(self):
        self.step("configuration", self.products)
        self.step("SLA policies", self.sla_policies)
        self.step("users", self.users_and_groups)
        self.copier = BlockCopier(self.cr)
        if self.blocks > 1:
            self.copier.mark()
        self.step("customers and sites", self.customers)
        self.step("installations", self.installations)
        self.step("maintenance plans", self.plans)
        self.step("work orders", self.work_orders)
        self.step("invoices", self.invoices)
        self.copied_rows = 0
        if self.blocks > 1:
            self.step(f"{self.blocks - 1} copies of the block", self.copies)
        self.step("portal users", self.portal_users)
        self.step("example rules on", self.rules)
        self.set_passwords(self.technicians | self.dispatchers | self.portal)
        return {
            "password": self.args.password,
            "technicians": self.technicians.mapped("login"),
            "dispatchers": self.dispatchers.mapped("login"),
            "portal": self.portal.mapped("login"),
        }


def vacuum(database):
    """VACUUM ANALYZE the new data, as autovacuum leaves a database in use: statistics for
    the planner, and the visibility map that lets PostgreSQL answer from an index alone
    (a technician's rows of the technician relation, read by My Work and the record rules,
    cost three times as much from the table's pages)."""
    import psycopg2

    from odoo.sql_db import connection_info_for

    connection = psycopg2.connect(**connection_info_for(database)[1])
    try:
        connection.autocommit = True  # VACUUM runs outside a transaction
        with connection.cursor() as cr:
            cr.execute("VACUUM ANALYZE")
    finally:
        connection.close()


def main(argv=None):
    args = parse_args(argv)
    counts = sizes(args)
    blocks = block_count(args)
    registry = load_registry(args)
    started = time.perf_counter()
    with registry.cursor() as cr:
        env = superuser(cr, BUILD_CONTEXT)
        if env["field.work.order"].search_count([("summary", "!=", False)]) > 100:
            out("This database already holds many work orders; use a fresh copy.")
            return 1
        builder = Builder(env, args, block_sizes(counts, blocks), blocks)
        users = builder.build()
        cr.execute(
            """SELECT (SELECT count(*) FROM field_work_order),
                      (SELECT count(*) FROM field_work_order_line),
                      (SELECT count(*) FROM calendar_event WHERE fm_work_order_id IS NOT NULL),
                      (SELECT count(*) FROM account_move WHERE move_type = 'out_invoice')"""
        )
        orders, lines, events, invoices = cr.fetchone()
    vacuum(args.database)
    elapsed = time.perf_counter() - started
    history = f", {args.history:g} of the history" if args.history < 1 else ""
    out(f"dataset of scale {args.scale:g}{history} in database {args.database}")
    if blocks > 1:
        out(
            f"  the ORM built 1/{blocks} of the history, copied {blocks - 1} times "
            f"({builder.copied_rows} rows)"
        )
    for key, value in builder.counts.items():
        total = value * blocks if key in HISTORY else value
        out(f"  {key:<14} {total:>9}")
    out(
        f"  in the database: {orders} work orders, {lines} lines, {events} calendar events, "
        f"{invoices} customer invoices"
    )
    for step, seconds in builder.progress.steps.items():
        out(f"  {step:<24} {seconds:8.1f} s")
    out(
        f"  users (password {users['password']!r}): {users['technicians'][0]}.., "
        f"{users['dispatchers'][0]}.., {users['portal'][0]}.."
    )
    out(f"built in {elapsed:.0f} s ({elapsed / 60:.1f} min)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
