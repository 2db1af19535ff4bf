from odoo import models


class FieldCompanyCheckMixin(models.AbstractModel):
    """Company consistency of a batch checked with one filter per field and company.

    ``_check_company`` of the ORM filters the linked records of every record
    one by one: thousands of filters when work orders and their lines are
    created in batches (periodic maintenance, automation rules). The records
    of a batch share a few companies: check, for each field, the linked
    records of all the records of a company at once. Only when something is
    inconsistent, run the ORM's check, whose error names every record."""

    _name = "field.company.check.mixin"
    _description = "Batched company consistency check"

    def _check_company(self, fnames=None):
        if len(self) < 2 or "company_id" not in self._fields:
            return super()._check_company(fnames)
        if fnames is None or {"company_id", "company_ids"} & set(fnames):
            fnames = self._fields
        fields_to_check = [
            self._fields[name]
            for name in fnames
            if self._fields[name].relational and self._fields[name].check_company
        ]
        if any(field.company_dependent for field in fields_to_check):
            return super()._check_company(fnames)
        # sudo: the check reads the companies of linked records the user may not read, as
        # Odoo's own _check_company does; it only raises or passes
        for company, records in self.sudo().grouped("company_id").items():
            for field in fields_to_check:
                # the records linked to any of them (a relational field of a recordset
                # gives the union of its records' values, read from the cache at once)
                corecords = records[field.name]
                if not corecords:
                    continue
                domain = corecords._check_company_domain(company)
                if domain and len(
                    corecords.with_context(active_test=False).filtered_domain(domain)
                ) != len(corecords):
                    # the ORM's check says which records and fields are inconsistent
                    return super()._check_company(fnames)
        return None
