from odoo import api, models
from odoo.exceptions import UserError


class ProductProduct(models.Model):
    _inherit = "product.product"

    def _fm_check_not_in_maintenance_plans(self):
        """Refuse to delete products used by template lines of maintenance plans, naming
        the plans: the lines would otherwise lose their product (archive it instead)."""
        if not self:
            return
        # sudo: only finds whether the products are used and by which plans, plans of
        # other companies or that the user may not read are counted, not named
        lines = (
            self.env["field.maintenance.plan.line"]
            .sudo()
            .search([("product_id", "in", self.ids)], order="plan_id")
        )
        if not lines:
            return
        plans = lines.plan_id
        readable = plans.with_env(self.env)._filtered_access("read")
        names = readable.mapped("name")
        hidden = len(plans) - len(readable)
        if hidden:
            names.append(self.env._("%s more", hidden))
        raise UserError(
            self.env._(
                "Products used in the materials of maintenance plans cannot be deleted: "
                "archive them instead, or remove them from the plans first.\n"
                "%(products)s, used by maintenance plans %(plans)s.",
                products=", ".join(lines.product_id.with_env(self.env).mapped("display_name")),
                plans=", ".join(names),
            )
        )

    @api.ondelete(at_uninstall=False)
    def _unlink_except_in_maintenance_plans(self):
        self._fm_check_not_in_maintenance_plans()
