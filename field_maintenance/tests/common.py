"""The fixtures of the module's tests: one set of users, customer, products and work
types, built once by ``FieldMaintenanceFixtures`` for the plain test case, the
accounting one (invoicing) and the portal one; work orders reach their status through
the buttons (action methods) users press."""

from contextlib import ExitStack
from datetime import datetime, timedelta
from unittest.mock import patch

import requests

from odoo import Command
from odoo.tests import HttpCase, TransactionCase, freeze_time, new_test_user

from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.addons.sms.tests.common import MockSMS, SMSCase

# a 1x1 PNG: a signature, a photo
PNG = (
    b"iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)

# the groups of the roles
TECHNICIAN = "field_maintenance.group_field_technician"
DISPATCHER = "field_maintenance.group_field_user"
MANAGER = "field_maintenance.group_field_manager"
BILLING = "account.group_account_invoice"

# the buttons that bring a new (draft) work order to a status
STEPS = {
    "draft": (),
    "planned": ("action_plan",),
    "ready": ("action_plan", "action_ready"),
    "in_progress": ("action_plan", "action_start"),
    "done": ("action_plan", "action_start", "action_done"),
    "cancelled": ("action_plan", "action_cancel"),
}


class FieldMaintenanceFixtures:
    """Users of each group, a customer with a site address, another customer, products
    and work types; helpers for work orders. A mixin for a test case class, whose
    ``setUpClass`` calls ``_setup_fixtures``."""

    @classmethod
    def _setup_fixtures(cls):
        cls.env = cls.env(context=dict(cls.env.context, tracking_disable=True))
        cls.company = cls.env.company
        cls.technician = cls._user("fm_tech", TECHNICIAN, "Tom Technician")
        cls.technician_2 = cls._user("fm_tech2", TECHNICIAN, "Tina Technician")
        cls.dispatcher = cls._user("fm_dispatch", DISPATCHER, "Dirk Dispatcher")
        cls.manager = cls._user("fm_manager", MANAGER, "Mia Manager")
        cls.customer = cls.env["res.partner"].create(
            {
                "name": "Bakkerij Janssens",
                "is_company": True,
                "email": "info@janssens.example.com",
                "phone": "+32 9 123 45 67",
                "street": "Korenmarkt 1",
                "zip": "9000",
                "city": "Gent",
                "country_id": cls.env.ref("base.be").id,
                "lang": "en_US",
            }
        )
        cls.site = cls.env["res.partner"].create(
            {
                "name": "Atelier",
                "type": "delivery",
                "parent_id": cls.customer.id,
                "street": "Industrieweg 12",
                "zip": "9030",
                "city": "Mariakerke",
            }
        )
        cls.other_customer = cls.env["res.partner"].create(
            {"name": "Café De Zon", "is_company": True}
        )
        cls.material = cls._product(name="Gasket set", list_price=12.5)
        cls.valve = cls._product(name="Thermostatic valve", list_price=40.0)
        cls.labour = cls._product(
            name="Labour",
            type="service",
            list_price=60.0,
            uom_id=cls.env.ref("uom.product_uom_hour").id,
        )
        cls.travel_product = cls._product(name="Travel costs", type="service", list_price=0.0)
        cls.work_type = cls.env["field.work.type"].create(
            {
                "name": "Boiler service",
                "default_duration": 2.0,
                "checklist_template_ids": [
                    Command.create({"name": "Burner cleaned", "sequence": 1}),
                    Command.create({"name": "Flue gas measured", "sequence": 2}),
                ],
            }
        )
        cls.signed_type = cls.env["field.work.type"].create(
            {"name": "Installation", "signature_required": True}
        )
        cls.start = datetime(2026, 3, 2, 8, 0)

    @classmethod
    def _user(cls, login, groups, name, company=None, **vals):
        """A user of the groups (xml ids, comma-separated); of ``company`` only if given."""
        if company:
            vals.update(company_id=company.id, company_ids=[Command.set(company.ids)])
        return new_test_user(cls.env, login=login, groups=groups, name=name, **vals)

    @classmethod
    def _company_b(cls):
        """A second company with a dispatcher and a customer of its own."""
        company = cls.env["res.company"].create({"name": "Koeltechniek NV"})
        dispatcher = cls._user("fm_dispatch_b", DISPATCHER, "Bram Dispatcher B", company)
        customer = cls.env["res.partner"].create({"name": "Slagerij B", "company_id": company.id})
        return company, dispatcher, customer

    @classmethod
    def _product(cls, **vals):
        return cls.env["product.product"].create({"type": "consu", **vals})

    @classmethod
    def _work_order(cls, **vals):
        """A draft boiler service of the customer."""
        values = {
            "partner_id": cls.customer.id,
            "summary": "Yearly boiler service",
            "work_type_id": cls.work_type.id,
        }
        values.update(vals)
        return cls.env["field.work.order"].create(values)

    @classmethod
    def _advance(cls, orders, state, times=None):
        """Bring draft ``orders`` to ``state`` with the buttons; ``times``: the start and
        end of the work, written afterwards as a dispatcher corrects them (the buttons
        record the moment they are pressed)."""
        for step in STEPS[state]:
            getattr(orders, step)()
        if times:
            orders.write({"date_start": times[0], "date_end": times[1]})
        return orders

    @classmethod
    def _planned_work_order(cls, **vals):
        return cls._order_in_state("planned", **vals)

    @classmethod
    def _order_in_state(cls, state, times=None, **vals):
        """A boiler service of the customer in ``state``: planned (but for a draft) for
        the fixed start with the technician, then the buttons (see ``_advance``)."""
        if state != "draft":
            vals = {
                "planned_date_start": cls.start,
                "technician_ids": [Command.set(cls.technician.ids)],
                **vals,
            }
        return cls._advance(cls._work_order(**vals), state, times)

    def _priority_rule(self, name, fm_trigger, priority):
        """A field-service rule on ``fm_trigger`` that gives the work order ``priority``."""
        action = self.env["ir.actions.server"].create(
            {
                "name": name,
                "model_id": self.env["ir.model"]._get_id("field.work.order"),
                "state": "object_write",
                "update_path": "priority",
                "update_field_id": self.env["ir.model.fields"]
                ._get("field.work.order", "priority")
                .id,
                "value": priority,
            }
        )
        return self.env["base.automation"].create(
            {
                "name": name,
                "fm_trigger": fm_trigger,
                "action_server_ids": [Command.link(action.id)],
            }
        )

    def _run_cron(self, cron, at=None, remote=None, cursor_now=False):
        """Run ``cron`` as the scheduler does, its commits savepoints of the test's
        transaction (registry test mode); at ``at`` (a frozen clock; ``cursor_now``: the
        cursor's time too) and with ``remote`` answering its HTTP requests, if given. The
        test reads the result from an empty cache."""
        with ExitStack() as stack:
            if at:
                stack.enter_context(freeze_time(at))
                if cursor_now:
                    stack.enter_context(patch.object(self.env.cr, "now", lambda: at))
            if remote:
                stack.enter_context(patch.object(requests.Session, "send", new=remote))
            stack.enter_context(self.enter_registry_test_mode())
            cron.method_direct_trigger()
        self.env.invalidate_all()


class FieldMaintenanceCase(FieldMaintenanceFixtures, TransactionCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._setup_fixtures()


class FieldInvoicingCase(FieldMaintenanceFixtures, AccountTestInvoicingCommon):
    """The fixtures with accounting (company with a chart of accounts, taxes, journals):
    the products have the company's sales tax and accounts, the customer an invoice
    address and a contact, and the work type a labour product."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env.user.group_ids += cls.env.ref(MANAGER)
        cls._setup_fixtures()
        cls.tax = cls.company_data["default_tax_sale"]
        cls.work_type.labour_product_id = cls.labour
        cls.invoice_address = cls.env["res.partner"].create(
            {"name": "Accounts", "type": "invoice", "parent_id": cls.customer.id}
        )
        cls.contact = cls.env["res.partner"].create(
            {"name": "Jan Janssens", "type": "contact", "parent_id": cls.customer.id}
        )
        cls.day = cls.start  # its name in test_automation_invoicing

    @classmethod
    def _product(cls, **vals):
        # with the income account and the sales tax of the company
        return cls._create_product(**vals)

    @classmethod
    def _line(cls, product=None, quantity=1.0, **vals):
        values = {"quantity": quantity}
        if product:
            values["product_id"] = product.id
        values.update(vals)
        return Command.create(values)

    @classmethod
    def _order(cls, partner=None, lines=None, **vals):
        """A draft work order of the customer (no work type) for ``cls.start``, with
        material and labour by default."""
        values = {
            "partner_id": (partner or cls.customer).id,
            "work_type_id": False,
            "planned_date_start": cls.start,
            "line_ids": lines
            if lines is not None
            else [cls._line(cls.material, 2.0), cls._line(cls.labour, 1.5, line_type="labour")],
        }
        return cls._work_order(**{**values, **vals})

    @classmethod
    def _done_order(cls, partner=None, lines=None, **vals):
        """A work order of ``_order`` done by the technician: two hours from its planned
        start."""
        vals.setdefault("technician_ids", [Command.set(cls.technician.ids)])
        order = cls._order(partner, lines, **vals)
        start = order.planned_date_start
        return cls._advance(order, "done", times=(start, start + timedelta(hours=2)))


class FieldPortalCase(FieldMaintenanceCase, HttpCase):
    """The fixtures and a portal account of the customer's, for the tests that open
    pages of the portal."""

    PORTAL_PASSWORD = "fm_portal_pw"

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.portal_user = cls._user(
            "fm_portal", "base.group_portal", "Jan Janssens", password=cls.PORTAL_PASSWORD
        )
        cls.portal_user.partner_id.parent_id = cls.customer

    def _log_in_portal(self):
        self.authenticate(self.portal_user.login, self.PORTAL_PASSWORD)


class SmsMock:
    """The SMS gateway mock and the SMS assertions of Odoo's ``sms.tests.common.SMSCase``
    for a test case that is no HttpCase: ``SMSCase`` derives from ``HttpCase`` (an HTTP
    server and a browser that SMS tests never use), so its methods are taken, not its
    class."""

    mockSMSGateway = MockSMS.mockSMSGateway
    _clear_sms_sent = MockSMS._clear_sms_sent
    _find_sms_sent = SMSCase._find_sms_sent
    _find_sms_sms = SMSCase._find_sms_sms
    assertSMS = SMSCase.assertSMS
    assertSMSIapSent = SMSCase.assertSMSIapSent
    assertSMSOutgoing = SMSCase.assertSMSOutgoing

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.env["iap.account"].get("sms")  # as SMSCase: the SMS account exists

    def setUp(self):
        super().setUp()
        self._clear_sms_sent()
