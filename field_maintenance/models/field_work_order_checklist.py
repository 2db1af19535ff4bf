from odoo import api, fields, models
from odoo.tools import float_compare

from .field_work_type_checklist import CHECK_TYPES

# The role model of checklist items (security/README.md): a technician records the result,
# a note and the measured value of each check of an open work order they work on, and may
# add a check; the checks themselves (names, sections, order, what a measurement expects)
# and their removal are for dispatchers.
TECHNICIAN_CHECK_FIELDS = frozenset({"result", "note", "measured_value"})
TECHNICIAN_NEW_CHECK_FIELDS = TECHNICIAN_CHECK_FIELDS | {
    "name",
    "sequence",
    "display_type",
    "template_check_id",
}
# digits of measured and expected values
MEASURE_DIGITS = (16, 3)


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
    # measurements: what the work type's checklist template expects, copied
    # when the check is made (a later change of the template leaves done jobs as they were)
    template_check_id = fields.Many2one(
        "field.work.type.checklist", ondelete="set null", index=True
    )
    check_type = fields.Selection(
        CHECK_TYPES,
        compute="_compute_from_template",
        store=True,
        readonly=False,
        precompute=True,
        required=True,
    )
    unit = fields.Char(
        compute="_compute_from_template", store=True, readonly=False, precompute=True
    )
    expected_min = fields.Float(
        digits=MEASURE_DIGITS,
        compute="_compute_from_template",
        store=True,
        readonly=False,
        precompute=True,
    )
    expected_max = fields.Float(
        digits=MEASURE_DIGITS,
        compute="_compute_from_template",
        store=True,
        readonly=False,
        precompute=True,
    )
    measured_value = fields.Float(string="Value", digits=MEASURE_DIGITS)
    measured = fields.Boolean(
        readonly=True, copy=False, help="Technical: a value was recorded for this measurement."
    )
    out_of_range = fields.Boolean(
        compute="_compute_out_of_range",
        store=True,
        help="The measured value is outside the expected range of the check.",
    )
    expected_range = fields.Char(compute="_compute_expected_range")

    @api.depends("template_check_id")
    def _compute_from_template(self):
        for check in self:
            template = check.template_check_id
            if template:
                check.check_type = template.check_type
                check.unit = template.unit
                check.expected_min = template.expected_min
                check.expected_max = template.expected_max
            elif not check.check_type:
                check.check_type = "check"

    def _has_range(self):
        self.ensure_one()
        return float_compare(self.expected_max, self.expected_min, precision_digits=3) > 0

    @api.depends("check_type", "measured", "measured_value", "expected_min", "expected_max")
    def _compute_out_of_range(self):
        for check in self:
            check.out_of_range = bool(
                check.check_type == "measure"
                and check.measured
                and check._has_range()
                and (
                    float_compare(check.measured_value, check.expected_min, precision_digits=3) < 0
                    or float_compare(check.measured_value, check.expected_max, precision_digits=3)
                    > 0
                )
            )

    @api.depends("check_type", "expected_min", "expected_max", "unit")
    def _compute_expected_range(self):
        for check in self:
            if check.check_type == "measure" and check._has_range():
                check.expected_range = "%g – %g %s" % (
                    check.expected_min,
                    check.expected_max,
                    check.unit or "",
                )
            else:
                check.expected_range = False

    @api.model
    def _prepare_measure_vals(self, vals):
        """A recorded value marks the measurement as measured."""
        if "measured_value" in vals:
            vals["measured"] = True
        return vals

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
        for vals in vals_list:
            self._prepare_measure_vals(vals)
        checks = super().create(vals_list)
        checks.filtered("measured")._set_measured_result()
        return checks

    def write(self, vals):
        if not self.env.su:
            self._check_technician_access(self.work_order_id, vals, TECHNICIAN_CHECK_FIELDS)
        vals = self._prepare_measure_vals(dict(vals))
        result = super().write(vals)
        if "measured_value" in vals and "result" not in vals:
            self._set_measured_result()
        return result

    def _set_measured_result(self):
        """A value recorded without a result gives the result: OK in range, Failed out of
        range (the technician may still change it)."""
        for result, checks in (
            self.filtered(lambda check: check.check_type == "measure" and check.result == "todo")
            .grouped(lambda check: "fail" if check.out_of_range else "ok")
            .items()
        ):
            checks.write({"result": result})

    # ------------------------------------------------------------------
    # One tap per check (technician's form)
    # ------------------------------------------------------------------

    def _set_result(self, result):
        self.filtered(lambda check: not check.display_type).write({"result": result})
        return True

    def action_result_ok(self):
        return self._set_result("ok")

    def action_result_fail(self):
        return self._set_result("fail")

    def action_result_na(self):
        return self._set_result("na")
