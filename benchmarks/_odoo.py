"""Connection options shared by the benchmark scripts: they run Odoo in-process against an
existing database, with the same options as the Odoo server."""


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
