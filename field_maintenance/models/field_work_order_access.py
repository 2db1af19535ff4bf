from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError

from .field_work_order import PLANNING_FIELDS

# The role model of the work order (security/README.md): the fields a technician may
# change on an open work order they work on. Everything else (customer, site, equipment,
# work type, planning, maintenance plan, SLA, prices) is for dispatchers; the status moves
# only through the action methods (action_start, action_done, ...) for every role.
TECHNICIAN_FIELDS = frozenset(
    {
        "description",
        "comment",
        "internal_note",
        "properties",
        "line_ids",
        "checklist_ids",
        "photo_ids",
        "signature",
        "signed_by",
        "signature_mode",
        "travel_distance",
        "travel_time",
    }
)
# What a technician may give when creating an ad-hoc work order, besides the values of
# TECHNICIAN_FIELDS: the customer, the site and the equipment the work is for. The planning
# fields may only name the technician themself or stay empty (see _check_created).
TECHNICIAN_CREATE_FIELDS = TECHNICIAN_FIELDS | {
    "partner_id",
    "site_partner_id",
    "equipment_ids",
    "summary",
    "work_type_id",
    "priority",
    "is_adhoc",
    "company_id",
    "planned_hours",
}


class FieldWorkOrder(models.Model):
    """Access by role (security/README.md): what technicians may give and change.

    Dispatchers change every field, and the status through the action methods;
    technicians create ad-hoc work orders for themselves and change the work of the open
    work orders they work on (TECHNICIAN_FIELDS). The checks run first in ``create`` and
    ``write``, on the values the user gave, before any other feature of the work order
    uses them: this file is imported after the other work-order files.
    """

    _inherit = "field.work.order"  # pylint: disable=consider-merging-classes-inherited

    is_dispatcher = fields.Boolean(
        compute="_compute_is_dispatcher",
        help="Technical field: the current user may change every field of the work order "
        "(dispatcher); technicians change only the work (see security/README.md).",
    )

    @api.depends_context("uid")
    def _compute_is_dispatcher(self):
        self.is_dispatcher = self._is_dispatcher()

    @api.model
    def _mail_fields(self):
        """Fields of the chatter and activity mixins: mail checks their access itself."""
        return self.env["mail.thread"]._fields.keys() | self.env["mail.activity.mixin"]._fields

    @api.model
    def _field_labels(self, fnames, model=None):
        """The labels of fields ``fnames`` of ``model`` (work orders by default), for a
        message."""
        model = self if model is None else model
        return ", ".join(
            sorted(
                model._fields[fname]._description_string(self.env)
                if fname in model._fields
                else fname
                for fname in fnames
            )
        )

    def _check_technician_change(self, records, fnames, allowed, refused, closed):
        """Technicians (not dispatchers) give or change only the fields ``allowed`` of
        ``records`` (lines or checks of the work orders ``self``), and only while the work
        orders are open. ``refused`` and ``closed`` are the translated messages, with the
        placeholders %(fields)s and %(orders)s."""
        if self._is_dispatcher():
            return
        refused_fields = set(fnames) - allowed
        if refused_fields:
            raise AccessError(
                refused % {"fields": self._field_labels(refused_fields, model=records)}
            )
        closed_orders = self.filtered(lambda order: order.state in ("done", "cancelled"))
        if closed_orders:
            raise UserError(closed % {"orders": ", ".join(closed_orders.mapped("name"))})

    @api.model
    def _check_create_vals(self, vals_list):
        """Technicians create ad-hoc work orders only: no status, no other technicians, no
        planning, no maintenance plan. The values the server computes anyway (SLA) are not
        taken from them. Checked again on the created records (_check_created), which
        also covers the context's defaults."""
        if not self.env.su:
            context_state = self.env.context.get("default_state")
            if any(
                vals.get("state", context_state) not in (None, False, "draft") for vals in vals_list
            ):
                raise AccessError(
                    self.env._(
                        "A new work order is a draft; plan, start or complete it with its buttons."
                    )
                )
        if self._is_dispatcher():
            return
        allowed = TECHNICIAN_CREATE_FIELDS | PLANNING_FIELDS | self._mail_fields()
        for vals in vals_list:
            # computed from the work type, the customer and the moment of creation
            vals.pop("sla_policy_id", None)
            vals.pop("sla_start_date", None)
            refused = {
                fname
                for fname, value in vals.items()
                if fname not in allowed
                and value not in (False, None, "", [])
                and not (fname == "state" and value == "draft")
            }
            if refused:
                raise AccessError(
                    self.env._(
                        "Only dispatchers can set these fields of a work order: %(fields)s.",
                        fields=self._field_labels(refused),
                    )
                )

    def _check_created(self):
        """What a technician created is an ad-hoc draft work order for themself."""
        if self._is_dispatcher():
            return
        user = self.env.user
        for order in self:
            if (
                order.state != "draft"
                or not order.is_adhoc
                or order.technician_ids - user
                or order.planned_date_start
                or order.maintenance_plan_id
                or order.maintenance_due_date
                or order.origin_work_order_id
            ):
                raise AccessError(
                    self.env._(
                        "Technicians can only create ad-hoc work orders for themselves, "
                        "in draft and without planning or periodic maintenance; a "
                        "dispatcher plans the others."
                    )
                )

    def _check_write_vals(self, vals):
        """Technicians change only the work of open work orders they work on
        (TECHNICIAN_FIELDS); the status never moves by a plain write."""
        if self._is_dispatcher():
            return
        if "state" in vals:
            raise AccessError(
                self.env._(
                    "The status of a work order changes with its buttons (Start, Report "
                    "Complete), not by editing it."
                )
            )
        refused = set(vals) - TECHNICIAN_FIELDS - self._mail_fields()
        if refused:
            raise AccessError(
                self.env._(
                    "Only dispatchers can change these fields of work orders %(orders)s: "
                    "%(fields)s.",
                    orders=", ".join(self.mapped("name")),
                    fields=self._field_labels(refused),
                )
            )
        closed = self.filtered(lambda order: order.state in ("done", "cancelled"))
        if closed and set(vals) - self._mail_fields():
            raise UserError(
                self.env._(
                    "Work orders %(orders)s are done or cancelled: only a dispatcher can "
                    "change them.",
                    orders=", ".join(closed.mapped("name")),
                )
            )

    @api.model_create_multi
    def create(self, vals_list):
        self._check_create_vals(vals_list)
        orders = super().create(vals_list)
        orders._check_created()
        return orders

    def write(self, vals):
        self._check_write_vals(vals)
        return super().write(vals)
