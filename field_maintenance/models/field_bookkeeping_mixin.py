from odoo import models
from odoo.exceptions import AccessError

MANAGER_GROUP = "field_maintenance.group_field_manager"


class FieldBookkeepingMixin(models.AbstractModel):
    """Rows the module keeps for itself (scheduled e-mails of rules, outbox messages):
    users cannot create or write them; Field Service managers retry or cancel them with
    buttons that change only their state (security/README.md)."""

    _name = "field.bookkeeping.mixin"
    _description = "Bookkeeping Rows of Field Service"

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
