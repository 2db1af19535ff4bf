from odoo import fields, models


class FieldWorkType(models.Model):
    _name = "field.work.type"
    _description = "Work Type"
    _order = "sequence, name, id"
    _check_company_auto = True

    name = fields.Char(required=True, translate=True)
    sequence = fields.Integer(default=10)
    active = fields.Boolean(default=True)
    color = fields.Integer()
    company_id = fields.Many2one(
        "res.company",
        index=True,
        help="Leave empty to share this work type between companies.",
    )
    description = fields.Html(
        translate=True,
        help="Default work description of new work orders of this type.",
    )
    default_duration = fields.Float(
        default=1.0,
        help="Planned hours of a new work order of this type.",
    )
    labour_product_id = fields.Many2one(
        "product.product",
        check_company=True,
        domain=[("type", "=", "service")],
        help="Service product used for the hours worked on work orders of this type.",
    )
    signature_required = fields.Boolean(
        help="A work order of this type can only be reported complete once the "
        "customer has signed it.",
    )
    properties_definition = fields.PropertiesDefinition(
        string="Work Order Properties",
        help="Free fields shown on the work orders of this type.",
    )
    checklist_template_ids = fields.One2many(
        "field.work.type.checklist",
        "work_type_id",
        copy=True,
    )
    work_order_ids = fields.One2many("field.work.order", "work_type_id")
    work_order_count = fields.Integer(compute="_compute_work_order_count")

    _default_duration_positive = models.Constraint(
        "CHECK (default_duration >= 0)",
        "The default duration of a work type cannot be negative.",
    )

    def _compute_work_order_count(self):
        counts = dict(
            self.env["field.work.order"]._read_group(
                [("work_type_id", "in", self.ids)], ["work_type_id"], ["__count"]
            )
        )
        for work_type in self:
            work_type.work_order_count = counts.get(work_type, 0)
