"""What the benchmark scripts share: they run Odoo in-process against an existing
database, with the same connection options as the Odoo server (``load_registry``,
``environment``), measure their runs with one ``Meter`` and print with ``out``."""

import gc
import os
import statistics
import sys
import time
import tracemalloc
from collections import defaultdict
from contextlib import contextmanager


def add_connection_arguments(parser):
    parser.add_argument("-d", "--database", required=True)
    parser.add_argument("--db_host")
    parser.add_argument("--db_port")
    parser.add_argument("--db_user")
    parser.add_argument("--db_password")
    parser.add_argument("--addons-path")


def odoo_args(args):
    """The Odoo command-line options for parse_config() from the parsed arguments."""
    result = ["-d", args.database, "--log-level", "warn"]
    for option in ("db_host", "db_port", "db_user", "db_password"):
        if getattr(args, option):
            result += [f"--{option}", getattr(args, option)]
    if args.addons_path:
        result += ["--addons-path", args.addons_path]
    return result


def out(line=""):
    """Print a line of the results."""
    sys.stdout.write(f"{line}\n")


def load_registry(args):
    """The Odoo registry of the database, Odoo configured from the parsed arguments."""
    import odoo
    from odoo.modules.registry import Registry

    odoo.tools.config.parse_config(odoo_args(args))
    return Registry(args.database)


def superuser(cr, context=None):
    """An environment of the superuser on ``cr``."""
    from odoo import SUPERUSER_ID, api

    return api.Environment(cr, SUPERUSER_ID, context or {})


@contextmanager
def environment(args, context=None):
    """An environment of the superuser on a cursor of the database, whose transaction is
    rolled back at the end: the database is left as it was."""
    with load_registry(args).cursor() as cr:
        try:
            yield superuser(cr, context)
        finally:
            cr.rollback()


class CpuClock:
    """CPU seconds spent on a piece of work: this process's plus, when PostgreSQL runs on
    this machine and its process can be read (Linux /proc), those of the database server
    process serving the cursor (unless ``database`` is false). Unlike wall-clock time, CPU
    time hardly depends on what the rest of a shared machine does, so ratios of CPU times
    are the steadier figure."""

    def __init__(self, cr, database=True):
        self.backend_stat = None
        if not database:
            return  # this process only
        host = cr._cnx.info.host or ""
        if not (host.startswith("/") or host in ("localhost", "127.0.0.1", "::1")):
            return  # the server runs elsewhere: this process only
        cr.execute("SELECT pg_backend_pid()")
        pid = cr.fetchone()[0]
        try:
            with open(f"/proc/{pid}/comm", encoding="ascii") as comm:
                if comm.read().strip() in ("postgres", "postmaster"):
                    self.backend_stat = f"/proc/{pid}/stat"
        except OSError:
            pass  # a remote or unreadable server: this process only

    @property
    def includes_database(self):
        return self.backend_stat is not None

    def _backend_seconds(self):
        if not self.backend_stat:
            return 0.0
        with open(self.backend_stat, encoding="ascii") as stat:
            # fields after the command name: state is the 3rd field, utime the 14th,
            # stime the 15th (proc(5))
            values = stat.read().rsplit(")", 1)[1].split()
        return (int(values[11]) + int(values[12])) / os.sysconf("SC_CLK_TCK")

    def __call__(self):
        return time.process_time() + self._backend_seconds()


def round_by_round(numerators, denominators, cpu_key, cpu_label, fmt=".2f", suffix=""):
    """Line of the ratios of runs measured in the same round (a few seconds apart, so
    both slowed alike by the rest of a shared machine): their median, wall clock and CPU,
    and each round's wall-clock ratio."""
    rounds = list(zip(numerators, denominators, strict=True))
    walls = [num["seconds"] / den["seconds"] for num, den in rounds]
    cpus = [num[cpu_key] / den[cpu_key] for num, den in rounds]
    return (
        f"  round by round: median {statistics.median(walls):{fmt}}{suffix} wall clock, "
        f"{statistics.median(cpus):{fmt}}{suffix} {cpu_label} (rounds: "
        + ", ".join(f"{ratio:{fmt}}{suffix}" for ratio in walls)
        + ")"
    )


class CallCounter:
    """Python and built-in function calls made while it is active: a measure of the work
    done that, unlike time, does not change with what else the machine runs (counting
    slows the work down; the count is taken in a run of its own)."""

    def __init__(self):
        self.calls = 0

    def _profile(self, _frame, event, _arg):
        if event in ("call", "c_call"):
            self.calls += 1

    def __enter__(self):
        sys.setprofile(self._profile)
        return self

    def __exit__(self, *exc):
        sys.setprofile(None)


class Meter:
    """Wall-clock time, CPU time (see ``CpuClock``) and SQL queries of named runs, each
    measured until its work is in the database; ``with meter("name"): ...``.

    :param end: what ends a run: ``"flush"`` (the records are written), ``"commit"``
        (what a commit does before it commits: flush and pre-commit hooks, such as
        tracking messages) or ``"request"`` (the end of a request: flush, pre-commit
        hooks, and a flush of what the hooks wrote)
    :param fresh_cache: each run starts from an empty ORM cache, as a new request does
    :param collect_garbage: the garbage of the previous runs (environments kept by
        reference cycles, which Odoo looks through whenever it makes a new one) is
        collected before each run, not during it
    :param database_cpu: the CPU time includes the database server's (``CpuClock``)
    :param python_memory: the peak of the Python allocations of each run is measured
        too (``peak_python_mb``; slower)

    A name measured more than once keeps its fastest wall-clock and CPU times (the least
    disturbed by the rest of the machine), each apart, in ``results``; ``runs`` keeps
    every run in order. ``meter(name, count_calls=True)`` counts the Python function
    calls of the run instead (``calls``), in a run of its own: counting slows it down.
    """

    def __init__(
        self,
        env,
        end="commit",
        fresh_cache=True,
        collect_garbage=False,
        database_cpu=True,
        python_memory=False,
    ):
        self.env = env
        self.end = end
        self.fresh_cache = fresh_cache
        self.collect_garbage = collect_garbage
        self.python_memory = python_memory
        self.cpu = CpuClock(env.cr, database=database_cpu)
        self.results = {}
        self.runs = defaultdict(list)  # name: the result of each run, in order
        self.calls = {}  # name: the Python function calls of a run (count_calls)

    def _end(self):
        if self.end == "flush":
            self.env.flush_all()
        elif self.end == "request":
            self.env.flush_all()
            self.env.cr.precommit.run()  # what the end of the request does: tracking
            self.env.cr.flush()
        else:
            self.env.cr.flush()

    @contextmanager
    def __call__(self, name, count_calls=False):
        cr = self.env.cr
        if self.fresh_cache:
            self.env.invalidate_all()
        if self.collect_garbage:
            gc.collect()
        if count_calls:
            with CallCounter() as counter:
                yield
                self._end()
            self.calls[name] = counter.calls
            return
        if self.python_memory:
            tracemalloc.start()
        queries = cr.sql_log_count
        start = time.perf_counter()
        cpu_start = self.cpu()
        yield
        self._end()
        result = {
            "seconds": time.perf_counter() - start,
            "cpu": self.cpu() - cpu_start,
            "queries": cr.sql_log_count - queries,
        }
        if self.python_memory:
            result["peak_python_mb"] = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
        self.runs[name].append(dict(result))
        best = self.results.setdefault(name, result)
        best["seconds"] = min(best["seconds"], result["seconds"])
        best["cpu"] = min(best["cpu"], result["cpu"])
