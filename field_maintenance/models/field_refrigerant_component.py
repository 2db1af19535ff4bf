from odoo import api, fields, models
from odoo.exceptions import ValidationError


class FieldRefrigerantComponent(models.Model):
    """One gas of a refrigerant mixture and its mass fraction (Annex VI)."""

    _name = "field.refrigerant.component"
    _description = "Refrigerant Component"
    _order = "blend_id, fraction desc, id"

    blend_id = fields.Many2one(
        "field.refrigerant", string="Mixture", required=True, index=True, ondelete="cascade"
    )
    gas_id = fields.Many2one(
        "field.refrigerant",
        required=True,
        ondelete="restrict",
        domain="[('kind', '!=', 'blend')]",
    )
    fraction = fields.Float(string="Mass Fraction", digits=(6, 4), required=True)
    gas_kind = fields.Selection(related="gas_id.kind")
    gas_gwp = fields.Float(related="gas_id.gwp", string="GWP of the Gas")

    @api.constrains("gas_id", "fraction", "blend_id")
    def _check_component(self):
        for line in self:
            if line.gas_id.kind == "blend" or line.gas_id == line.blend_id:
                raise ValidationError(
                    self.env._("The composition of %s lists pure gases only.", line.blend_id.name)
                )
            if not 0 < line.fraction <= 1:
                raise ValidationError(
                    self.env._(
                        "The mass fraction of %(gas)s in %(blend)s must be above 0 and at "
                        "most 1 (100 %%).",
                        gas=line.gas_id.name,
                        blend=line.blend_id.name,
                    )
                )
