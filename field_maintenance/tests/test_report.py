from odoo import Command
from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import PNG, FieldMaintenanceCase


@tagged("post_install", "-at_install")
class TestReport(FieldMaintenanceCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.equipment = cls.env["field.equipment"].create(
            {
                "name": "Vaillant ecoTEC plus",
                "partner_id": cls.customer.id,
                "serial_number": "21223300100",
            }
        )
        cls.order = cls._planned_work_order(
            equipment_ids=[Command.set(cls.equipment.ids)],
            description="<p>Yearly maintenance of the boiler</p>",
            line_ids=[
                Command.create({"product_id": cls.material.id, "quantity": 2}),
                Command.create(
                    {
                        "line_type": "labour",
                        "name": "Maintenance labour",
                        "quantity": 1.5,
                        "price_unit": 65,
                    }
                ),
            ],
        )
        cls.order.checklist_ids[0].result = "ok"
        cls.order.write({"signature": PNG, "signed_by": "Jan Janssens"})

    def test_report_content(self):
        html = (
            self.env["ir.actions.report"]
            ._render_qweb_html("field_maintenance.action_report_work_order", self.order.ids)[0]
            .decode()
        )
        for expected in (
            self.order.name,
            "Bakkerij Janssens",
            "Vaillant ecoTEC plus",
            "21223300100",
            "Gasket set",
            "Maintenance labour",
            "Burner cleaned",
            "Jan Janssens",
            "Yearly maintenance of the boiler",
        ):
            self.assertIn(expected, html)

    def test_report_pdf(self):
        Report = self.env["ir.actions.report"].with_context(force_report_rendering=True)
        if Report.get_wkhtmltopdf_state() == "install":
            with self.assertRaisesRegex(UserError, "Wkhtmltopdf"):
                Report._render_qweb_pdf(
                    "field_maintenance.action_report_work_order", self.order.ids
                )
            return
        with self.allow_pdf_render():
            pdf, report_type = Report._render_qweb_pdf(
                "field_maintenance.action_report_work_order", self.order.ids
            )
        self.assertEqual(report_type, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"))

    def test_send_by_email(self):
        action = self.order.action_send()
        self.assertEqual(action["res_model"], "mail.compose.message")
        template = self.env.ref("field_maintenance.mail_template_work_order")
        self.assertEqual(action["context"]["default_template_id"], template.id)
        composer = self.env["mail.compose.message"].with_context(**action["context"]).create({})
        self.assertIn(self.customer, composer.partner_ids)
        self.assertIn(self.order.name, composer.subject)
        self.assertEqual(len(composer.attachment_ids), 1, "the work-order PDF is attached")
        composer._action_send_mail()
        message = self.order.message_ids[0]
        self.assertIn(self.customer, message.partner_ids)
        self.assertEqual(len(message.attachment_ids), 1)
