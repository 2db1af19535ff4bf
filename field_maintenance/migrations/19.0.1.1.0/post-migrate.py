from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    """The calendar events of work orders become private: the
    events created before this version have the organizer's default privacy, so every
    employee could read their customer, summary and site address."""
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["calendar.event"]._fm_make_work_order_events_private()
    # Scheduled e-mails queued before this version do not know who triggered their rule:
    # they are written as superuser, as they were then. What they send is checked again
    # against their rule's action when they are due (template, model, extra recipients),
    # so a row edited by hand before the upgrade is refused, not sent.
    cr.execute(
        """
        UPDATE field_scheduled_mail
           SET as_superuser = TRUE
         WHERE state = 'pending' AND user_id IS NULL AND as_superuser IS NOT TRUE
        """
    )
