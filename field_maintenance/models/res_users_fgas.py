from odoo import fields, models

# natural persons' certificate categories: Implementing Regulation (EU) 2024/2215 (A1 to E)
# and the categories of Regulation (EU) 2015/2067, valid until 12 March 2029
FGAS_CERTIFICATE_CATEGORIES = [
    ("a1", "A1"),
    ("a2", "A2"),
    ("b", "B"),
    ("c", "C"),
    ("d", "D"),
    ("e", "E"),
    ("i", "I (2015/2067)"),
    ("ii", "II (2015/2067)"),
    ("iii", "III (2015/2067)"),
    ("iv", "IV (2015/2067)"),
]


class ResUsers(models.Model):
    """The personal F-gas certificate of a technician (Art 10 of Regulation (EU)
    2024/573), copied into each register entry they make (Art 7(1)(e))."""

    _inherit = "res.users"

    fm_fgas_certificate_number = fields.Char(string="F-gas Certificate Number")
    fm_fgas_certificate_category = fields.Selection(
        FGAS_CERTIFICATE_CATEGORIES, string="F-gas Certificate Category"
    )
    fm_fgas_certificate_expiry = fields.Date(
        string="F-gas Certificate Expiry",
        help="Last day the certificate is valid; empty when it has no expiry date.",
    )

    def _fm_fgas_certificate_valid(self, day):
        """Whether the user holds an F-gas certificate valid on ``day``."""
        self.ensure_one()
        expiry = self.fm_fgas_certificate_expiry
        return bool(
            (self.fm_fgas_certificate_number or "").strip() and (not expiry or expiry >= day)
        )
