from odoo import fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    fm_work_order_count = fields.Integer(string="Work Orders", compute="_compute_fm_counts")
    fm_equipment_count = fields.Integer(string="Equipment Count", compute="_compute_fm_counts")

    def _compute_fm_counts(self):
        """Counts cover the whole customer: its contacts and site addresses too."""
        commercials = self.commercial_partner_id
        counts = {}
        for model in ("field.work.order", "field.equipment"):
            Model = self.env[model]
            counts[model] = (
                dict(
                    Model._read_group(
                        [("commercial_partner_id", "in", commercials.ids)],
                        ["commercial_partner_id"],
                        ["__count"],
                    )
                )
                if commercials and Model.has_access("read")
                else {}
            )
        for partner in self:
            commercial = partner.commercial_partner_id
            partner.fm_work_order_count = counts["field.work.order"].get(commercial, 0)
            partner.fm_equipment_count = counts["field.equipment"].get(commercial, 0)

    def _fm_one_line_address(self, with_country=False):
        """Street, zip and city (and the country) on one line: site addresses in lists,
        the portal and map links. Empty for no partner."""
        if not self:
            return ""
        self.ensure_one()
        parts = [self.street, self.street2, " ".join(filter(None, [self.zip, self.city]))]
        if with_country:
            parts.append(self.country_id.name)
        return ", ".join(part for part in parts if part)

    def _fm_action(self, xmlid):
        self.ensure_one()
        commercial = self.commercial_partner_id
        action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
        action["domain"] = [("commercial_partner_id", "=", commercial.id)]
        action["context"] = {"default_partner_id": commercial.id}
        return action

    def action_view_fm_work_orders(self):
        return self._fm_action("field_maintenance.action_field_work_order")

    def action_view_fm_equipment(self):
        return self._fm_action("field_maintenance.action_field_equipment")

    # ------------------------------------------------------------------
    # Periodic maintenance
    # ------------------------------------------------------------------

    fm_maintenance_plan_count = fields.Integer(
        string="Maintenance Plans", compute="_compute_fm_maintenance"
    )
    fm_next_maintenance_date = fields.Date(
        string="Next Maintenance", compute="_compute_fm_maintenance"
    )

    def _compute_fm_maintenance(self):
        """Active plans of the whole customer (its contacts and sites too)."""
        Plan = self.env["field.maintenance.plan"]
        commercials = self.commercial_partner_id
        data = {}
        if commercials and Plan.has_access("read"):
            data = {
                commercial: (count, next_date)
                for commercial, count, next_date in Plan._read_group(
                    [
                        ("commercial_partner_id", "in", commercials.ids),
                        ("state", "=", "active"),
                    ],
                    ["commercial_partner_id"],
                    ["__count", "next_date:min"],
                )
            }
        for partner in self:
            count, next_date = data.get(partner.commercial_partner_id, (0, False))
            partner.fm_maintenance_plan_count = count
            partner.fm_next_maintenance_date = next_date

    def action_view_fm_maintenance_plans(self):
        return self._fm_action("field_maintenance.action_field_maintenance_plan")
