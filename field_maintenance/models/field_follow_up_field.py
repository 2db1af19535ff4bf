from odoo import Command, api, fields, models
from odoo.exceptions import ValidationError

# field types a follow-up rule can handle; one2many fields (lines, checklist)
# have their own options on the action
FOLLOW_UP_FIELD_TYPES = [
    "boolean",
    "char",
    "date",
    "datetime",
    "float",
    "html",
    "integer",
    "many2many",
    "many2one",
    "monetary",
    "selection",
    "text",
]


class FieldFollowUpField(models.Model):
    """What the action "Create a follow-up work order" does with one field:
    copy it from the origin work order, set it to a value, or clear it.

    Fields without a rule follow Odoo's duplication: fields that are copied
    on duplicate are copied, the others get their default value.
    """

    _name = "field.follow.up.field"
    _description = "Follow-up Work Order Field Rule"
    _order = "action_id, sequence, id"

    action_id = fields.Many2one("ir.actions.server", required=True, index=True, ondelete="cascade")
    sequence = fields.Integer(default=10)
    field_id = fields.Many2one(
        "ir.model.fields",
        required=True,
        ondelete="cascade",
        domain=[
            ("model", "=", "field.work.order"),
            ("store", "=", True),
            ("readonly", "=", False),
            ("ttype", "in", FOLLOW_UP_FIELD_TYPES),
            ("name", "not in", ["origin_work_order_id", "sla_start_date"]),
        ],
    )
    field_type = fields.Selection(related="field_id.ttype")
    relation_model_id = fields.Many2one(
        "ir.model", compute="_compute_relation_model_id", string="Related Model"
    )
    operation = fields.Selection(
        [("copy", "Copy from the origin"), ("set", "Set to"), ("clear", "Clear")],
        required=True,
        default="copy",
    )
    value = fields.Char(
        help="Value for text, number and date fields (dates as YYYY-MM-DD, datetimes as "
        "YYYY-MM-DD HH:MM:SS in UTC).",
    )
    boolean_value = fields.Boolean(string="Yes")
    selection_value_id = fields.Many2one(
        "ir.model.fields.selection",
        ondelete="cascade",
        domain="[('field_id', '=', field_id)]",
    )
    resource_ref = fields.Reference(
        string="Record",
        selection="_selection_target_model",
        help="Record for relational fields.",
    )

    @api.model
    def _selection_target_model(self):
        # sudo: the list of model names of the selection, no record data (system admins
        # only edit this model)
        return [(model.model, model.name) for model in self.env["ir.model"].sudo().search([])]

    @api.depends("field_id")
    def _compute_relation_model_id(self):
        for rule in self:
            relation = rule.field_id.relation
            rule.relation_model_id = self.env["ir.model"]._get(relation) if relation else False

    @api.constrains("field_id", "operation")
    def _check_field(self):
        for rule in self:
            if rule.field_id.model != "field.work.order":
                raise ValidationError(
                    self.env._(
                        "Field %s is not a field of work orders: a follow-up work order "
                        "cannot get it.",
                        rule.field_id.field_description,
                    )
                )
            if rule.field_id.ttype not in FOLLOW_UP_FIELD_TYPES:
                raise ValidationError(
                    self.env._(
                        "Field %s cannot be set on a follow-up work order by a rule.",
                        rule.field_id.field_description,
                    )
                )

    def _problem(self):
        """Translated reason why this rule cannot be applied, or None."""
        self.ensure_one()
        if self.operation != "set":
            return None
        try:
            self._set_value()
        except (ValueError, TypeError):
            return self.env._(
                "The value %(value)s is not valid for field %(field)s.",
                value=self.value or "",
                field=self.field_id.field_description,
            )
        return None

    def _set_value(self):
        """Value to write for a "set" rule; raises ValueError if invalid."""
        self.ensure_one()
        ttype = self.field_id.ttype
        if ttype == "boolean":
            return self.boolean_value
        if ttype == "selection":
            if not self.selection_value_id:
                raise ValueError("no selection value")
            return self.selection_value_id.value
        if ttype in ("many2one", "many2many"):
            record = self.resource_ref
            if not record or record._name != self.field_id.relation:
                raise ValueError("no record")
            return record.id if ttype == "many2one" else [Command.set(record.ids)]
        value = self.value
        if ttype in ("char", "text", "html"):
            return value or False
        if not value:
            raise ValueError("no value")
        if ttype == "integer":
            return int(value)
        if ttype in ("float", "monetary"):
            return float(value)
        if ttype == "date":
            return fields.Date.to_date(value)
        if ttype == "datetime":
            return fields.Datetime.to_datetime(value)
        raise ValueError(ttype)

    def _apply(self, origin, vals):
        """Update ``vals`` (values of the follow-up of ``origin``) with these rules."""
        for rule in self:
            name = rule.field_id.name
            field = origin._fields.get(name)
            if not field:
                continue
            if rule.operation == "copy":
                vals[name] = field.convert_to_write(origin[name], origin)
            elif rule.operation == "clear":
                vals[name] = [Command.clear()] if field.type == "many2many" else False
            else:
                vals[name] = rule._set_value()
        return vals
