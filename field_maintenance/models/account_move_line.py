from odoo import Command, fields, models


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    fm_work_order_line_ids = fields.Many2many(
        "field.work.order.line",
        "field_work_order_line_invoice_rel",
        "invoice_line_id",
        "work_order_line_id",
        string="Work Order Lines",
        readonly=True,
        copy=False,
    )

    def _copy_data_extend_business_fields(self, values):  # pylint: disable=missing-return
        # a credit note made from an invoice keeps the link to the work-order lines, so
        # that it lowers their invoiced quantity (as sale does with sale_line_ids)
        super()._copy_data_extend_business_fields(values)
        values["fm_work_order_line_ids"] = [Command.set(self.fm_work_order_line_ids.ids)]
