from odoo import api, fields, models
from odoo.exceptions import AccessError
from odoo.fields import Domain

# The role model of equipment (security/README.md): technicians record readings (the free
# fields of the category), notes and identification of the equipment of the work orders
# they work on (record rule); owner, site, company, category and links are for dispatchers.
TECHNICIAN_EQUIPMENT_FIELDS = frozenset(
    {"properties", "note", "serial_number", "brand", "model", "image_128"}
)


class FieldEquipment(models.Model):
    _name = "field.equipment"
    _description = "Equipment"
    _inherit = ["mail.thread", "mail.activity.mixin", "field.site.mixin"]
    _order = "partner_id, name, id"

    name = fields.Char(required=True, tracking=True)
    active = fields.Boolean(default=True)
    partner_id = fields.Many2one(help="Owner of the installation.")
    category_id = fields.Many2one("field.equipment.category")
    product_id = fields.Many2one("product.product", check_company=True)
    brand = fields.Char()
    model = fields.Char()
    serial_number = fields.Char(index="btree_not_null")
    install_date = fields.Date(string="Installation Date")
    warranty_end_date = fields.Date(string="Warranty End")
    under_warranty = fields.Boolean(
        compute="_compute_under_warranty", search="_search_under_warranty"
    )
    properties = fields.Properties(definition="category_id.properties_definition", copy=True)
    note = fields.Html()
    image_128 = fields.Image(max_width=128, max_height=128)
    work_order_ids = fields.Many2many(
        "field.work.order",
        "field_equipment_work_order_rel",
        "equipment_id",
        "work_order_id",
        string="Work Orders",
        copy=False,
    )
    is_dispatcher = fields.Boolean(
        compute="_compute_is_dispatcher",
        help="Technical field: the current user may change every field of the equipment "
        "(dispatcher); technicians record readings (see security/README.md).",
    )
    work_order_count = fields.Integer(compute="_compute_work_order_count")
    last_service_date = fields.Datetime(compute="_compute_work_order_count")

    _serial_uniq = models.UniqueIndex(
        "(company_id, serial_number, product_id) WHERE serial_number IS NOT NULL",
        "This serial number is already registered for this product.",
    )

    @api.depends_context("uid")
    def _compute_is_dispatcher(self):
        self.is_dispatcher = self.env["field.work.order"]._is_dispatcher()

    @api.depends("warranty_end_date")
    def _compute_under_warranty(self):
        today = fields.Date.context_today(self)
        for equipment in self:
            equipment.under_warranty = bool(
                equipment.warranty_end_date and equipment.warranty_end_date >= today
            )

    def _search_under_warranty(self, operator, value):
        if operator not in ("in", "not in"):
            return NotImplemented
        today = fields.Date.context_today(self)
        domain = Domain("warranty_end_date", ">=", today)
        return domain if (operator == "in") == (True in value) else ~domain

    def _compute_work_order_count(self):
        groups = self.env["field.work.order"]._read_group(
            [("equipment_ids", "in", self.ids)],
            ["equipment_ids"],
            ["__count", "date_end:max"],
        )
        data = {equipment: (count, last) for equipment, count, last in groups}
        for equipment in self:
            count, last = data.get(equipment, (0, False))
            equipment.work_order_count = count
            equipment.last_service_date = last

    @api.constrains("work_order_ids", "partner_id", "site_partner_id")
    def _check_work_order_customer(self):
        # the work orders' own check: their equipment stands at their site
        self.work_order_ids.filtered(
            lambda order: order.state not in ("done", "cancelled")
        )._check_equipment_customer()

    def write(self, vals):
        if not self.env["field.work.order"]._is_dispatcher():
            mail_fields = self.env["field.work.order"]._mail_fields()
            refused = set(vals) - TECHNICIAN_EQUIPMENT_FIELDS - mail_fields
            if refused:
                raise AccessError(
                    self.env._(
                        "Only dispatchers can change these fields of equipment: %(fields)s.",
                        fields=self.env["field.work.order"]._field_labels(refused, model=self),
                    )
                )
        return super().write(vals)

    @api.onchange("product_id")
    def _onchange_product_id(self):
        if self.product_id and not self.name:
            self.name = self.product_id.name

    def action_view_work_orders(self):
        return self._action_for_equipment("field_maintenance.action_field_work_order")

    def _action_for_equipment(self, xmlid):
        """The window action ``xmlid`` (work orders, plans) on the records of this
        equipment, new ones made for its customer, site and itself."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(xmlid)
        action["domain"] = [("equipment_ids", "in", self.ids)]
        action["context"] = {
            "default_partner_id": self.partner_id.id,
            "default_site_partner_id": self.site_partner_id.id,
            "default_equipment_ids": [self.id],
        }
        return action

    # ------------------------------------------------------------------
    # Periodic maintenance
    # ------------------------------------------------------------------

    maintenance_plan_ids = fields.Many2many(
        "field.maintenance.plan",
        "field_equipment_maintenance_plan_rel",
        "equipment_id",
        "plan_id",
        string="Maintenance Plans",
        copy=False,
    )
    next_maintenance_date = fields.Date(
        string="Next Maintenance",
        compute="_compute_next_maintenance_date",
        store=True,
        help="Earliest due date of the active maintenance plans of this equipment.",
    )

    @api.depends("maintenance_plan_ids.next_date", "maintenance_plan_ids.state")
    def _compute_next_maintenance_date(self):
        for equipment in self:
            dates = [
                plan.next_date
                # sudo: only the due dates and states of the equipment's plans are read,
                # to show the next due date to whoever may read the equipment
                for plan in equipment.sudo().maintenance_plan_ids
                if plan.state == "active" and plan.next_date
            ]
            equipment.next_maintenance_date = min(dates) if dates else False

    def action_view_maintenance_plans(self):
        return self._action_for_equipment("field_maintenance.action_field_maintenance_plan")
