"""The role model of security/README.md, checked against the module: the access rights of each
role on each model, and the fields a technician may write (issue 12)."""

import re
from pathlib import Path

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from ..models.field_equipment import TECHNICIAN_EQUIPMENT_FIELDS
from ..models.field_work_order_access import TECHNICIAN_FIELDS
from ..models.field_work_order_checklist import (
    TECHNICIAN_CHECK_FIELDS,
    TECHNICIAN_NEW_CHECK_FIELDS,
)
from ..models.field_work_order_line import TECHNICIAN_LINE_FIELDS
from .common import FieldMaintenanceCase

README = Path(__file__).parent.parent / "security" / "README.md"
ROLE_GROUPS = {
    "Technician": "field_maintenance.group_field_technician",
    "Dispatcher": "field_maintenance.group_field_user",
    "Manager": "field_maintenance.group_field_manager",
    "Administrator": "base.group_system",
    "Accountant": "account.group_account_invoice",
    "Employee": "base.group_user",
    "Portal": "base.group_portal",
    "Public": "base.group_public",
}
OPERATIONS = {"r": "read", "w": "write", "c": "create", "d": "unlink"}


def _section_rows(heading):
    """The rows of the first table after ``## heading``, as lists of stripped cells
    (header first, separator dropped)."""
    text = README.read_text(encoding="utf-8")
    section = text.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    rows = [
        [cell.strip() for cell in line.strip().strip("|").split("|")]
        for line in section.splitlines()
        if line.startswith("|")
    ]
    return [row for row in rows if not set("".join(row)) <= set("-: ")]


def _names(cell):
    return set(re.findall(r"`([^`]+)`", cell))


@tagged("post_install", "-at_install")
class TestAccessMatrix(FieldMaintenanceCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.users = {
            role: new_test_user(cls.env, login=f"fm_matrix_{role.lower()}", groups=group)
            for role, group in ROLE_GROUPS.items()
        }

    def test_access_rights_are_the_documented_ones(self):
        header, *rows = _section_rows("Access rights by role")
        roles = header[1 : 1 + len(ROLE_GROUPS)]
        self.assertEqual(roles, list(ROLE_GROUPS), "README columns")
        documented = set()
        Access = self.env["ir.model.access"]
        for row in rows:
            (model,) = _names(row[0])
            documented.add(model)
            for role, cell in zip(roles, row[1:], strict=False):
                for letter, operation in OPERATIONS.items():
                    with self.subTest(model=model, role=role, operation=operation):
                        self.assertEqual(
                            Access.with_user(self.users[role]).check(
                                model, operation, raise_exception=False
                            ),
                            letter in cell,
                        )
        models = {
            model.model
            for model in self.env["ir.model"].search([("model", "=like", "field.%")])
            if not self.env[model.model]._abstract
        }
        self.assertEqual(documented, models, "every model of the module is documented")

    def test_technician_fields_are_the_documented_ones(self):
        _header, *rows = _section_rows("What a technician may change")
        cells = {next(iter(_names(row[0]))): row[1] for row in rows}
        self.assertEqual(_names(cells["field.work.order"]), TECHNICIAN_FIELDS)
        self.assertEqual(_names(cells["field.work.order.line"]), TECHNICIAN_LINE_FIELDS)
        checks = cells["field.work.order.checklist"]
        self.assertEqual(_names(checks.split("(")[0]), TECHNICIAN_CHECK_FIELDS)
        self.assertEqual(_names(checks), TECHNICIAN_NEW_CHECK_FIELDS)
        self.assertEqual(_names(cells["field.equipment"]), TECHNICIAN_EQUIPMENT_FIELDS)

    def _writable_fields(self, model):
        mail_fields = self.env["field.work.order"]._mail_fields()
        return {
            name
            for name, field in self.env[model]._fields.items()
            if field.store
            and not field.readonly
            and name not in mail_fields
            and name not in ("id", "create_uid", "create_date", "write_uid", "write_date")
        }

    def test_technician_writes_only_the_documented_fields(self):
        """Every other stored field is refused, whatever the value; each documented one is
        accepted (its value written back)."""
        technician = self.users["Technician"]
        equipment = self.env["field.equipment"].create(
            {"name": "Boiler", "partner_id": self.customer.id}
        )
        order = self._planned_work_order(
            technician_ids=[Command.set(technician.ids)],
            equipment_ids=[Command.set(equipment.ids)],
            line_ids=[Command.create({"product_id": self.material.id})],
        )
        records = {
            "field.work.order": (order, TECHNICIAN_FIELDS),
            "field.work.order.line": (order.line_ids, TECHNICIAN_LINE_FIELDS),
            "field.work.order.checklist": (order.checklist_ids[0], TECHNICIAN_CHECK_FIELDS),
            "field.equipment": (equipment, TECHNICIAN_EQUIPMENT_FIELDS),
        }
        for model, (record, allowed) in records.items():
            record = record.with_user(technician)
            writable = self._writable_fields(model)
            self.assertLessEqual(allowed, writable | {"line_ids", "checklist_ids"}, model)
            for fname in sorted(writable - allowed):
                with self.subTest(model=model, field=fname), self.assertRaises(AccessError):
                    record.write({fname: False})
            for fname in sorted(allowed):
                field = record._fields[fname]
                if field.type == "one2many":
                    value = [Command.update(sub.id, {}) for sub in record[fname]]
                else:
                    value = field.convert_to_write(record[fname], record)
                with self.subTest(model=model, field=fname, positive=True):
                    record.write({fname: value})


@tagged("post_install", "-at_install")
class TestSudoComments(FieldMaintenanceCase):
    def test_every_sudo_says_why_it_is_safe(self):
        """Each sudo() of the module's code has a comment saying why it is safe: a
        ``# sudo: ...`` comment on its line or on a line above it in the same block
        (no blank line, def or decorator in between, at most 8 lines up)."""
        root = Path(__file__).parent.parent
        missing = []
        for path in sorted(root.rglob("*.py")):
            if "tests" in path.relative_to(root).parts:
                continue
            lines = path.read_text(encoding="utf-8").splitlines()
            for number, line in enumerate(lines):
                if ".sudo()" not in line or "# sudo" in line:
                    continue
                block = []
                for above in range(number - 1, max(number - 9, -1), -1):
                    text = lines[above].strip()
                    if not text or text.startswith(("def ", "class ", "@")):
                        break
                    block.append(text)
                if not any(text.startswith("# sudo") for text in block):
                    missing.append(f"{path.relative_to(root)}:{number + 1}: {line.strip()}")
        self.assertFalse(missing, "sudo() without a comment saying why it is safe")
