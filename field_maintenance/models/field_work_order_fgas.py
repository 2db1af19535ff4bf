from odoo import api, fields, models

from .field_fgas_log import CLOSED_STATES


class FieldWorkOrder(models.Model):
    """The Refrigerant section of a work order: the F-gas register entries the
    technician records on the phone (added or recovered kg, leak check, repair). Entries
    lock when the work order is completed or cancelled."""

    _inherit = "field.work.order"  # pylint: disable=consider-merging-classes-inherited

    fgas_log_ids = fields.One2many(
        "field.fgas.log", "work_order_id", string="Refrigerant Entries", copy=False
    )
    fgas_equipment_ids = fields.Many2many(
        "field.equipment",
        string="Refrigerant Installations",
        compute="_compute_fgas_equipment_ids",
        help="The equipment of the work order that holds refrigerant.",
    )
    fgas_equipment_count = fields.Integer(compute="_compute_fgas_equipment_ids")
    fm_fgas_recheck_log_id = fields.Many2one(
        "field.fgas.log",
        string="Re-check of Repair",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="set null",
        help="The leak repair this work order checks again (Art 4(5) of Regulation (EU) 2024/573).",
    )

    @api.depends("equipment_ids.refrigerant_id")
    def _compute_fgas_equipment_ids(self):
        for order in self:
            equipment = order.equipment_ids.filtered("refrigerant_id")
            order.fgas_equipment_ids = equipment
            order.fgas_equipment_count = len(equipment)

    def write(self, vals):
        result = super().write(vals)
        if vals.get("state") in CLOSED_STATES:
            # sudo: locks the register entries of the orders just completed or cancelled
            # (the status moves through the action methods, which checked the user)
            entries = self.sudo().fgas_log_ids.filtered(lambda entry: not entry.locked)
            if entries:
                entries.write({"locked": True})
        return result

    def _fgas_record_action(self, operation):
        """A form to record ``operation`` on the (single) refrigerant installation of the
        work order, in a dialog usable on a phone."""
        self.ensure_one()
        equipment = self.fgas_equipment_ids
        titles = dict(
            self.env["field.fgas.log"]._fields["operation"]._description_selection(self.env)
        )
        context = {
            "default_work_order_id": self.id,
            "default_operation": operation,
            "default_technician_id": self.env.uid,
            "fgas_equipment_ids": equipment.ids,
        }
        if len(equipment) == 1:
            context["default_equipment_id"] = equipment.id
        return {
            "type": "ir.actions.act_window",
            "name": titles[operation],
            "res_model": "field.fgas.log",
            "view_mode": "form",
            "views": [
                (self.env.ref("field_maintenance.field_fgas_log_view_form_phone").id, "form")
            ],
            "target": "new",
            "context": context,
        }

    def action_fgas_add(self):
        return self._fgas_record_action("add")

    def action_fgas_recover(self):
        return self._fgas_record_action("recover")

    def action_fgas_leak_check(self):
        return self._fgas_record_action("leak_check")

    def action_fgas_repair(self):
        return self._fgas_record_action("repair")

    def action_fgas_install(self):
        return self._fgas_record_action("install")

    def action_fgas_decommission(self):
        return self._fgas_record_action("decommission")
