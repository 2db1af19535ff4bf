from odoo import fields, models


class FieldEquipmentCategory(models.Model):
    _name = "field.equipment.category"
    _description = "Equipment Category"
    _order = "name, id"

    name = fields.Char(required=True, translate=True)
    active = fields.Boolean(default=True)
    company_id = fields.Many2one("res.company", index=True)
    properties_definition = fields.PropertiesDefinition(
        string="Equipment Properties",
        help="Free fields of the equipment of this category, e.g. refrigerant "
        "type and charge for F-gas records.",
    )
    equipment_ids = fields.One2many("field.equipment", "category_id")
