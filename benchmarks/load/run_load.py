#!/usr/bin/env python3
"""Run the Locust load test against Odoo's production set-up on this machine, and stop.

1. records what the consistency check compares (``check_consistency.py --snapshot``);
2. starts ``odoo-bin --workers=4 --max-cron-threads=1`` on 127.0.0.1 (``--port``,
   its long-polling port ``--port`` + 2) for the database, and a sink on 127.0.0.1
   (``--port`` + 1) answering the outbound sync of the dataset's endpoint;
3. makes the module's crons due (reminders, generation of visits, outbox, scheduled
   e-mails) and Odoo's mail queue at the start and at half time, so they run during
   the test in the cron worker;
4. runs Locust headless (``locustfile.py``) with ``--technicians``, ``--dispatchers`` and
   ``--portal`` users for ``--duration``, first with one technician alone for
   ``--baseline`` (the single-user reference), unless ``--baseline 0``;
5. stops the server and prints, per request type, requests, failures, requests/s and the
   50/95/99th percentiles, the ratio of each technician step's p95 to its single-user
   p95 (goal: at most 3), and runs ``check_consistency.py``.

Locust runs from its own virtual environment (``--locust``, ``pip install locust``
there: its dependencies must not change Odoo's). All traffic stays on 127.0.0.1.
The test changes the data (orders started and completed, orders planned, lines added):
run it on a copy of the dataset.

    python3 benchmarks/load/run_load.py -d t18_full --duration 5m \\
        --db_host 127.0.0.1 --db_user odoo --db_password odoo \\
        --addons-path /work/main,/opt/odoo19/odoo/addons,/opt/odoo19/addons
"""

import argparse
import csv
import http.server
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent))

from _odoo import add_connection_arguments, out  # noqa: E402

CRONS = [
    "field_maintenance.ir_cron_maintenance_plan_reminder",
    "field_maintenance.ir_cron_maintenance_plan_generate",
    "field_maintenance.ir_cron_field_sync_send",
    "field_maintenance.ir_cron_field_scheduled_mail",
    "mail.ir_cron_mail_scheduler_action",
]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_connection_arguments(parser)
    parser.add_argument("--port", type=int, default=8228)
    parser.add_argument("--technicians", type=int, default=40)
    parser.add_argument("--dispatchers", type=int, default=6)
    parser.add_argument("--portal", type=int, default=30)
    parser.add_argument("--duration", default="5m", help="Locust run time (5m)")
    parser.add_argument("--baseline", default="2m", help="single-technician run (2m; 0: none)")
    parser.add_argument("--spawn-rate", type=float, default=5)
    parser.add_argument("--password", default="fm-dataset")
    parser.add_argument("--locust", default="/work/t18-locust-venv/bin/locust")
    parser.add_argument("--results", default=None, help="directory of the CSV files")
    return parser.parse_args(argv)


class Sink(http.server.BaseHTTPRequestHandler):
    """The external system of the sync endpoint: accepts every message."""

    def do_POST(self):  # noqa: N802 (http.server's name)
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(b'{"ok": true}')

    def log_message(self, *args):
        pass


def connection_options(args):
    options = []
    for option in ("db_host", "db_port", "db_user", "db_password"):
        if getattr(args, option):
            options += [f"--{option}", getattr(args, option)]
    if args.addons_path:
        options += ["--addons-path", args.addons_path]
    return options


def odoo_command():
    """``python3 odoo-bin`` when Odoo has it (the long-polling worker of the prefork
    server restarts the command it was started with, which ``-m odoo`` cannot be),
    else ``python3 -m odoo``."""
    import importlib.util

    package = Path(importlib.util.find_spec("odoo").submodule_search_locations[0])
    odoo_bin = package.parent / "odoo-bin"
    return [sys.executable, str(odoo_bin)] if odoo_bin.exists() else [sys.executable, "-m", "odoo"]


def start_server(args, log):
    command = [
        *odoo_command(),
        "server",
        "-d",
        args.database,
        "--db-filter",
        f"^{args.database}$",
        "--no-database-list",
        "--http-interface",
        "127.0.0.1",
        "--http-port",
        str(args.port),
        "--gevent-port",
        str(args.port + 2),
        "--workers",
        "4",
        "--max-cron-threads",
        "1",
        "--limit-time-real",
        "600",
        "--limit-time-cpu",
        "300",
        "--log-level",
        "warn",
        "--logfile",
        str(log),
        *connection_options(args),
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)  # noqa: S603
    deadline = time.time() + 180
    while time.time() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", args.port)) == 0:
                return process
        if process.poll() is not None:
            raise SystemExit(f"the server stopped; see {log}")
        time.sleep(1)
    process.terminate()
    raise SystemExit(f"the server did not start; see {log}")


def make_crons_due(args):
    """The crons of the test due now (their next call; they run in the cron worker)."""
    import psycopg2

    connection = psycopg2.connect(
        dbname=args.database,
        host=args.db_host,
        port=args.db_port,
        user=args.db_user,
        password=args.db_password,
    )
    with connection, connection.cursor() as cr:
        cr.execute(
            """UPDATE ir_cron SET nextcall = now() at time zone 'UTC', active = true
                WHERE id IN (SELECT res_id FROM ir_model_data
                              WHERE model = 'ir.cron' AND module || '.' || name = ANY(%s))""",
            [CRONS],
        )
    connection.close()


def run_locust(args, prefix, technicians, dispatchers, portal, duration):
    users = technicians + dispatchers + portal
    env = dict(
        os.environ,
        FM_DB=args.database,
        FM_PASSWORD=args.password,
        FM_TECHNICIANS=str(technicians),
        FM_DISPATCHERS=str(dispatchers),
        FM_PORTAL=str(portal),
    )
    command = [
        args.locust,
        "-f",
        str(HERE / "locustfile.py"),
        "--headless",
        "--host",
        f"http://127.0.0.1:{args.port}",
        "-u",
        str(users),
        "-r",
        str(args.spawn_rate),
        "-t",
        duration,
        "--csv",
        str(prefix),
        "--only-summary",
        "--stop-timeout",
        "60",
    ]
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)  # noqa: S603


def read_stats(prefix):
    with open(f"{prefix}_stats.csv", encoding="utf-8") as stats:
        return {row["Name"]: row for row in csv.DictReader(stats)}


def print_stats(title, stats, baseline=None):
    out(title)
    out(
        f"  {'request':<26} {'count':>6} {'fail':>5} {'req/s':>6} "
        f"{'p50 ms':>7} {'p95 ms':>7} {'p99 ms':>7}  p95 / single user"
    )
    for name, row in stats.items():
        ratio = ""
        if baseline and name in baseline and name.startswith("tech:"):
            single = float(baseline[name]["95%"] or 0)
            if single:
                value = float(row["95%"]) / single
                ratio = f"{value:.2f}" + ("  OVER 3x" if value > 3 else "")
        out(
            f"  {name:<26} {row['Request Count']:>6} {row['Failure Count']:>5} "
            f"{float(row['Requests/s']):>6.2f} {row['50%']:>7} {row['95%']:>7} "
            f"{row['99%']:>7}  {ratio}"
        )


def main(argv=None):
    args = parse_args(argv)
    results = Path(args.results or tempfile.mkdtemp(prefix=f"{args.database}-load-"))
    results.mkdir(parents=True, exist_ok=True)
    check = [sys.executable, str(HERE / "check_consistency.py"), "-d", args.database]
    check += connection_options(args)
    snapshot = results / "snapshot.json"
    subprocess.run([*check, "--snapshot", str(snapshot)], check=True)  # noqa: S603
    sink = http.server.ThreadingHTTPServer(("127.0.0.1", args.port + 1), Sink)
    threading.Thread(target=sink.serve_forever, daemon=True).start()
    log = results / "server.log"
    server = start_server(args, log)
    baseline = None
    try:
        if args.baseline not in ("0", "0s", "0m"):
            locust = run_locust(args, results / "single", 1, 0, 0, args.baseline)
            locust.wait()
            baseline = read_stats(results / "single")
        make_crons_due(args)
        locust = run_locust(
            args, results / "load", args.technicians, args.dispatchers, args.portal, args.duration
        )
        seconds = {"s": 1, "m": 60, "h": 3600}[args.duration[-1]] * float(args.duration[:-1])
        time.sleep(seconds / 2)
        make_crons_due(args)
        locust.wait()
    finally:
        server.terminate()
        try:
            server.wait(60)
        except subprocess.TimeoutExpired:
            server.kill()
        sink.shutdown()
    if baseline:
        print_stats("one technician alone", baseline)
    print_stats(
        f"{args.technicians} technicians, {args.dispatchers} dispatchers, "
        f"{args.portal} portal customers, {args.duration} (workers=4, max-cron-threads=1)",
        read_stats(results / "load"),
        baseline,
    )
    errors = [line for line in log.read_text(errors="replace").splitlines() if " ERROR " in line]
    out(f"server log: {len(errors)} ERROR lines ({log})")
    for line in errors[:10]:
        out(f"  {line[:200]}")
    return subprocess.run([*check, "--check", str(snapshot)], check=False).returncode  # noqa: S603


if __name__ == "__main__":
    sys.exit(main())
