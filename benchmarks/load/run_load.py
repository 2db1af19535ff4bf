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

With ``--replica PORT`` (5433 when given without a port) the test runs beside a
streaming hot-standby replica of the local PostgreSQL primary: built with
``pg_basebackup -R -X stream`` in a temporary directory, started with ``pg_ctl`` on
127.0.0.1:PORT, waited for until it replayed the primary's current WAL position, given
to Odoo as ``--db_replica_host 127.0.0.1 --db_replica_port PORT`` (Odoo's ``readonly``
routes read it), stopped and removed at the end, also on an error or Ctrl-C. The
primary needs a ``replication`` line in its ``pg_hba.conf`` for 127.0.0.1 (the script
says which when it is missing). It prints the replica's lag (largest during the run
and at the end), the transactions the replica served, and the requests per cursor of
Odoo's request log: ``ro`` (served by the replica), ``rw`` (read/write route: primary),
``ro->rw`` (a read-only route that wrote and ran again on the primary).

Locust runs from its own virtual environment (``--locust``, ``pip install locust``
there: its dependencies must not change Odoo's). All traffic stays on 127.0.0.1.
The test changes the data (orders started and completed, orders planned, lines added):
run it on a copy of the dataset.

    python3 benchmarks/load/run_load.py -d t18_full --duration 5m \\
        --db_host 127.0.0.1 --db_user odoo --db_password odoo \\
        --addons-path /work/main,/opt/odoo19/odoo/addons,/opt/odoo19/addons
"""

import argparse
import collections
import csv
import http.server
import os
import re
import shutil
import signal
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
    parser.add_argument(
        "--think",
        default="3,9",
        help="seconds each user waits between two steps, at random between the two (3,9)",
    )
    parser.add_argument(
        "--baseline-think",
        default="0.5,1",
        help="the same for the technician alone (0.5,1: one request at a time, and enough "
        "of them in --baseline for a 95th percentile)",
    )
    parser.add_argument("--spawn-rate", type=float, default=5)
    parser.add_argument("--password", default="fm-dataset")
    parser.add_argument("--locust", default="/work/t18-locust-venv/bin/locust")
    parser.add_argument("--results", default=None, help="directory of the CSV files")
    parser.add_argument(
        "--replica",
        type=int,
        nargs="?",
        const=5433,
        default=None,
        metavar="PORT",
        help="run with a streaming hot-standby replica on 127.0.0.1:PORT (5433)",
    )
    parser.add_argument(
        "--pg-bin",
        default=None,
        help="PostgreSQL's programs for the replica (/usr/lib/postgresql/<primary's major>/bin)",
    )
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


def connect(args, port=None, database=None):
    import psycopg2

    return psycopg2.connect(
        dbname=database or args.database,
        host=args.db_host or "127.0.0.1",
        port=port or args.db_port,
        user=args.db_user,
        password=args.db_password,
    )


def query(args, sql, params=None, port=None, database=None):
    """The first row of ``sql`` on the primary (or the server on ``port``)."""
    connection = connect(args, port, database)
    try:
        connection.autocommit = True
        with connection.cursor() as cr:
            cr.execute(sql, params)
            return cr.fetchone()
    finally:
        connection.close()


class Replica:
    """A streaming hot-standby replica of the primary in a temporary directory."""

    # a hot standby needs at least the primary's values of these
    LIMITS = (
        "max_connections",
        "max_worker_processes",
        "max_wal_senders",
        "max_prepared_transactions",
        "max_locks_per_transaction",
    )

    def __init__(self, args):
        self.args = args
        self.port = args.replica
        self.directory = None
        self.started = False
        self.max_lag = (0, None)

    @property
    def data(self):
        return Path(self.directory) / "data"

    def _command(self, *command, env=None, check=True):
        """Run a PostgreSQL program; as the postgres user when this is root (pg_ctl
        refuses root, and the data directory must belong to the server's user)."""
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        return subprocess.run(  # noqa: S603
            [*prefix, *command],
            env=dict(os.environ, **(env or {})),
            capture_output=True,
            text=True,
            check=check,
        )

    def start(self):
        args = self.args
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                raise SystemExit(f"the replica's port {self.port} is in use")
        wal_level, version = query(
            args, "SELECT current_setting('wal_level'), current_setting('server_version_num')"
        )
        if wal_level not in ("replica", "logical"):
            raise SystemExit(f"the primary's wal_level is {wal_level}: a replica needs 'replica'")
        limits = query(
            args, "SELECT " + ", ".join(f"current_setting('{name}')" for name in self.LIMITS)
        )
        pg_bin = Path(args.pg_bin or f"/usr/lib/postgresql/{int(version) // 10000}/bin")
        self.directory = tempfile.mkdtemp(prefix=f"{args.database}-replica-")
        if os.geteuid() == 0:
            shutil.chown(self.directory, "postgres", "postgres")
        out(f"replica: pg_basebackup of 127.0.0.1:{args.db_port or 5432} into {self.data}")
        backup = self._command(
            str(pg_bin / "pg_basebackup"),
            *("-h", args.db_host or "127.0.0.1", "-p", str(args.db_port or 5432)),
            *(["-U", args.db_user] if args.db_user else []),
            *("-D", str(self.data), "-R", "-X", "stream", "-c", "fast", "-w"),
            env={"PGPASSWORD": args.db_password} if args.db_password else None,
            check=False,
        )
        if backup.returncode:
            if "no pg_hba.conf entry for replication" in backup.stderr:
                raise SystemExit(
                    f"{backup.stderr.strip()}\nAllow replication from 127.0.0.1 on the primary: "
                    "add\n    host replication all 127.0.0.1/32 trust\nto its pg_hba.conf "
                    "(SHOW hba_file) and reload it (SELECT pg_reload_conf()); the user needs "
                    "the REPLICATION attribute or to be a superuser."
                )
            raise SystemExit(f"pg_basebackup failed: {backup.stderr.strip()}")
        # Debian keeps the configuration out of the data directory: the replica's own
        settings = {
            "port": self.port,
            "listen_addresses": "'127.0.0.1'",
            "unix_socket_directories": f"'{self.directory}'",
            "hot_standby": "on",
            # no query of a read-only request cancelled by the replay of a vacuum
            "hot_standby_feedback": "on",
            **dict(zip(self.LIMITS, limits, strict=True)),
        }
        config = "".join(f"{name} = {value}\n" for name, value in settings.items())
        hba = "local all all trust\nhost all all 127.0.0.1/32 trust\n"
        for name, text in (
            ("postgresql.conf", config),
            ("pg_hba.conf", hba),
            ("pg_ident.conf", ""),
        ):
            (self.data / name).write_text(text)
            if os.geteuid() == 0:
                shutil.chown(self.data / name, "postgres", "postgres")
        started = self._command(
            str(pg_bin / "pg_ctl"),
            *("-D", str(self.data), "-l", str(Path(self.directory) / "replica.log")),
            *("-w", "-t", "120", "start"),
            check=False,
        )
        self.pg_ctl = pg_bin / "pg_ctl"
        self.started = True
        if started.returncode:
            raise SystemExit(f"the replica did not start: {started.stdout}{started.stderr}")
        self._wait_replayed()
        out(f"replica: 127.0.0.1:{self.port} streaming, replayed up to the primary")

    def _wait_replayed(self, timeout=120):
        (lsn,) = query(self.args, "SELECT pg_current_wal_lsn()::text")
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                (replayed,) = query(
                    self.args,
                    "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn",
                    [lsn],
                    port=self.port,
                )
                if replayed:
                    return
            except Exception:  # noqa: BLE001, S110 (not accepting connections yet)
                pass
            time.sleep(1)
        raise SystemExit(f"the replica did not replay up to {lsn} in {timeout} s")

    def lag(self):
        """(bytes, seconds) the replica is behind the primary (pg_stat_replication)."""
        row = query(
            self.args,
            """SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), replay_lsn),
                      extract(epoch FROM replay_lag)
                 FROM pg_stat_replication
                WHERE application_name = 'walreceiver' ORDER BY replay_lsn LIMIT 1""",
        )
        if not row:
            return None, None
        return int(row[0] or 0), float(row[1]) if row[1] is not None else None

    def watch_lag(self, stop):
        """Keep the largest lag until ``stop`` is set (one query a second)."""
        while not stop.wait(1):
            try:
                lag = self.lag()
            except Exception:  # noqa: BLE001, S112 (a busy primary: next second)
                continue
            if lag[0] is not None and lag[0] >= self.max_lag[0]:
                self.max_lag = lag

    def transactions(self):
        """Transactions of the dataset's database on the replica (pg_stat_database)."""
        (count,) = query(
            self.args,
            "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = %s",
            [self.args.database],
            port=self.port,
            database="postgres",
        )
        return count

    def stop(self):
        if self.started:
            self._command(str(self.pg_ctl), "-D", str(self.data), "-m", "fast", "stop", check=False)
        if self.directory:
            shutil.rmtree(self.directory, ignore_errors=True)
            out(f"replica: stopped, {self.directory} removed")


def cursor_modes(log):
    """Requests per cursor of Odoo's request log (werkzeug lines end with the cursor mode
    when a replica is configured), and the read-only routes that wrote (``ro->rw``)."""
    modes = collections.Counter()
    fallbacks = collections.Counter()
    pattern = re.compile(r'werkzeug: .*"(\w+) (\S+) HTTP/[\d.]+" \d+ .* (ro|rw|ro->rw|-)\s*$')
    for line in log.read_text(errors="replace").splitlines():
        match = pattern.search(line)
        if match:
            modes[match[3]] += 1
            if match[3] == "ro->rw":
                fallbacks[re.sub(r"\d+", "N", match[2].split("?")[0])] += 1
    return modes, fallbacks


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
    if args.replica:
        command += ["--db_replica_host", "127.0.0.1", "--db_replica_port", str(args.replica)]
        # the request lines (with their cursor: ro, rw, ro->rw) for the count of the replica
        command += ["--log-handler", "werkzeug:INFO"]
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


def run_locust(args, prefix, technicians, dispatchers, portal, duration, think):
    users = technicians + dispatchers + portal
    env = dict(
        os.environ,
        FM_THINK=think,
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
        # the figures start once every user has logged in (locustfile.py resets them)
        "--stop-timeout",
        "60",
    ]
    return subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL)  # noqa: S603


def read_stats(prefix):
    with open(f"{prefix}_stats.csv", encoding="utf-8") as stats:
        return {row["Name"]: row for row in csv.DictReader(stats)}


def print_exceptions(prefix):
    """Exceptions raised in the users' tasks (the load script's own errors, which Locust
    counts apart from the failed requests): none is expected."""
    path = Path(f"{prefix}_exceptions.csv")
    if not path.exists():
        return
    with open(path, encoding="utf-8") as exceptions:
        rows = list(csv.DictReader(exceptions))
    total = sum(int(row["Count"]) for row in rows)
    out(f"exceptions in the users' tasks ({path.name}): {total}")
    for row in rows:
        out(f"  {row['Count']} x {row['Message']}")


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
                if int(row["Request Count"]) < 20:
                    # a 95th percentile of so few requests is their largest
                    ratio += f"  (of {row['Request Count']} requests: the largest)"
        out(
            f"  {name:<26} {row['Request Count']:>6} {row['Failure Count']:>5} "
            f"{float(row['Requests/s']):>6.2f} {row['50%']:>7} {row['95%']:>7} "
            f"{row['99%']:>7}  {ratio}"
        )


def main(argv=None):
    args = parse_args(argv)
    # a kill stops the server and the replica as Ctrl-C does (the finally clauses)
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    results = Path(args.results or tempfile.mkdtemp(prefix=f"{args.database}-load-"))
    results.mkdir(parents=True, exist_ok=True)
    check = [sys.executable, str(HERE / "check_consistency.py"), "-d", args.database]
    check += connection_options(args)
    snapshot = results / "snapshot.json"
    subprocess.run([*check, "--snapshot", str(snapshot)], check=True)  # noqa: S603
    log = results / "server.log"
    replica = Replica(args) if args.replica else None
    sink = server = locust = None
    baseline = None
    replica_figures = {}
    try:
        if replica:
            replica.start()
        sink = http.server.ThreadingHTTPServer(("127.0.0.1", args.port + 1), Sink)
        threading.Thread(target=sink.serve_forever, daemon=True).start()
        server = start_server(args, log)
        if args.baseline not in ("0", "0s", "0m"):
            locust = run_locust(
                args, results / "single", 1, 0, 0, args.baseline, args.baseline_think
            )
            locust.wait()
            baseline = read_stats(results / "single")
        make_crons_due(args)
        if replica:
            log_offset = log.stat().st_size
            transactions = replica.transactions()
            stop_watch = threading.Event()
            threading.Thread(target=replica.watch_lag, args=(stop_watch,), daemon=True).start()
        locust = run_locust(
            args,
            results / "load",
            args.technicians,
            args.dispatchers,
            args.portal,
            args.duration,
            args.think,
        )
        seconds = {"s": 1, "m": 60, "h": 3600}[args.duration[-1]] * float(args.duration[:-1])
        time.sleep(seconds / 2)
        make_crons_due(args)
        locust.wait()
        if replica:
            stop_watch.set()
            replica_figures = {
                "transactions": replica.transactions() - transactions,
                "lag": replica.lag(),
                "log_offset": log_offset,
            }
    finally:
        if locust and locust.poll() is None:
            locust.terminate()
            locust.wait(60)
        if server:
            server.terminate()
            try:
                server.wait(60)
            except subprocess.TimeoutExpired:
                server.kill()
        if sink:
            sink.shutdown()
        if replica:
            replica.stop()
    if baseline:
        print_stats("one technician alone", baseline)
    print_stats(
        f"{args.technicians} technicians, {args.dispatchers} dispatchers, "
        f"{args.portal} portal customers, {args.duration}, thinking {args.think} s "
        "(workers=4, max-cron-threads=1"
        + (f", replica 127.0.0.1:{args.replica})" if replica else ")"),
        read_stats(results / "load"),
        baseline,
    )
    if replica_figures:
        print_replica(replica, replica_figures, log)
    for prefix in ("single", "load"):
        print_exceptions(results / prefix)
    errors, conflicts = log_errors(log)
    out(
        f"server log: {len(errors)} ERROR entries, and {len(conflicts)} serialization "
        f"conflicts that Odoo retried ({log})"
    )
    for entry in errors[:10]:
        out(f"  {entry[:200]}")
    return subprocess.run([*check, "--check", str(snapshot)], check=False).returncode  # noqa: S603


def log_errors(log):
    """The ERROR entries of the server log (with their continuation lines), apart from the
    serialization conflicts: Odoo logs the failed query ("bad query", "could not serialize
    access") and runs the request again; one that still fails after its retries reaches
    the user, and Locust counts it as a failure."""
    entries = []
    for line in log.read_text(errors="replace").splitlines():
        if re.match(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", line):
            entries.append(line)
        elif entries:
            entries[-1] += "\n" + line
    errors = [entry for entry in entries if " ERROR " in entry.splitlines()[0]]
    conflicts = [entry for entry in errors if "could not serialize access" in entry]
    return [entry for entry in errors if entry not in conflicts], conflicts


def print_replica(replica, figures, log):
    def lag_text(lag):
        size, seconds = lag
        if size is None:
            return "not streaming"
        return f"{size} bytes" + (f", replay lag {seconds * 1000:.1f} ms" if seconds else "")

    out("replica (load run)")
    out(f"  lag at the end: {lag_text(figures['lag'])}; largest: {lag_text(replica.max_lag)}")
    out(f"  transactions on the replica: {figures['transactions']}")
    with open(log, encoding="utf-8", errors="replace") as handle:
        handle.seek(figures["log_offset"])
        tail = Path(log.parent / "server-load.log")
        tail.write_text(handle.read())
    modes, fallbacks = cursor_modes(tail)
    total = sum(modes.values())
    out(
        f"  requests: {total}; read-only cursor (replica) {modes['ro']}"
        f" ({100 * modes['ro'] / (total or 1):.0f} %), read/write (primary) {modes['rw']},"
        f" read-only route that wrote, run again on the primary {modes['ro->rw']}"
    )
    for path, count in fallbacks.most_common(5):
        out(f"    ro->rw {count:>5}  {path}")


if __name__ == "__main__":
    sys.exit(main())
