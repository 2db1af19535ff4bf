from odoo import api, fields, models

# The role model of checklist items (security/README.md): a technician records the result
# and a note of each check of an open work order they work on, and may add a check; the
# checks themselves (names, sections, order) and their removal are for dispatchers.
TECHNICIAN_CHECK_FIELDS = frozenset({"result", "note"})
TECHNICIAN_NEW_CHECK_FIELDS = TECHNICIAN_CHECK_FIELDS | {"name", "sequence", "display_type"}


class FieldWorkOrderChecklist(models.Model):
    _name = "field.work.order.checklist"
    _description = "Work Order Checklist Item"
    _order = "work_order_id, sequence, id"
    _check_company_auto = True

    work_order_id = fields.Many2one(
        "field.work.order", required=True, index=True, ondelete="cascade"
    )
    company_id = fields.Many2one(related="work_order_id.company_id", store=True)
    sequence = fields.Integer(default=10)
    name = fields.Char(string="Check", required=True)
    display_type = fields.Selection([("line_section", "Section")])
    result = fields.Selection(
        [("todo", "To Check"), ("ok", "OK"), ("fail", "Failed"), ("na", "N/A")],
        default="todo",
        required=True,
    )
    note = fields.Char()

    def _check_technician_access(self, orders, fnames, allowed):
        """Technicians (not dispatchers): only the fields ``allowed``, on open work orders."""
        orders._check_technician_change(
            self,
            fnames,
            allowed,
            self.env._("Only dispatchers can change these fields of checklist items: %(fields)s."),
            self.env._(
                "Work orders %(orders)s are done or cancelled: only a dispatcher can "
                "change their checklist."
            ),
        )

    @api.model_create_multi
    def create(self, vals_list):
        if not self.env.su:
            orders = self.env["field.work.order"].browse(
                {vals.get("work_order_id") for vals in vals_list} - {None, False}
            )
            fnames = {fname for vals in vals_list for fname in vals} - {"work_order_id"}
            self._check_technician_access(orders, fnames, TECHNICIAN_NEW_CHECK_FIELDS)
        return super().create(vals_list)

    def write(self, vals):
        if not self.env.su:
            self._check_technician_access(self.work_order_id, vals, TECHNICIAN_CHECK_FIELDS)
        return super().write(vals)
