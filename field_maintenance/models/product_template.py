from odoo import api, models


class ProductTemplate(models.Model):
    _inherit = "product.template"

    @api.ondelete(at_uninstall=False)
    def _unlink_except_in_maintenance_plans(self):
        """Deleting a template deletes its variants in the database, without their
        ``unlink()``: check them here."""
        self.with_context(
            active_test=False
        ).product_variant_ids._fm_check_not_in_maintenance_plans()
