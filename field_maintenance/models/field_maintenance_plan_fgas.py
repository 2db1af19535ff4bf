from odoo import fields, models


class FieldMaintenancePlan(models.Model):
    """Leak-check plans: made and kept up to date by the equipment (see
    field_equipment_fgas.py); their due date is the equipment's next leak check, which
    only a recorded leak check moves."""

    _inherit = "field.maintenance.plan"  # pylint: disable=consider-merging-classes-inherited

    fm_fgas_equipment_id = fields.Many2one(
        "field.equipment",
        string="Leak Checks Of",
        readonly=True,
        copy=False,
        index="btree_not_null",
        ondelete="cascade",
        help="This plan schedules the legal leak checks of this equipment.",
    )

    def _advance(self, order):
        result = super()._advance(order)
        if self.fm_fgas_equipment_id:
            # the register, not the visit, says when the equipment was checked
            self.fm_fgas_equipment_id._fgas_sync_plans()
        return result
