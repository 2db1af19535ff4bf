from odoo.addons.portal.controllers.portal import CustomerPortal


class FieldMaintenancePortal(CustomerPortal):
    pass
