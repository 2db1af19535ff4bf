from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    """The calendar events of work orders become private (security issue 12): the
    events created before this version have the organizer's default privacy, so every
    employee could read their customer, summary and site address."""
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["calendar.event"]._fm_make_work_order_events_private()
