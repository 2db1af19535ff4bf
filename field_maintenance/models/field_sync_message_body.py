import base64
import json

from odoo import api, models

from .field_sync_message import SYNC_MODELS

REPORT_XMLID = "field_maintenance.action_report_work_order"


class FieldSyncMessage(models.Model):
    """The body of a message as it is sent: the payload queued with the message, plus
    the work-order PDF and files rendered when it is sent, if the endpoint includes them;
    nothing for a document that is not a work order of the endpoint's company."""

    _inherit = "field.sync.message"

    def _document_refusal(self):
        """Why the body of ``self`` may not be built, or None: only work orders are sent,
        of the message's company, which must be the endpoint's."""
        self.ensure_one()
        endpoint = self.endpoint_id
        record = None
        if self.res_model in SYNC_MODELS:
            # sudo: checks which company a record belongs to
            record = self.env[self.res_model].sudo().browse(self.res_id).exists()
        if (
            self.res_model not in SYNC_MODELS
            or (endpoint.company_id and endpoint.company_id != self.company_id)
            or (record and record.company_id != self.company_id)
        ):
            return self.env._(
                "This message is not about a work order of the company of endpoint %s: it is "
                "not sent.",
                endpoint.name,
            )
        return None

    def _body(self):
        """The request body: the queued payload, plus the PDF and the attachments of the
        document as they are now when the endpoint includes them. Only for the work orders
        of the message's company (``_document_refusal``)."""
        self.ensure_one()
        endpoint = self.endpoint_id
        if not (endpoint.include_report or endpoint.include_attachments):
            return self.payload
        # sudo: messages are created by the module only, for a work order the triggering
        # user could read and that belongs to the endpoint's company (checked again in
        # _document_refusal); what is added is what the endpoint's configuration asks for
        record = (
            self.env[self.res_model]
            .sudo()
            .with_company(self.company_id)
            .browse(self.res_id)
            .exists()
        )
        if not record:
            return self.payload
        payload = json.loads(self.payload)
        size = len(self.payload.encode())
        if endpoint.include_report:
            report = self._render_report(record)
            if report:
                payload["report"] = report
                size += len(report["data"])
                endpoint._check_request_size(size)
        if endpoint.include_attachments:
            payload["attachments"] = self._attachment_values(record, size)
        return json.dumps(payload, ensure_ascii=False)

    @api.model
    def _render_report(self, record):
        report = self.env.ref(REPORT_XMLID, raise_if_not_found=False)
        if not report or report.model != record._name:
            return None
        # sudo: the module's own work-order report (its QWeb is editable by system
        # administrators only) for a record checked in _body
        content, report_type = (
            self.env["ir.actions.report"]
            .sudo()
            .with_company(record.company_id)
            ._render_qweb_pdf(report.id, record.ids)
        )
        if isinstance(content, str):
            content = content.encode()
        extension = "pdf" if report_type == "pdf" else "html"
        return {
            "name": f"{record.display_name.replace('/', '-')}.{extension}",
            "mimetype": "application/pdf" if report_type == "pdf" else "text/html",
            "data": base64.b64encode(content).decode("ascii"),
        }

    @api.model
    def _attachment_values(self, record, size=0):
        """The files of ``record`` (checked in _body), refused with
        ``SyncMessageTooLarge`` before reading them when the body would be too large."""
        # sudo: the attachments of the work order checked in _body
        attachments = (
            self.env["ir.attachment"]
            .sudo()
            .search([("res_model", "=", record._name), ("res_id", "=", record.id)], order="id")
        )
        if "photo_ids" in record._fields:
            attachments |= record.photo_ids
        attachments = attachments.filtered(lambda attachment: attachment.type == "binary")
        endpoint = self.endpoint_id or self.env["field.sync.endpoint"]
        # base64 makes files a third larger
        size += sum((attachment.file_size or 0) * 4 // 3 for attachment in attachments)
        if endpoint:
            endpoint._check_request_size(size)
        return [
            {
                "id": attachment.id,
                "name": attachment.name,
                "mimetype": attachment.mimetype,
                "data": (attachment.datas or b"").decode("ascii"),
            }
            for attachment in attachments
        ]
