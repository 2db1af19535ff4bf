from odoo import SUPERUSER_ID, api


def migrate(cr, version):
    """The rules of the field-service update presets move from ``on_write``, listed as
    "Deprecated (do not use)" by Odoo 19's rule editor, to ``on_create_or_write``; they
    still fire on updates only."""
    if not version:
        return
    env = api.Environment(cr, SUPERUSER_ID, {})
    env["base.automation"]._fm_upgrade_legacy_triggers()
