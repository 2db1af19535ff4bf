from odoo import api, fields, models
from odoo.exceptions import ValidationError


class FieldSiteMixin(models.AbstractModel):
    """Customer and site of a work order, a maintenance plan or an installation (as
    ``maintenance.mixin`` in Odoo and ``fsm.model.mixin`` in OCA field service).

    The customer, its commercial entity (what record rules, the portal and the checks
    between linked records go by), the site: the customer itself or one of its contacts or
    delivery addresses, and the company. The site follows the customer: it becomes the
    customer when the customer changes to another commercial entity, and it must always
    be an address of the customer.
    """

    _name = "field.site.mixin"
    _description = "Customer and Site"
    _check_company_auto = True
    # whether the one-line site address ends with the country
    _site_address_with_country = False

    company_id = fields.Many2one(
        "res.company",
        required=True,
        index=True,
        default=lambda self: self.env.company,
    )
    partner_id = fields.Many2one(
        "res.partner",
        string="Customer",
        required=True,
        index=True,
        tracking=True,
        check_company=True,
    )
    commercial_partner_id = fields.Many2one(
        related="partner_id.commercial_partner_id", store=True, index=True
    )
    site_partner_id = fields.Many2one(
        "res.partner",
        string="Site Address",
        compute="_compute_site_partner_id",
        store=True,
        readonly=False,
        precompute=True,
        index=True,
        tracking=True,
        check_company=True,
        domain="[('commercial_partner_id', '=', commercial_partner_id)]",
        help="Where the work is done or the installation stands: the customer itself or one "
        "of its contacts or delivery addresses.",
    )
    site_address = fields.Char(string="Full Site Address", compute="_compute_site_address")

    @api.depends("partner_id")
    def _compute_site_partner_id(self):
        for record in self:
            site = record.site_partner_id
            if not site or site.commercial_partner_id != record.partner_id.commercial_partner_id:
                record.site_partner_id = record.partner_id

    @api.depends(
        "site_partner_id.street",
        "site_partner_id.street2",
        "site_partner_id.zip",
        "site_partner_id.city",
        "site_partner_id.country_id",
    )
    def _compute_site_address(self):
        for record in self:
            record.site_address = (
                record.site_partner_id._fm_one_line_address(
                    with_country=self._site_address_with_country
                )
                or False
            )

    def _check_same_customer(self, fname, message):
        """Refuse records whose ``fname`` links records of another customer (commercial
        entity). ``message(record, foreign)`` is the translated refusal."""
        for record in self:
            commercial = record.partner_id.commercial_partner_id
            foreign = record[fname].filtered(
                lambda linked, commercial=commercial: linked.commercial_partner_id != commercial
            )
            if foreign:
                raise ValidationError(message(record, foreign))

    @api.constrains("site_partner_id", "partner_id")
    def _check_site_partner(self):
        for record in self:
            site = record.site_partner_id
            if site and site.commercial_partner_id != record.partner_id.commercial_partner_id:
                raise ValidationError(
                    self.env._(
                        "The site address %(site)s of %(record)s is not an address of "
                        "customer %(customer)s.",
                        site=site.display_name,
                        record=record.display_name,
                        customer=record.partner_id.display_name,
                    )
                )
