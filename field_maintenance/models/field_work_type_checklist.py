from odoo import api, fields, models
from odoo.exceptions import ValidationError

CHECK_TYPES = [("check", "Check"), ("measure", "Measurement")]


class FieldWorkTypeChecklist(models.Model):
    _name = "field.work.type.checklist"
    _description = "Work Type Checklist Item"
    _order = "sequence, id"

    work_type_id = fields.Many2one("field.work.type", required=True, index=True, ondelete="cascade")
    sequence = fields.Integer(default=10)
    name = fields.Char(string="Check", required=True, translate=True)
    display_type = fields.Selection(
        [("line_section", "Section")],
        help="A section groups the checks that follow it.",
    )
    # a measurement (flue-gas CO, pressure, temperature, ...): the technician records the
    # value, out of range when outside [expected_min, expected_max]
    check_type = fields.Selection(CHECK_TYPES, default="check", required=True)
    unit = fields.Char(translate=True, help="Unit of the measured value, e.g. ppm, bar, °C.")
    expected_min = fields.Float(
        digits=(16, 3),
        help="Lowest value in range. A range applies when the maximum is above the minimum.",
    )
    expected_max = fields.Float(
        digits=(16, 3),
        help="Highest value in range. A range applies when the maximum is above the minimum.",
    )

    @api.constrains("expected_min", "expected_max")
    def _check_expected_range(self):
        for check in self:
            if check.expected_max < check.expected_min:
                raise ValidationError(
                    self.env._(
                        "The expected maximum of check %s cannot be below its minimum.",
                        check.name,
                    )
                )
