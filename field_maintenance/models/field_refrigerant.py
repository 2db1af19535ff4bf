from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import float_compare

# Regulation (EU) 2024/573: which gases count for the leak-check triggers of Art 5(1)
GAS_KINDS = [
    ("annex_1", "Fluorinated greenhouse gas (Annex I)"),
    ("annex_2", "Unsaturated HFC/HCFC (Annex II, section 1)"),
    ("other", "Not a fluorinated greenhouse gas"),
    ("blend", "Mixture"),
]
# Annex VI: the mass fractions of a mixture add up to 100 % within the weight tolerance
FRACTION_TOLERANCE = 0.01


class FieldRefrigerant(models.Model):
    """A refrigerant with its 100-year GWP under Regulation (EU) 2024/573.

    A pure gas has its GWP and its kind (Annex I gas, Annex II section 1 gas, other). A
    mixture has its composition (mass fractions of pure gases): its GWP is computed as
    Annex VI says (sum of mass fraction x GWP, non-F-gases included), and so are the
    share of Annex II section 1 gases (``hfo_fraction``, the kg trigger of Art 5(1)) and
    the GWP of its Annex I share (``annex1_gwp``, the t CO2e trigger). Shared by all
    companies: the values are the law's, not a company's choice.
    """

    _name = "field.refrigerant"
    _description = "Refrigerant"
    _order = "name, id"

    name = fields.Char(required=True, help='ASHRAE designation, e.g. "R-410A".')
    active = fields.Boolean(default=True)
    kind = fields.Selection(GAS_KINDS, required=True, default="annex_1")
    component_ids = fields.One2many(
        "field.refrigerant.component", "blend_id", string="Composition", copy=True
    )
    gwp = fields.Float(
        string="GWP",
        digits=(12, 3),
        compute="_compute_gwp",
        store=True,
        recursive=True,
        readonly=False,
        help="100-year global warming potential under Regulation (EU) 2024/573 (Annexes I, "
        "II and VI); computed from the composition for a mixture.",
    )
    hfo_fraction = fields.Float(
        string="Annex II Share",
        digits=(6, 4),
        compute="_compute_shares",
        store=True,
        recursive=True,
        help="Mass share (0 to 1) of Annex II section 1 gases (unsaturated HFCs/HCFCs): "
        "1 kg of them triggers leak checks (Art 5(1)).",
    )
    annex1_gwp = fields.Float(
        string="GWP of the Annex I Share",
        digits=(12, 3),
        compute="_compute_shares",
        store=True,
        recursive=True,
        help="Sum of mass fraction x GWP of the Annex I gases only: the tonnes CO2 "
        "equivalent of Annex I gases trigger leak checks from 5 t (Art 5(1)).",
    )
    source = fields.Text(help="Where the GWP and the composition come from.")

    _name_uniq = models.UniqueIndex("(lower(name))", "This refrigerant already exists.")

    def unlink(self):
        # the composition of the mixtures deleted with them first: a gas of a mixture
        # cannot be deleted (ondelete restrict), unless the mixture goes too (e.g. when
        # the module's data is removed)
        self.component_ids.unlink()
        return super().unlink()

    @api.depends("kind", "component_ids.fraction", "component_ids.gas_id.gwp")
    def _compute_gwp(self):
        for refrigerant in self:
            if refrigerant.kind == "blend":
                refrigerant.gwp = sum(
                    line.fraction * line.gas_id.gwp for line in refrigerant.component_ids
                )
            else:
                refrigerant.gwp = refrigerant.gwp

    @api.depends(
        "kind",
        "gwp",
        "component_ids.fraction",
        "component_ids.gas_id.kind",
        "component_ids.gas_id.gwp",
    )
    def _compute_shares(self):
        for refrigerant in self:
            if refrigerant.kind == "blend":
                lines = refrigerant.component_ids
                refrigerant.hfo_fraction = sum(
                    lines.filtered(lambda line: line.gas_id.kind == "annex_2").mapped("fraction")
                )
                refrigerant.annex1_gwp = sum(
                    line.fraction * line.gas_id.gwp
                    for line in lines
                    if line.gas_id.kind == "annex_1"
                )
            else:
                refrigerant.hfo_fraction = 1.0 if refrigerant.kind == "annex_2" else 0.0
                refrigerant.annex1_gwp = refrigerant.gwp if refrigerant.kind == "annex_1" else 0.0

    @api.constrains("kind", "component_ids", "gwp")
    def _check_composition(self):
        for refrigerant in self:
            if refrigerant.gwp < 0:
                raise ValidationError(
                    self.env._("The GWP of %s cannot be negative.", refrigerant.name)
                )
            lines = refrigerant.component_ids
            if refrigerant.kind != "blend":
                if lines:
                    raise ValidationError(
                        self.env._(
                            "%s is a pure gas: only a mixture has a composition.",
                            refrigerant.name,
                        )
                    )
                continue
            if not lines:
                raise ValidationError(
                    self.env._("Give the composition of mixture %s.", refrigerant.name)
                )
            total = sum(lines.mapped("fraction"))
            if float_compare(abs(total - 1.0), FRACTION_TOLERANCE, precision_digits=6) > 0:
                raise ValidationError(
                    self.env._(
                        "The mass fractions of %(name)s add up to %(total)s %%, not 100 %%.",
                        name=refrigerant.name,
                        total=round(total * 100, 2),
                    )
                )

    def _co2e_tonnes(self, kg):
        """Tonnes CO2 equivalent of ``kg`` of this refrigerant (kg x GWP / 1000)."""
        self.ensure_one()
        return (kg or 0.0) * self.gwp / 1000.0
