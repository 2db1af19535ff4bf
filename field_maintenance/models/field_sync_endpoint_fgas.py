"""F-gas register entries in the sync payload of a work order.

An endpoint that sends the work-order field ``fgas_log_ids`` (Refrigerant Entries) sends
each entry in full: operation, date, kg, refrigerant with its GWP, t CO2e, the equipment,
the technician with their certificate and the company certificate, so that an external
F-gas register (KoudSmart-like) can be fed through the outbox.
"""

from odoo import models

from .field_sync_endpoint_payload import MANY2ONE_EXTRA_FIELDS, SUBRECORD_FIELDS

SUBRECORD_FIELDS["field.fgas.log"] = (
    "date",
    "operation",
    "quantity_kg",
    "refrigerant_id",
    "co2e_tonnes",
    "equipment_id",
    "recycled",
    "recycling_facility_name",
    "recycling_facility_address",
    "leak_found",
    "note",
    "technician_id",
    "certificate_number",
    "certificate_category",
    "company_certificate",
    "correction_of_id",
)
MANY2ONE_EXTRA_FIELDS["field.refrigerant"] = ("gwp",)
MANY2ONE_EXTRA_FIELDS["field.equipment"] = ("serial_number",)


class FieldSyncEndpoint(models.Model):
    _inherit = "field.sync.endpoint"  # pylint: disable=consider-merging-classes-inherited

    def _default_field_ids(self):
        """New endpoints send the refrigerant entries too."""
        commands = super()._default_field_ids()
        # sudo: as the method extended, the id of one field of the work order
        field = self.env["ir.model.fields"].sudo()._get("field.work.order", "fgas_log_ids")
        if field and commands and commands[0][0] == 6:
            commands = [(6, 0, [*commands[0][2], field.id])]
        return commands
