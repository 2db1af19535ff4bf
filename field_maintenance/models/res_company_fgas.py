from odoo import api, fields, models
from odoo.exceptions import ValidationError

# Flemish practice (Vlarem II): the relative leak loss of an installation stays at most
# 5 % a year
DEFAULT_LEAK_LOSS_THRESHOLD = 5.0


class ResCompany(models.Model):
    _inherit = "res.company"  # pylint: disable=consider-merging-classes-inherited

    fm_fgas_company_certificate = fields.Char(
        string="F-gas Company Certificate",
        help="Certificate number of the undertaking (e.g. Flemish recognition as "
        "refrigeration company, Dutch BRL 100), printed in the logbooks (Art 7(1)(e)).",
    )
    fm_fgas_leak_loss_threshold = fields.Float(
        string="Leak Loss Warning (%/year)",
        default=DEFAULT_LEAK_LOSS_THRESHOLD,
        help="Refrigerant added in the last 12 months, in percent of the nominal charge, "
        "above which a top-up is flagged.",
    )

    @api.constrains("fm_fgas_leak_loss_threshold")
    def _check_fm_fgas_leak_loss_threshold(self):
        if any(not 0 < company.fm_fgas_leak_loss_threshold <= 100 for company in self):
            raise ValidationError(
                self.env._("The leak loss warning must be above 0 and at most 100 %.")
            )
