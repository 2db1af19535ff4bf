"""Free fields (properties): defined by managers on work types and equipment categories,
filled in by technicians on the work orders and equipment they work on, sent to external
systems."""

import json
from unittest.mock import patch

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import tagged

from odoo.addons.field_maintenance.models import field_sync_endpoint_transport as transport

from .common import FieldMaintenanceCase

WORK_ORDER_FIELDS = [
    {"name": "flue_gas_co", "type": "float", "string": "CO in flue gas (ppm)"},
    {
        "name": "gas_type",
        "type": "selection",
        "string": "Gas type",
        "selection": [["natural_gas", "Natural gas"], ["propane", "Propane"]],
        "default": "natural_gas",
    },
]
EQUIPMENT_FIELDS = [
    {"name": "refrigerant", "type": "char", "string": "Refrigerant"},
    {"name": "charge_kg", "type": "float", "string": "Refrigerant charge (kg)"},
]


@tagged("post_install", "-at_install")
class TestFreeFields(FieldMaintenanceCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.work_type.properties_definition = WORK_ORDER_FIELDS
        cls.category = cls.env["field.equipment.category"].create(
            {"name": "Heat pump", "properties_definition": EQUIPMENT_FIELDS}
        )
        cls.equipment = cls.env["field.equipment"].create(
            {"name": "Heat pump", "partner_id": cls.customer.id, "category_id": cls.category.id}
        )

    @staticmethod
    def _values(record):
        return {
            prop["name"]: prop.get("value") for prop in record.read(["properties"])[0]["properties"]
        }

    def test_work_order_fields_of_its_work_type(self):
        """A work order gets the free fields of its work type with their defaults; the
        technician fills them in while working."""
        order = self._order_in_state("in_progress", equipment_ids=[Command.set(self.equipment.ids)])
        self.assertEqual(self._values(order), {"flue_gas_co": None, "gas_type": "natural_gas"})
        order.with_user(self.technician).write(
            {"properties": {"flue_gas_co": 42.5, "gas_type": "propane"}}
        )
        self.assertEqual(self._values(order), {"flue_gas_co": 42.5, "gas_type": "propane"})
        self.assertEqual(
            self._values(order.with_user(self.technician)),
            {"flue_gas_co": 42.5, "gas_type": "propane"},
        )
        # another type of work has other free fields
        repair = self.env["field.work.type"].create(
            {
                "name": "Repair",
                "properties_definition": [{"name": "cause", "type": "char", "string": "Cause"}],
            }
        )
        other = self._work_order(work_type_id=repair.id)
        self.assertEqual(self._values(other), {"cause": None})

    def test_technician_cannot_change_the_definition(self):
        """Adding a free field is for managers: a technician who sends a changed definition
        with the values is refused, and the work type keeps its fields."""
        order = self._order_in_state("in_progress")

        def changed():
            # a new list each time: Odoo takes the flags out of the list it is given
            return [
                *[{**prop, "value": False} for prop in WORK_ORDER_FIELDS],
                {
                    "name": "tip",
                    "type": "char",
                    "string": "Tip",
                    "value": "5",
                    "definition_changed": True,
                },
            ]

        with self.assertRaises(AccessError):
            order.with_user(self.technician).write({"properties": changed()})
        self.assertEqual(
            [prop["name"] for prop in self.work_type.properties_definition],
            ["flue_gas_co", "gas_type"],
        )
        # a manager may
        order.with_user(self.manager).write({"properties": changed()})
        self.env.invalidate_all()
        self.assertEqual(
            [prop["name"] for prop in self.work_type.properties_definition],
            ["flue_gas_co", "gas_type", "tip"],
        )

    def test_equipment_readings(self):
        """Technicians record the readings of the equipment of their work orders; the
        readings are kept when the equipment is duplicated."""
        self._order_in_state("in_progress", equipment_ids=[Command.set(self.equipment.ids)])
        self.equipment.with_user(self.technician).write(
            {"properties": {"refrigerant": "R32", "charge_kg": 2.8}}
        )
        self.assertEqual(self._values(self.equipment), {"refrigerant": "R32", "charge_kg": 2.8})
        copy = self.equipment.copy()
        self.assertEqual(self._values(copy), {"refrigerant": "R32", "charge_kg": 2.8})
        # not on equipment of work orders the technician does not work on
        foreign = self.env["field.equipment"].create(
            {"name": "Other", "partner_id": self.customer.id, "category_id": self.category.id}
        )
        with self.assertRaises(AccessError):
            foreign.with_user(self.technician).write({"properties": {"refrigerant": "R410A"}})

    def test_sent_to_external_systems(self):
        """An endpoint that sends the free fields gets their labels and values."""
        self.startPatcher(patch.object(transport, "resolve_host", return_value=["93.184.215.14"]))
        endpoint = self.env["field.sync.endpoint"].create(
            {"name": "ERP", "url": "https://erp.example.com/api"}
        )
        endpoint.field_ids += self.env["ir.model.fields"]._get("field.work.order", "properties")
        order = self._order_in_state("done")
        order.properties = {"flue_gas_co": 12.0, "gas_type": "propane"}
        message = self.env["field.sync.message"]._enqueue(order, endpoint, event="wo_completed")
        sent = {
            prop["name"]: (prop["string"], prop["value"])
            for prop in json.loads(message.payload)["data"]["properties"]
        }
        self.assertEqual(
            sent,
            {
                "flue_gas_co": ("CO in flue gas (ppm)", 12.0),
                "gas_type": ("Gas type", "propane"),
            },
        )
