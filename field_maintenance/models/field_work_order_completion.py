from odoo import api, fields, models

# what a work order may lack when it is reported complete, in the order the technician
# sees them: (key, the page of the technician's form where it is fixed)
COMPLETION_CHECKS = ("checklist", "hours", "materials", "signature")
SIGNATURE_MODES = [("draw", "Drawn"), ("auto", "Typed"), ("load", "Uploaded")]


class FieldWorkOrder(models.Model):
    """Safe completion: what is missing when a work order is reported complete
    (open checks, no hours, no materials, no signature or a typed one), and which of it
    blocks, per work type (field_work_type_completion.py). ``action_report_complete``
    (the technician's button) shows the list in a wizard whose buttons lead to the place
    to fix each item; ``action_done`` refuses the blocking ones, whoever calls it."""

    _inherit = "field.work.order"  # pylint: disable=consider-merging-classes-inherited

    signature_mode = fields.Selection(
        SIGNATURE_MODES,
        copy=False,
        help="How the signature was made in the signature dialog: drawn on the screen, "
        "typed from the name or uploaded; set by the technician's signature field.",
    )

    checklist_has_measure = fields.Boolean(
        compute="_compute_checklist_has_measure",
        help="Technical: the checklist has measurements (the technician's form shows the "
        "value column).",
    )

    checklist_has_failed = fields.Boolean(
        compute="_compute_checklist_has_measure",
        help="Technical: a check failed (the technician's form shows the note column).",
    )

    @api.depends("checklist_ids.check_type", "checklist_ids.result")
    def _compute_checklist_has_measure(self):
        for order in self:
            order.checklist_has_measure = "measure" in order.checklist_ids.mapped("check_type")
            order.checklist_has_failed = "fail" in order.checklist_ids.mapped("result")

    def _prepare_signature_vals(self, vals):
        vals = super()._prepare_signature_vals(vals)
        if "signature" in vals and not vals["signature"]:
            vals.setdefault("signature_mode", False)
        return vals

    def _completion_problems(self):
        """What the work order lacks to be reported complete: a list of
        ``(key, message, blocking)``, ``key`` one of COMPLETION_CHECKS."""
        self.ensure_one()
        work_type = self.work_type_id
        problems = []
        open_checks = self.checklist_ids.filtered(
            lambda check: not check.display_type and check.result == "todo"
        )
        if open_checks:
            problems.append(
                (
                    "checklist",
                    self.env._(
                        "%(count)s checks still to do: %(checks)s",
                        count=len(open_checks),
                        checks=", ".join(open_checks.mapped("name")),
                    ),
                    work_type.checklist_required,
                )
            )
        labour = self.line_ids.filtered(
            lambda line: line.line_type == "labour" and not line.display_type and line.quantity
        )
        work_times = self.time_ids.filtered(lambda entry: entry.time_type == "work")
        if not labour and not work_times:
            problems.append(("hours", self.env._("No hours recorded."), work_type.hours_required))
        materials = self.line_ids.filtered(
            lambda line: line.line_type == "material" and not line.display_type
        )
        if not materials:
            problems.append(("materials", self.env._("No materials recorded."), False))
        if not self.signature:
            problems.append(
                (
                    "signature",
                    self.env._("The customer has not signed."),
                    self.signature_required or work_type.signature_drawn_required,
                )
            )
        elif self.signature_mode != "draw":
            problems.append(
                (
                    "signature",
                    self.env._("The signature was not drawn by the customer (typed or uploaded)."),
                    work_type.signature_drawn_required,
                )
            )
        return problems

    def _completion_refusal(self):
        """Translated refusal of action_done for this work order, or None."""
        self.ensure_one()
        blocking = [message for _key, message, block in self._completion_problems() if block]
        if not blocking:
            return None
        if not self.signature and self.signature_required and len(blocking) == 1:
            return self.env._(
                "Work order %(order)s cannot be reported complete: work type %(type)s "
                "requires the customer's signature.",
                order=self.name,
                type=self.work_type_id.name,
            )
        return self.env._(
            "Work order %(order)s cannot be reported complete: %(problems)s",
            order=self.name,
            problems=" ".join(blocking),
        )

    def action_report_complete(self):
        """The technician's "Report Complete": straight to Done when nothing is missing,
        else the list of what is missing (wizard), completing only when nothing blocks."""
        self.ensure_one()
        self._check_transition(
            ("in_progress",),
            self.env._(
                "Work order %(order)s cannot be reported complete: it is %(state)s, "
                "not in progress."
            ),
        )
        problems = self._completion_problems()
        if not problems:
            return self.action_done()
        return self.env["field.work.order.complete"]._open(self, problems)

    def _action_fix(self, key):
        """The place where a missing item of ``key`` is fixed: a small form of the work
        order with that part only (a dialog on the phone)."""
        self.ensure_one()
        view = self.env.ref(f"field_maintenance.field_work_order_view_form_fix_{key}")
        titles = {
            "checklist": self.env._("Checklist"),
            "hours": self.env._("Time"),
            "materials": self.env._("Materials"),
            "signature": self.env._("Signature"),
        }
        return {
            "type": "ir.actions.act_window",
            "name": titles[key],
            "res_model": self._name,
            "res_id": self.id,
            "view_mode": "form",
            "views": [(view.id, "form")],
            "target": "new",
            "context": {"fm_material_picker": True},
        }
