from odoo import api, models

TECHNICIAN_GROUP = "field_maintenance.group_field_technician"
DISPATCHER_GROUP = "field_maintenance.group_field_user"
HOME_ACTION = "field_maintenance.action_field_work_order_my"


class ResUsers(models.Model):
    """Technicians land on My Work: a user who becomes a technician (and not
    a dispatcher) without a home action of their own gets My Work as home action, the
    screen of their day on a phone. An administrator can still choose another one."""

    _inherit = "res.users"  # pylint: disable=consider-merging-classes-inherited

    @api.model_create_multi
    def create(self, vals_list):
        users = super().create(vals_list)
        users._fm_set_technician_home_action()
        return users

    def write(self, vals):
        result = super().write(vals)
        if "group_ids" in vals:
            self._fm_set_technician_home_action()
        return result

    def _fm_set_technician_home_action(self):
        action = self.env.ref(HOME_ACTION, raise_if_not_found=False)
        technician = self.env.ref(TECHNICIAN_GROUP, raise_if_not_found=False)
        dispatcher = self.env.ref(DISPATCHER_GROUP, raise_if_not_found=False)
        if not (action and technician and dispatcher):
            return
        technicians = self.filtered(
            lambda user: (
                not user.share
                and not user.action_id
                and technician in user.all_group_ids
                and dispatcher not in user.all_group_ids
            )
        )
        if technicians:
            technicians.write({"action_id": action.id})
