from odoo import api, fields, models
from odoo.exceptions import AccessError, UserError


class FieldWorkOrder(models.Model):
    """Periodic maintenance: a work order can be the visit of a maintenance plan for a
    due date. It is then prepared from the plan (customer, site, equipment, work type,
    description, template lines) and, when done, moves the plan's next due date."""

    _inherit = "field.work.order"  # pylint: disable=consider-merging-classes-inherited

    maintenance_plan_id = fields.Many2one(
        "field.maintenance.plan",
        index="btree_not_null",
        copy=False,
        tracking=True,
        check_company=True,
        ondelete="set null",
        domain="[('commercial_partner_id', '=', commercial_partner_id), ('state', '=', 'active')]",
    )
    maintenance_due_date = fields.Date(
        string="Maintenance Due On",
        copy=False,
        help="Due date of the periodic maintenance this work order is the visit of. When the "
        "work order is done, the plan's next due date moves one interval further.",
    )
    # not tracked on the work order (a related field inherits the tracking of its target):
    # the plan logs its own changes, and each write of a work order would read them
    maintenance_plan_state = fields.Selection(
        related="maintenance_plan_id.state", string="Maintenance Plan Status", tracking=False
    )
    maintenance_next_date = fields.Date(
        related="maintenance_plan_id.next_date", string="Next Maintenance", tracking=False
    )
    maintenance_interval_label = fields.Char(
        related="maintenance_plan_id.interval_label", string="Maintenance Interval"
    )

    _maintenance_visit_uniq = models.UniqueIndex(
        "(maintenance_plan_id, maintenance_due_date) WHERE maintenance_due_date IS NOT NULL "
        "AND state != 'cancelled'",
        "A maintenance plan has only one work order per due date; plan the existing one "
        "or cancel it first.",
    )

    @api.constrains("maintenance_plan_id", "partner_id")
    def _check_maintenance_plan_customer(self):
        self._check_same_customer(
            "maintenance_plan_id",
            lambda order, plan: self.env._(
                "Work order %(order)s is for customer %(customer)s; it cannot be a "
                "visit of the periodic maintenance %(plan)s of another customer.",
                order=order.name,
                customer=order.partner_id.display_name,
                plan=plan.display_name,
            ),
        )

    @api.model_create_multi
    def create(self, vals_list):
        self._prepare_maintenance_vals(vals_list)
        return super().create(vals_list)

    def write(self, vals):
        result = super().write(vals)
        # a status written by a user goes through its action method, which writes it as
        # superuser (_write_state): that write moves the plans
        if vals.get("state") == "done" and self.env.su:
            self._advance_maintenance_plans()
        return result

    @api.model
    def _prepare_maintenance_vals(self, vals_list):
        """A work order made for a maintenance plan gets, unless given: the plan's
        customer, site, equipment, work type and description, its template lines and its
        current due date (when no other work order holds that due date)."""
        context = self.env.context
        plan_ids = {
            vals.get("maintenance_plan_id", context.get("default_maintenance_plan_id"))
            for vals in vals_list
        } - {False, None}
        if not plan_ids:
            return vals_list
        plans = self.env["field.maintenance.plan"].browse(plan_ids)
        needs_due_date = []
        for vals in vals_list:
            plan_id = vals.get("maintenance_plan_id", context.get("default_maintenance_plan_id"))
            if not plan_id:
                continue
            if all(key in vals for key in ("partner_id", "line_ids", "maintenance_due_date")):
                continue  # e.g. the batch creation of the maintenance cron
            plan = plans.browse(plan_id)
            missing = {}
            for key, value in plan._prepare_work_order_vals().items():
                if key in vals:
                    continue
                if f"default_{key}" not in context:
                    missing[key] = value
                elif not self._fields[key].type.endswith("2many"):
                    # e.g. the work type, whose checklist create() copies from vals
                    missing[key] = context[f"default_{key}"]
            missing.pop("planned_date_start", None)
            missing.pop("maintenance_plan_id", None)
            due_date = missing.pop("maintenance_due_date", None)
            vals.update(missing)
            if due_date:
                needs_due_date.append((vals, plan))
        if needs_due_date:
            taken = {
                (order.maintenance_plan_id.id, order.maintenance_due_date)
                for order in self.with_context(active_test=False).search(
                    [
                        ("maintenance_plan_id", "in", [plan.id for _vals, plan in needs_due_date]),
                        ("maintenance_due_date", "!=", False),
                        ("state", "!=", "cancelled"),
                    ]
                )
            }
            for vals, plan in needs_due_date:
                if (plan.id, plan.next_date) not in taken:
                    vals["maintenance_due_date"] = plan.next_date
                    taken.add((plan.id, plan.next_date))
                else:
                    # another visit of the same due date: not the one that moves the plan
                    vals["maintenance_due_date"] = False
        return vals_list

    @api.onchange("maintenance_plan_id")
    def _onchange_maintenance_plan_id(self):
        """Show the plan's template lines on a new work order scheduled from the plan."""
        plan = self.maintenance_plan_id
        if plan and not self._origin.id and not self.line_ids:
            self.line_ids = plan._prepare_work_order_line_commands()

    def _advance_maintenance_plans(self):
        """Done visits of maintenance plans move their plan's due date (as superuser: the
        technician reporting the work complete cannot edit plans)."""
        orders = self.filtered(
            lambda order: (
                order.state == "done" and order.maintenance_plan_id and order.maintenance_due_date
            )
        )
        for order in orders.sorted("maintenance_due_date"):
            # sudo: the plan and due date are set by dispatchers only (TECHNICIAN_FIELDS)
            # and belong to the order's customer (_check_maintenance_plan_customer); the
            # plan moves by its own interval, the technician gives nothing
            order.maintenance_plan_id.sudo()._advance(order)

    def action_open_maintenance_plan(self):
        """Create the periodic maintenance of this work order, or edit it."""
        self.ensure_one()
        action = {
            "type": "ir.actions.act_window",
            "res_model": "field.maintenance.plan",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
        }
        if self.maintenance_plan_id:
            action.update(
                name=self.env._("Periodic Maintenance"), res_id=self.maintenance_plan_id.id
            )
        else:
            action.update(
                name=self.env._("New Periodic Maintenance"),
                context={"default_origin_work_order_id": self.id},
            )
        return action

    def action_cancel_maintenance_plan(self):
        self.ensure_one()
        if not self.maintenance_plan_id:
            raise UserError(
                self.env._("Work order %s has no periodic maintenance to cancel.", self.name)
            )
        return self.maintenance_plan_id.action_open_cancel_wizard()

    # ------------------------------------------------------------------
    # Periodic maintenance proposed on site
    # ------------------------------------------------------------------

    def action_propose_maintenance_plan(self):
        """The technician proposes periodic maintenance of this job (wizard)."""
        self.ensure_one()
        self._check_proposal()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Propose Periodic Maintenance"),
            "res_model": "field.maintenance.plan.propose",
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "new",
            "context": {"default_work_order_id": self.id},
        }

    def _check_proposal(self):
        self.ensure_one()
        self.check_access("write")
        if not self._is_dispatcher() and self.env.user not in self.technician_ids | self.user_id:
            raise AccessError(
                self.env._(
                    "Only the technicians of work order %s can propose its maintenance.", self.name
                )
            )
        if self.maintenance_plan_id:
            raise UserError(
                self.env._(
                    "Work order %(order)s already belongs to the periodic maintenance %(plan)s.",
                    order=self.name,
                    plan=self.maintenance_plan_id.display_name,
                )
            )
        if self.state == "cancelled":
            raise UserError(self.env._("Work order %s is cancelled.", self.name))

    def _propose_maintenance_plan(self, name, interval_number, interval_unit, note=False):
        """Create the proposed plan of this work order: its customer, site, equipment,
        work type, responsible, materials and other lines (field_maintenance_plan_origin.py),
        with the name and interval the technician gives; a dispatcher confirms it."""
        self._check_proposal()
        if not (name or "").strip():
            raise UserError(self.env._("Give the periodic maintenance a name."))
        context = {
            key: value for key, value in self.env.context.items() if not key.startswith("default_")
        }
        # sudo: technicians cannot create plans; the plan is made from this work order,
        # which the user works on (_check_proposal), with only the name, interval and note
        # they give, and stays proposed (no reminders nor visits) until a dispatcher
        # confirms it
        plan = (
            self.env["field.maintenance.plan"]
            .sudo()
            .with_context(context, fm_plan_proposal=True)
            .create(
                {
                    "name": name.strip(),
                    "origin_work_order_id": self.id,
                    "interval_number": interval_number,
                    "interval_unit": interval_unit,
                    "state": "proposed",
                    "proposed_by_id": self.env.uid,
                }
            )
        )
        body = self.env._("Periodic maintenance proposed by %s.", self.env.user.name)
        if note:
            body = f"{body}\n{note}"
        # the plan is in the superuser environment above (technicians cannot post on
        # plans): a note of the user's words, escaped (plain text), authored by the user
        plan.message_post(body=body, message_type="comment", subtype_xmlid="mail.mt_note")
        return plan.with_env(self.env)
