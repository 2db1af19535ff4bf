"""Runners of the work-order types of actions: follow-up work order, invoice, price
agreements, travel costs, material, sync to an external system.

They run on work orders only (see ir_actions_server.py, which refuses them elsewhere),
batched, and call the methods of the work-order features for all the records at once.
"""

from markupsafe import Markup

from odoo import fields, models

from ..tools.rule_trigger import rule_trigger
from .ir_actions_server import WORK_ORDER


class IrActionsServer(models.Model):
    _inherit = "ir.actions.server"  # pylint: disable=consider-merging-classes-inherited

    def _run_action_fm_follow_up_multi(self, eval_context=None):
        origins = self._fm_records(eval_context, "write")
        if not origins:
            return False
        default = {"origin_work_order_id": False}
        if not self.fm_follow_up_copy_lines:
            default["line_ids"] = []
        vals_list = origins.copy_data(default=default)
        ruled = set(self.fm_follow_up_field_ids.field_id.mapped("name"))
        for origin, vals in zip(origins, vals_list, strict=True):
            # a fresh checklist from the work type, not the results of the origin
            vals.pop("checklist_ids", None)
            self.fm_follow_up_field_ids._apply(origin, vals)
            if "technician_ids" in ruled and "user_id" not in ruled:
                # the lead technician follows the technicians set by the rules
                vals.pop("user_id", None)
            vals["origin_work_order_id"] = origin.id
        self.env[WORK_ORDER].create(vals_list)
        return False

    def _fm_invoice_as_company(self):
        """Whether the invoices are created for the company, whatever the invoicing
        rights of the user: when an automation rule runs the action (e.g. on a work order
        a technician reports complete; the rule only invoices the work orders that user
        may edit, see _fm_records). Run by hand, the action needs the user's rights."""
        self.ensure_one()
        return bool(self.base_automation_id and rule_trigger(self.env.context))

    def _run_action_fm_invoice_multi(self, eval_context=None):
        orders = self._fm_records(eval_context, "write")
        if not orders:
            return False
        as_company = self._fm_invoice_as_company()
        if not as_company:
            # run by hand (run() is always sudo): with the user's invoicing rights
            orders = orders.with_env(self.env(su=False))
        # leave out the work orders that cannot be invoiced (not done, nothing to
        # invoice) instead of refusing them all
        invoices = orders._create_invoices(skip_refused=True)
        if as_company and invoices:
            self._fm_log_rule_invoices(invoices)
        return False

    def _fm_log_rule_invoices(self, invoices):
        """Name the rule and the user who triggered it on the invoices it created for the
        company, and on their work orders."""
        self.ensure_one()
        rule = self.base_automation_id.name or self.name
        user = self.env["res.users"].browse(rule_trigger(self.env.context).uid).name or ""
        invoices._message_log_batch(
            bodies={
                invoice.id: self.env._(
                    "Created by automation rule %(rule)s, triggered by %(user)s. Automation "
                    "rules create invoices for the company, whatever the invoicing rights of "
                    "the user who triggers them.",
                    rule=rule,
                    user=user,
                )
                for invoice in invoices
            }
        )
        orders = invoices.fm_work_order_ids
        orders._message_log_batch(
            bodies={
                order.id: self.env._(
                    "Invoiced by automation rule %(rule)s, triggered by %(user)s: %(invoices)s.",
                    rule=rule,
                    user=user,
                    invoices=Markup(", ").join(
                        invoice._get_html_link() for invoice in order.invoice_ids & invoices
                    ),
                )
                for order in orders
            }
        )

    def _run_action_fm_price_agreements_multi(self, eval_context=None):
        orders = self._fm_records(eval_context, "write")
        if orders:
            orders.action_apply_price_agreements()
        return False

    def _run_action_fm_travel_costs_multi(self, eval_context=None):
        orders = self._fm_records(eval_context, "write")
        # cancelled work orders get no travel costs (the method refuses them)
        orders = orders.filtered(lambda order: order.state != "cancelled")
        if orders:
            orders.action_compute_travel_costs()
        return False

    def _run_action_fm_add_material_multi(self, eval_context=None):
        orders = self._fm_records(eval_context, "write")
        if not orders:
            return False
        Line = self.env["field.work.order.line"]
        product = self.fm_material_product_id
        quantity = self.fm_material_quantity
        uom = product.uom_id
        # what each line would compute from its product (description, unit, price from
        # the customer's price agreements), given for all the lines at once: the ORM then
        # creates them without drafting each one to compute these
        values = {
            "line_type": "material",
            "product_id": product.id,
            "quantity": quantity,
            "name": Line._product_description(product),
            "product_uom_id": uom.id,
        }
        if self.fm_material_use_price:
            prices = [self.fm_material_price] * len(orders)
        else:
            now = fields.Datetime.now()
            prices = Line._prices(
                [order._price_request(product, quantity, uom, now) for order in orders]
            )
        Line._create_batch(
            [
                {**values, "work_order_id": order_id, "price_unit": price}
                for order_id, price in zip(orders._ids, prices, strict=True)
            ]
        )
        return False

    def _run_action_fm_sync_multi(self, eval_context=None):
        orders = self._fm_records(eval_context, "read")
        if orders:
            self.env["field.sync.message"]._enqueue(
                orders,
                self.fm_sync_endpoint_id,
                event=self.base_automation_id.fm_trigger or "sync",
            )
        return False
