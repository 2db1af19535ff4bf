from odoo.tools import SQL

from . import tools
from . import controllers
from . import models
from . import wizard


def uninstall_hook(env):
    """Before Odoo removes the module's data: the records its code made from the demo or
    by users (work orders, plans, F-gas entries, timers, booking locks) go first. Odoo
    deletes the module's XML records (demo customers, equipment) before it drops the
    module's tables, and a work order or plan made by code (e.g. the re-check after a
    demo leak repair) would keep such a customer. The tables are dropped anyway."""
    cr = env.cr
    cr.execute("SELECT to_regclass('field_fgas_log')")
    if cr.fetchone()[0]:
        # corrections refer to the entries they correct (ondelete restrict)
        cr.execute("UPDATE field_fgas_log SET correction_of_id = NULL")
    for table in (
        "field_fgas_log",
        "field_work_order_time",
        "field_booking_slot",
        "field_work_order",
        "field_maintenance_plan",
    ):
        cr.execute("SELECT to_regclass(%s)", [table])
        if cr.fetchone()[0]:
            cr.execute(SQL("DELETE FROM %s", SQL.identifier(table)))  # the module's own
