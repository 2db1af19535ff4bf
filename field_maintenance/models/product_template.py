from odoo import api, fields, models


class ProductTemplate(models.Model):
    _inherit = "product.template"

    fm_work_order_ok = fields.Boolean(
        string="Can be used on work orders",
        help="Technicians find this product when they record material on a work order "
        "(when the company restricts the materials to these products, see Settings).",
    )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_in_maintenance_plans(self):
        """Deleting a template deletes its variants in the database, without their
        ``unlink()``: check them here."""
        self.with_context(
            active_test=False
        ).product_variant_ids._fm_check_not_in_maintenance_plans()
