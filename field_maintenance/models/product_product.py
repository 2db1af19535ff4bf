from odoo import api, models
from odoo.exceptions import UserError
from odoo.fields import Domain

# lines of the user's recent work orders read to put their products first in the picker
RECENT_LINES = 200


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

    # ------------------------------------------------------------------
    # Materials picker of technicians
    # ------------------------------------------------------------------

    @api.model
    def _fm_material_domain(self):
        """Products a technician may pick as material on a work order: those marked for
        work orders when the company restricts them, else those that can be sold."""
        if self.env.company.fm_restrict_materials:
            return Domain("fm_work_order_ok", "=", True)
        return Domain("sale_ok", "=", True)

    @api.model
    def _fm_recent_product_ids(self):
        """Products of the lines the user recorded lately, the most recent first."""
        lines = self.env["field.work.order.line"].search_fetch(
            [("create_uid", "=", self.env.uid), ("product_id", "!=", False)],
            ["product_id"],
            order="id desc",
            limit=RECENT_LINES,
        )
        return list(dict.fromkeys(lines.product_id.ids))

    @api.model
    def name_search(self, name="", domain=None, operator="ilike", limit=100):
        """With ``fm_material_picker`` in the context (the technician's form): only the
        products usable on work orders, the ones the user recorded lately first."""
        if not self.env.context.get("fm_material_picker"):
            return super().name_search(name, domain, operator, limit)
        domain = Domain(domain or Domain.TRUE) & self._fm_material_domain()
        recent_ids = self._fm_recent_product_ids()
        found = super().name_search(name, domain, operator, limit)
        recent = dict(
            super().name_search(name, domain & Domain("id", "in", recent_ids), operator, limit)
        )
        rank = {product_id: index for index, product_id in enumerate(recent_ids)}
        first = sorted(recent.items(), key=lambda pair: rank[pair[0]])
        rest = [pair for pair in found if pair[0] not in recent]
        result = first + rest
        return result[:limit] if limit else result

    @api.model
    def web_search_read(
        self, domain, specification, offset=0, limit=None, order=None, count_limit=None
    ):
        """The search dialog of the picker (how a phone picks a product): the products
        usable on work orders, the ones the user recorded lately first, then the others in
        the order asked."""
        if not self.env.context.get("fm_material_picker"):
            return super().web_search_read(domain, specification, offset, limit, order, count_limit)
        domain = Domain(domain or Domain.TRUE) & self._fm_material_domain()
        recent_ids = self._fm_recent_product_ids()
        rank = {product_id: index for index, product_id in enumerate(recent_ids)}
        recent = sorted(self.search(domain & Domain("id", "in", recent_ids)).ids, key=rank.get)
        page = recent[offset : offset + limit] if limit else recent[offset:]
        rest_limit = limit - len(page) if limit else None
        if rest_limit is None or rest_limit > 0:
            page += self.search(
                domain & Domain("id", "not in", recent),
                offset=max(0, offset - len(recent)),
                limit=rest_limit,
                order=order or None,
            ).ids
        result = super().web_search_read([("id", "in", page)], specification)
        records = {record["id"]: record for record in result["records"]}
        return {
            "length": self.search_count(domain, limit=count_limit),
            "records": [records[product_id] for product_id in page if product_id in records],
        }
