import base64
import io
from datetime import date

import xlsxwriter

from odoo import api, fields, models
from odoo.exceptions import ValidationError

# register operations counted in each column of the balance
BALANCE_COLUMNS = {
    "installed": ("install",),
    "added": ("add",),
    "recovered": ("recover", "decommission"),
}


class FieldFgasBalance(models.TransientModel):
    """The yearly F-gas balance of a company, per refrigerant: kg installed, added and
    recovered (recovery at decommissioning included) with their t CO2e, and the recycled
    or reclaimed kg added, from the register entries that count (corrected entries are
    replaced by their correction). As PDF or XLSX for the authorities."""

    _name = "field.fgas.balance"
    _description = "Yearly F-gas Balance"

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company
    )
    year = fields.Integer(
        required=True, default=lambda self: fields.Date.context_today(self).year - 1
    )
    xlsx_file = fields.Binary(readonly=True, attachment=False)
    xlsx_name = fields.Char(readonly=True)

    @api.constrains("year")
    def _check_year(self):
        if any(not 1990 <= wizard.year <= 2999 for wizard in self):
            raise ValidationError(self.env._("Give a year between 1990 and 2999."))

    def _balance_rows(self):
        """One dict per refrigerant (name order): refrigerant, gwp, and per column of
        BALANCE_COLUMNS the kg and the t CO2e; ``recycled_kg``; plus the totals row
        (refrigerant False)."""
        self.ensure_one()
        operations = [op for ops in BALANCE_COLUMNS.values() for op in ops]
        groups = self.env["field.fgas.log"]._read_group(
            [
                ("company_id", "=", self.company_id.id),
                ("is_corrected", "=", False),
                ("date", ">=", date(self.year, 1, 1)),
                ("date", "<=", date(self.year, 12, 31)),
                ("operation", "in", operations),
            ],
            ["refrigerant_id", "operation", "recycled"],
            ["quantity_kg:sum", "co2e_tonnes:sum"],
        )
        rows = {}
        empty = {"recycled_kg": 0.0}
        for column in BALANCE_COLUMNS:
            empty.update({f"{column}_kg": 0.0, f"{column}_co2e": 0.0})
        for refrigerant, operation, recycled, kg, co2e in groups:
            row = rows.setdefault(
                refrigerant, {"refrigerant": refrigerant, "gwp": refrigerant.gwp, **empty}
            )
            for column, ops in BALANCE_COLUMNS.items():
                if operation in ops:
                    row[f"{column}_kg"] += kg
                    row[f"{column}_co2e"] += co2e
            if recycled and operation in BALANCE_COLUMNS["added"]:
                row["recycled_kg"] += kg
        result = sorted(rows.values(), key=lambda row: row["refrigerant"].name or "")
        total = {"refrigerant": False, "gwp": False, **empty}
        for row in result:
            for key in empty:
                total[key] += row[key]
        return [*result, total]

    def action_print_pdf(self):
        self.ensure_one()
        return self.env.ref("field_maintenance.action_report_fgas_balance").report_action(self)

    def _xlsx_content(self):
        self.ensure_one()
        output = io.BytesIO()
        workbook = xlsxwriter.Workbook(output, {"in_memory": True})
        sheet = workbook.add_worksheet(str(self.year))
        bold = workbook.add_format({"bold": True})
        number = workbook.add_format({"num_format": "0.000"})
        sheet.write(0, 0, self.env._("F-gas balance %s", self.year), bold)
        sheet.write(1, 0, self.company_id.name)
        if self.company_id.fm_fgas_company_certificate:
            sheet.write(1, 2, self.company_id.fm_fgas_company_certificate)
        headers = [
            self.env._("Refrigerant"),
            self.env._("GWP"),
            self.env._("Installed (kg)"),
            self.env._("Installed (t CO2e)"),
            self.env._("Added (kg)"),
            self.env._("Added (t CO2e)"),
            self.env._("Recycled or reclaimed added (kg)"),
            self.env._("Recovered (kg)"),
            self.env._("Recovered (t CO2e)"),
        ]
        for col, header in enumerate(headers):
            sheet.write(3, col, header, bold)
        for index, row in enumerate(self._balance_rows(), start=4):
            name = row["refrigerant"].name if row["refrigerant"] else self.env._("Total")
            sheet.write(index, 0, name, bold if not row["refrigerant"] else None)
            if row["gwp"] is not False:
                sheet.write_number(index, 1, row["gwp"])
            values = [
                row["installed_kg"],
                row["installed_co2e"],
                row["added_kg"],
                row["added_co2e"],
                row["recycled_kg"],
                row["recovered_kg"],
                row["recovered_co2e"],
            ]
            for col, value in enumerate(values, start=2):
                sheet.write_number(index, col, value, number)
        sheet.set_column(0, 0, 18)
        sheet.set_column(1, 8, 14)
        workbook.close()
        return output.getvalue()

    def action_export_xlsx(self):
        self.ensure_one()
        self.write(
            {
                "xlsx_file": base64.b64encode(self._xlsx_content()),
                "xlsx_name": f"fgas-balance-{self.company_id.id}-{self.year}.xlsx",
            }
        )
        return {
            "type": "ir.actions.act_url",
            "url": f"/web/content/field.fgas.balance/{self.id}/xlsx_file/{self.xlsx_name}"
            "?download=true",
            "target": "self",
        }
