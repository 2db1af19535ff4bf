"""Connection options shared by the benchmark scripts: they run Odoo in-process against an
existing database, with the same options as the Odoo server."""

import os
import statistics
import sys
import time


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


class CpuClock:
    """CPU seconds spent on a piece of work: this process's plus, when PostgreSQL runs on
    this machine and its process can be read (Linux /proc), those of the database server
    process serving the cursor. Unlike wall-clock time, CPU time hardly depends on what
    the rest of a shared machine does, so ratios of CPU times are the steadier figure."""

    def __init__(self, cr):
        self.backend_stat = None
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
