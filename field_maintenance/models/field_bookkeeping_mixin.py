from datetime import timedelta

from odoo import api, fields, models
from odoo.exceptions import AccessError

MANAGER_GROUP = "field_maintenance.group_field_manager"


class FieldBookkeepingMixin(models.AbstractModel):
    """Rows the module keeps for itself (scheduled e-mails of rules, outbox messages):
    users cannot create or write them; Field Service managers retry or cancel them with
    buttons that change only their state (security/README.md)."""

    _name = "field.bookkeeping.mixin"
    _description = "Bookkeeping Rows of Field Service"

    # the system parameter of the days sent and cancelled rows are kept (0: forever),
    # set in Settings > Field Service
    _retention_param = None
    _retention_default = 90

    def _manager_refusal(self):
        """The translated message refusing a user who is not a Field Service manager."""
        raise NotImplementedError

    def _write_state_as_manager(self, states, vals):
        """Managers: write ``vals`` (the state and what goes with it) on the records of
        ``self`` in one of ``states``; returns those records."""
        if not (self.env.su or self.env.user.has_group(MANAGER_GROUP)):
            raise AccessError(self._manager_refusal())
        self.check_access("read")
        records = self.filtered(lambda record: record.state in states)
        if records:
            # sudo: users cannot write these rows; ``vals`` is given by the calling action
            # method (the state and what goes with it), not by the user
            records.sudo().write(vals)
        return records

    def _retention_days(self):
        # sudo: reads a number set by system administrators in the settings
        param = self.env["ir.config_parameter"].sudo().get_param(self._retention_param)
        try:
            return int(param) if param not in (None, False, "") else self._retention_default
        except ValueError:
            return self._retention_default

    @api.autovacuum
    def _gc_done_rows(self):
        """Delete the sent and cancelled rows older than the retention period (0 keeps
        them forever)."""
        if self._abstract:
            return
        days = self._retention_days()
        if days <= 0:
            return
        limit_date = fields.Datetime.now() - timedelta(days=days)
        # sudo: housekeeping of the module's own bookkeeping, by age and state only
        self.sudo().search(
            [("state", "in", ("sent", "cancelled")), ("write_date", "<", limit_date)],
            limit=10000,
        ).unlink()
