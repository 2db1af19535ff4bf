from odoo import api, fields, models
from odoo.exceptions import UserError

# what a technician may set: the customer decides on the portal (or a dispatcher for them)
TECHNICIAN_EXTRA_WORK_STATES = (False, "proposed")
DECIDED_EXTRA_WORK_STATES = ("accepted", "declined")


class FieldWorkOrderLine(models.Model):
    """Extra work a technician proposes on site: lines the customer accepts or declines
    on the portal (field_work_order_quotation.py). Only accepted extra work is invoiced."""

    _inherit = "field.work.order.line"  # pylint: disable=consider-merging-classes-inherited

    extra_work_state = fields.Selection(
        [
            ("proposed", "To Be Accepted"),
            ("accepted", "Accepted"),
            ("declined", "Declined"),
        ],
        string="Extra Work",
        copy=False,
        index="btree_not_null",
        help="Extra work proposed on site: the customer accepts or declines it on the "
        "portal. Only accepted extra work is invoiced.",
    )

    def _check_extra_work_change(self, vals_list):
        """Technicians (not dispatchers) propose extra work; the customer decides. A
        decided line stays as the customer decided it."""
        if self.env.su or self.env["field.work.order"]._is_dispatcher():
            return
        if any(
            vals.get("extra_work_state", False) not in TECHNICIAN_EXTRA_WORK_STATES
            for vals in vals_list
        ):
            raise UserError(
                self.env._(
                    "Only the customer (on the portal) or a dispatcher accepts or declines "
                    "extra work."
                )
            )
        decided = self.filtered(lambda line: line.extra_work_state in DECIDED_EXTRA_WORK_STATES)
        if decided:
            raise UserError(
                self.env._(
                    "The customer has accepted or declined this extra work already; only a "
                    "dispatcher can change it: %(lines)s",
                    lines=", ".join(decided.mapped("name")),
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        self._check_extra_work_change(vals_list)
        return super().create(vals_list)

    def write(self, vals):
        self._check_extra_work_change([vals])
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_decided_extra_work(self):
        self._check_extra_work_change([{}])

    @api.depends("extra_work_state")
    def _compute_qty_to_invoice(self):  # pylint: disable=missing-return
        super()._compute_qty_to_invoice()

    def _is_billable(self):
        """Extra work is invoiced once the customer accepted it."""
        return super()._is_billable() and self.extra_work_state in (False, "accepted")
