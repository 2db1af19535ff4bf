from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import float_is_zero, format_amount, formatLang

from ..tools import great_circle_km

# one-way travel to a site
MAX_TRAVEL_KM = 5000
MAX_TRAVEL_HOURS = 48


class FieldWorkOrder(models.Model):
    """Travel: the distance and time the technician records, and the travel-cost line
    (call-out fee and kilometres, from the company's travel settings) made from the
    recorded or estimated distance."""

    _inherit = "field.work.order"  # pylint: disable=consider-merging-classes-inherited

    travel_distance = fields.Float(
        string="Travel Distance (km)",
        digits=(16, 1),
        copy=False,
        tracking=True,
        help="Distance from the company to the site in kilometres, as recorded by the "
        "technician. Used to compute the travel costs; a round trip counts it twice.",
    )
    travel_time = fields.Float(
        copy=False,
        help="Hours spent travelling to the site.",
    )

    @api.constrains("travel_distance", "travel_time")
    def _check_travel(self):
        for order in self:
            if not 0 <= order.travel_distance <= MAX_TRAVEL_KM:
                message = self.env._(
                    "The travel distance of work order %(order)s must be between 0 and %(max)s km.",
                    order=order.name,
                    max=MAX_TRAVEL_KM,
                )
            elif not 0 <= order.travel_time <= MAX_TRAVEL_HOURS:
                message = self.env._(
                    "The travel time of work order %(order)s must be between 0 and %(max)s hours.",
                    order=order.name,
                    max=MAX_TRAVEL_HOURS,
                )
            else:
                continue
            raise ValidationError(message)

    def action_compute_travel_costs(self):
        """Add or update the one travel-cost line of each work order from the recorded or
        estimated distance and the travel settings of its company; when no distance is
        known, log why no travel line was added."""
        self.check_access("write")
        cancelled = self.filtered(lambda order: order.state == "cancelled")
        if cancelled:
            raise UserError(
                self.env._(
                    "Travel costs cannot be computed for cancelled work orders: %s",
                    ", ".join(cancelled.mapped("name")),
                )
            )
        unconfigured = self.filtered(lambda order: not order.company_id.fm_travel_product_id)
        if unconfigured:
            raise UserError(
                self.env._(
                    "Travel costs of work orders %(orders)s cannot be computed: choose a "
                    "travel product in the Field Service settings of %(companies)s.",
                    orders=", ".join(unconfigured.mapped("name")),
                    companies=", ".join(unconfigured.company_id.mapped("name")),
                )
            )
        precision = self.env["decimal.precision"].precision_get("Product Unit")
        Line = self.env["field.work.order.line"]
        to_create = []
        to_remove = Line
        bodies = {}
        for order in self:
            travel_lines = order.line_ids.filtered("is_travel_cost")
            if any(
                not float_is_zero(line.qty_invoiced, precision_digits=precision)
                for line in travel_lines
            ):
                bodies[order.id] = self.env._(
                    "Travel costs were not computed again: the travel line is already invoiced."
                )
                continue
            distance, explanation = order._travel_distance()
            if not distance:
                to_remove |= travel_lines
                bodies[order.id] = explanation
                continue
            vals = order._prepare_travel_line_vals(distance)
            if travel_lines:
                travel_lines[0].write(vals)
                to_remove |= travel_lines[1:]
            else:
                to_create.append(vals)
            bodies[order.id] = self.env._(
                "Travel costs: %(amount)s for %(km)s km (%(origin)s).",
                amount=format_amount(self.env, vals["price_unit"], order.currency_id),
                km=formatLang(self.env, distance, digits=1),
                origin=explanation,
            )
        to_remove.unlink()
        Line.create(to_create)
        self._log_batch(bodies)
        return True

    def _travel_distance(self):
        """One-way distance to the site in km: the travel distance recorded on the work
        order, else the kilometres recorded on travel lines, else the great-circle distance
        between the company and the site times the road factor.

        :return: (km, translated explanation); km is 0 when unknown and the explanation
            then says why no travel line is added
        """
        self.ensure_one()
        if self.travel_distance > 0:
            return self.travel_distance, self.env._("distance recorded on the work order")
        km_uom = self.env.ref("uom.product_uom_km")
        recorded = sum(
            line.product_uom_id._compute_quantity(line.quantity, km_uom, round=False)
            for line in self.line_ids
            if line._is_distance_record()
        )
        if recorded > 0:
            return recorded, self.env._("kilometres recorded by the technician")
        origin = self.company_id.partner_id
        site = self.site_partner_id
        missing = [
            partner
            for partner in (origin, site)
            if not (partner.partner_latitude or partner.partner_longitude)
        ]
        if missing:
            return 0.0, self.env._(
                "No travel line was added to work order %(order)s: no kilometres were "
                "recorded and the distance cannot be estimated because %(partners)s has no "
                "coordinates (geolocate the address).",
                order=self.name,
                partners=self.env._(" and ").join(partner.display_name for partner in missing),
            )
        crow_flies = great_circle_km(
            origin.partner_latitude,
            origin.partner_longitude,
            site.partner_latitude,
            site.partner_longitude,
        )
        factor = self.company_id.fm_travel_road_factor or 1.0
        return round(crow_flies * factor, 1), self.env._(
            "estimated: %(km)s km as the crow flies × road factor %(factor)s",
            km=formatLang(self.env, crow_flies, digits=1),
            factor=formatLang(self.env, factor, digits=2),
        )

    def _prepare_travel_line_vals(self, distance):
        """Values of the travel-cost line: call-out fee plus the charged kilometres (one way
        or round trip, minus the free kilometres) at the price per km, described in the
        customer's language."""
        self.ensure_one()
        company = self.company_id
        currency = self.currency_id or company.currency_id
        product = company.fm_travel_product_id
        trips = 2 if company.fm_travel_mode == "round_trip" else 1
        total_km = distance * trips
        charged_km = max(0.0, total_km - company.fm_travel_free_km)
        amount = currency.round(
            company.fm_travel_callout_fee + charged_km * company.fm_travel_price_per_km
        )
        env = self.with_context(lang=self.partner_id.lang or self.env.lang).env

        def km(value):
            return formatLang(env, value, digits=1)

        parts = []
        if trips == 2:
            parts.append(
                env._(
                    "round trip 2 × %(km)s km = %(total)s km",
                    km=km(distance),
                    total=km(total_km),
                )
            )
        else:
            parts.append(env._("one way %(km)s km", km=km(distance)))
        if company.fm_travel_free_km:
            parts.append(env._("%(km)s km free", km=km(company.fm_travel_free_km)))
        if company.fm_travel_price_per_km:
            parts.append(
                env._(
                    "%(km)s km × %(price)s",
                    km=km(charged_km),
                    price=format_amount(env, company.fm_travel_price_per_km, currency),
                )
            )
        if company.fm_travel_callout_fee:
            parts.append(
                env._(
                    "call-out fee %(fee)s",
                    fee=format_amount(env, company.fm_travel_callout_fee, currency),
                )
            )
        description = product.with_context(lang=env.lang).get_product_multiline_description_sale()
        return {
            "work_order_id": self.id,
            "line_type": "travel",
            "is_travel_cost": True,
            "product_id": product.id,
            "product_uom_id": product.uom_id.id,
            "name": f"{description}\n{', '.join(parts)}",
            "quantity": 1.0,
            "price_unit": amount,
            "discount": 0.0,
        }
