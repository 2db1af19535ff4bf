from odoo import Command, api, models

from ..tools import company_tz, local_hour

# material lines of the origin work order become the plan's template lines; a plan a
# technician proposes on site copies the other lines too (PROPOSAL_LINE_TYPES, the technician's day)
TEMPLATE_LINE_TYPES = ("material",)
PROPOSAL_LINE_TYPES = ("material", "other")


class FieldMaintenancePlan(models.Model):
    """A plan made from a work order, its origin: the work order's customer, site,
    equipment, work type, responsible, visit time and materials are the plan's defaults,
    and the work order is the plan's first visit."""

    _inherit = "field.maintenance.plan"  # pylint: disable=consider-merging-classes-inherited

    @api.constrains("origin_work_order_id")
    def _check_origin_work_order_customer(self):
        self._check_same_customer(
            "origin_work_order_id",
            lambda plan, origin: self.env._(
                "Maintenance plan %(plan)s is for customer %(customer)s: work order "
                "%(order)s of another customer cannot be its origin.",
                plan=plan.name,
                customer=plan.partner_id.display_name,
                order=origin.name,
            ),
        )

    @api.model
    def _prepare_vals_from_work_order(self, order):
        """Defaults of a plan made from a work order: everything but its name and interval."""
        line_types = (
            PROPOSAL_LINE_TYPES if self.env.context.get("fm_plan_proposal") else TEMPLATE_LINE_TYPES
        )
        template_lines = order.line_ids.filtered(
            lambda line: (
                not line.display_type and line.line_type in line_types and not line.is_travel_cost
            )
        )
        Line = self.env["field.maintenance.plan.line"]
        vals = {
            "partner_id": order.partner_id.id,
            "site_partner_id": order.site_partner_id.id,
            "equipment_ids": [Command.set(order.equipment_ids.ids)],
            "work_type_id": order.work_type_id.id,
            "user_id": order.user_id.id,
            "company_id": order.company_id.id,
            "line_ids": [
                Command.create(Line._prepare_from_work_order_line(line)) for line in template_lines
            ],
        }
        if order.description:
            vals["description"] = order.description
        if order.planned_date_start:
            vals["visit_time"] = local_hour(
                order.planned_date_start, company_tz(order.company_id, order.user_id)
            )
        return vals

    @api.model
    def default_get(self, fields_list):
        defaults = super().default_get(fields_list)
        origin_id = defaults.get("origin_work_order_id")
        if origin_id:
            order = self.env["field.work.order"].browse(origin_id)
            for fname, value in self._prepare_vals_from_work_order(order).items():
                if fname in fields_list and not defaults.get(fname):
                    defaults[fname] = value
        return defaults

    @api.model_create_multi
    def create(self, vals_list):
        WorkOrder = self.env["field.work.order"]
        for vals in vals_list:
            origin_id = vals.get("origin_work_order_id") or self.env.context.get(
                "default_origin_work_order_id"
            )
            if origin_id:
                from_order = self._prepare_vals_from_work_order(WorkOrder.browse(origin_id))
                for fname, value in from_order.items():
                    if fname not in vals and f"default_{fname}" not in self.env.context:
                        vals[fname] = value
        plans = super().create(vals_list)
        for plan in plans:
            origin = plan.origin_work_order_id
            if origin and not origin.maintenance_plan_id:
                # sudo: links an order the user could read (its values were copied above)
                # of the plan's own customer (_check_origin_work_order_customer) and
                # without a plan yet; a technician cannot edit that field of the order
                origin.sudo().maintenance_plan_id = plan
        return plans
