import json

from odoo import api, models

from .field_sync_endpoint import EXCLUDED_FIELD_TYPES

# sub-records sent in full rather than as {id, name}
SUBRECORD_FIELDS = {
    "field.work.order.line": (
        "sequence",
        "display_type",
        "line_type",
        "product_id",
        "name",
        "quantity",
        "product_uom_id",
        "price_unit",
        "discount",
        "price_subtotal",
    ),
    "field.work.order.checklist": ("sequence", "display_type", "name", "result", "note"),
}
# extra identifying values sent with a many2one, so that the remote can match its own records
MANY2ONE_EXTRA_FIELDS = {
    "res.partner": ("ref", "vat", "email"),
    "product.product": ("default_code",),
    "res.company": ("vat",),
    "res.currency": (),
    "res.users": ("login",),
}


class FieldSyncEndpoint(models.Model):
    """The JSON document an endpoint receives for a work order."""

    _inherit = "field.sync.endpoint"

    def _fields_to_send(self, model_name):
        """Names of the fields of ``model_name`` this endpoint sends."""
        self.ensure_one()
        model_fields = self.env[model_name]._fields
        return [
            field.name
            # sudo: the user may not read ir.model.fields; only names of work-order fields
            for field in self.sudo().field_ids
            if field.model == model_name
            and field.name in model_fields
            and model_fields[field.name].type not in EXCLUDED_FIELD_TYPES
        ]

    @api.model
    def _format_datetime(self, value):
        return f"{value.isoformat()}Z" if value else None

    def _serialize_value(self, record, field_name, nested=False):
        """JSON-ready value of ``record[field_name]``."""
        field = record._fields[field_name]
        value = record[field_name]
        ftype = field.type
        if ftype == "many2one":
            if not value:
                return None
            result = {"id": value.id, "name": value.display_name}
            for extra in MANY2ONE_EXTRA_FIELDS.get(value._name, ()):
                if extra in value._fields:
                    result[extra] = value[extra] or None
            return result
        if ftype in ("one2many", "many2many"):
            sub_fields = None if nested else SUBRECORD_FIELDS.get(field.comodel_name)
            if sub_fields:
                return [
                    {
                        "id": sub.id,
                        **{
                            name: self._serialize_value(sub, name, nested=True)
                            for name in sub_fields
                            if name in sub._fields
                        },
                    }
                    for sub in value
                ]
            return [{"id": sub.id, "name": sub.display_name} for sub in value]
        if ftype == "reference":
            if not value:
                return None
            return {"model": value._name, "id": value.id, "name": value.display_name}
        if ftype == "datetime":
            return self._format_datetime(value)
        if ftype == "date":
            return value.isoformat() if value else None
        if ftype == "boolean":
            return bool(value)
        if ftype in ("integer", "float", "monetary", "many2one_reference"):
            return value or 0
        if ftype == "properties":
            return field.convert_to_read(value, record) or []
        if ftype == "html":
            return str(value) if value else None
        return value if value is not False else None

    def _build_payload(self, record, event, idempotency_key, enqueued_at):
        """The JSON document queued for ``record``: what the remote receives, except for the
        PDF and the attachments, which are added when the message is sent."""
        self.ensure_one()
        data = {
            name: self._serialize_value(record, name) for name in self._fields_to_send(record._name)
        }
        payload = {
            "event": event,
            "idempotency_key": idempotency_key,
            "model": record._name,
            "id": record.id,
            "display_name": record.display_name,
            "version": self._format_datetime(record.write_date),
            "enqueued_at": self._format_datetime(enqueued_at),
            "data": data,
        }
        return json.dumps(payload, default=str, ensure_ascii=False)
