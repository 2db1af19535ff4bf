import json
import logging
import random
import uuid
from urllib.parse import urlsplit

import requests

from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError

_logger = logging.getLogger(__name__)

# the work-order fields an endpoint sends unless a manager chooses otherwise
DEFAULT_SYNC_FIELDS = (
    "name",
    "summary",
    "state",
    "priority",
    "company_id",
    "partner_id",
    "site_partner_id",
    "work_type_id",
    "equipment_ids",
    "user_id",
    "technician_ids",
    "planned_date_start",
    "planned_date_end",
    "date_start",
    "date_end",
    "comment",
    "signed_by",
    "signed_on",
    "currency_id",
    "amount_untaxed",
    "line_ids",
    "checklist_ids",
)
# field types that cannot be sent as JSON (files go through "include attachments")
EXCLUDED_FIELD_TYPES = ("binary", "properties_definition")
# sub-records sent in full rather than as {id, name}
SUBRECORD_FIELDS = {
    "field.work.order.line": (
        "sequence",
        "display_type",
        "line_type",
        "product_id",
        "name",
        "quantity",
        "product_uom_id",
        "price_unit",
        "discount",
        "price_subtotal",
    ),
    "field.work.order.checklist": ("sequence", "display_type", "name", "result", "note"),
}
# extra identifying values sent with a many2one, so that the remote can match its own records
MANY2ONE_EXTRA_FIELDS = {
    "res.partner": ("ref", "vat", "email"),
    "product.product": ("default_code",),
    "res.company": ("vat",),
    "res.currency": (),
    "res.users": ("login",),
}
MAX_RETRY_DELAY = 6 * 3600  # seconds: the backoff never waits longer than this
RETRY_JITTER = 0.25  # a retry waits between 75% and 100% of its nominal delay
EVENT_HEADER = "X-Field-Maintenance-Event"
# changing one of these on an endpoint retries its pending messages at once
CONNECTION_FIELDS = {"url", "auth_header_name", "auth_header_value", "active", "timeout"}


class FieldSyncEndpoint(models.Model):
    """An external system that receives work orders as JSON over HTTP(S).

    Messages are never sent from the transaction that queues them: ``_fm_enqueue`` on
    ``field.sync.message`` stores the payload in the outbox and the outbox cron sends it after
    commit, with retries. See ``field.sync.message`` for the delivery rules.
    """

    _name = "field.sync.endpoint"
    _description = "Sync Endpoint"
    _order = "name, id"
    _check_company_auto = True

    name = fields.Char(required=True)
    active = fields.Boolean(
        default=True,
        help="An archived endpoint receives nothing: no message is queued for it and its "
        "pending messages wait until it is active again.",
    )
    company_id = fields.Many2one(
        "res.company",
        index=True,
        default=lambda self: self.env.company,
        help="Only the work orders of this company are sent to this endpoint. Leave empty to "
        "send the work orders of every company.",
    )
    url = fields.Char(
        string="URL",
        required=True,
        help="Address that receives the messages as an HTTP POST with a JSON body, "
        "e.g. https://erp.example.com/api/work-orders.",
    )
    auth_header_name = fields.Char(
        string="Authentication Header",
        default="Authorization",
        help="Name of the HTTP header that carries the credentials, e.g. Authorization or "
        "X-Api-Key. Leave empty when the remote needs no authentication.",
    )
    auth_header_value = fields.Char(
        string="Authentication Value",
        copy=False,
        groups="field_maintenance.group_field_manager",
        help="Value of the authentication header, e.g. 'Bearer 123abc'. Only managers can read "
        "it; it is added when a message is sent and is never stored in the outbox or logged.",
    )
    timeout = fields.Integer(
        string="Timeout (seconds)",
        default=30,
        required=True,
        help="How long to wait for the remote to answer before trying again later.",
    )
    field_ids = fields.Many2many(
        "ir.model.fields",
        "field_sync_endpoint_field_rel",
        "endpoint_id",
        "field_id",
        string="Fields to Send",
        domain=[
            ("model", "=", "field.work.order"),
            ("ttype", "not in", EXCLUDED_FIELD_TYPES),
        ],
        default=lambda self: self._default_field_ids(),
        help="Work-order fields written into each message. Lines and checklist items are sent "
        "in full, other related records as their id and name.",
    )
    include_report = fields.Boolean(
        string="Include Work-Order PDF",
        help="Attach the work-order PDF (base64) to each message. It is rendered when the "
        "message is sent, so the outbox stays small.",
    )
    include_attachments = fields.Boolean(
        help="Attach the files and photos of the work order (base64), as they are when the "
        "message is sent.",
    )
    max_attempts = fields.Integer(
        string="Maximum Attempts",
        default=15,
        required=True,
        help="After this many unsuccessful attempts a message is marked as failed; a manager "
        "can retry it. With the default delays, 15 attempts cover about two days.",
    )
    backoff_base = fields.Integer(
        string="First Retry Delay (seconds)",
        default=60,
        required=True,
        help="Delay before the first retry. Each following retry waits twice as long, up to "
        "6 hours, minus a random part of up to a quarter so that retries do not all arrive "
        "at once.",
    )
    message_ids = fields.One2many("field.sync.message", "endpoint_id", string="Messages")
    pending_count = fields.Integer(string="Pending", compute="_compute_message_counts")
    failed_count = fields.Integer(string="Failed", compute="_compute_message_counts")
    sent_count = fields.Integer(string="Sent", compute="_compute_message_counts")

    @api.model
    def _default_field_ids(self):
        fields_ = self.env["ir.model.fields"].search(
            [("model", "=", "field.work.order"), ("name", "in", DEFAULT_SYNC_FIELDS)]
        )
        return [Command.set(fields_.ids)]

    def _compute_message_counts(self):
        counts = {
            (endpoint.id, state): count
            for endpoint, state, count in self.env["field.sync.message"]._read_group(
                [("endpoint_id", "in", self.ids)],
                ["endpoint_id", "state"],
                ["__count"],
            )
        }
        for endpoint in self:
            endpoint.pending_count = counts.get((endpoint.id, "pending"), 0)
            endpoint.failed_count = counts.get((endpoint.id, "failed"), 0)
            endpoint.sent_count = counts.get((endpoint.id, "sent"), 0)

    @api.constrains("url")
    def _check_url(self):
        for endpoint in self:
            parts = urlsplit((endpoint.url or "").strip())
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ValidationError(
                    self.env._(
                        "The URL of endpoint %(name)s must be a complete http:// or https:// "
                        "address, e.g. https://erp.example.com/api/work-orders; "
                        "%(url)s is not.",
                        name=endpoint.name,
                        url=endpoint.url,
                    )
                )

    @api.constrains("timeout", "max_attempts", "backoff_base")
    def _check_numbers(self):
        for endpoint in self:
            if not 0 < endpoint.timeout <= 300:
                raise ValidationError(
                    self.env._(
                        "The timeout of endpoint %(name)s must be between 1 and 300 seconds.",
                        name=endpoint.name,
                    )
                )
            if endpoint.max_attempts < 1:
                raise ValidationError(
                    self.env._(
                        "Endpoint %(name)s needs at least one attempt per message.",
                        name=endpoint.name,
                    )
                )
            if endpoint.backoff_base < 1:
                raise ValidationError(
                    self.env._(
                        "The first retry delay of endpoint %(name)s must be at least one second.",
                        name=endpoint.name,
                    )
                )

    @api.constrains("auth_header_name")
    def _check_auth_header_name(self):
        for endpoint in self:
            name = endpoint.auth_header_name
            if name and (not name.isascii() or any(c in name for c in " :\t\r\n")):
                raise ValidationError(
                    self.env._(
                        "The authentication header of endpoint %(name)s must be a plain header "
                        "name such as Authorization or X-Api-Key, without spaces or a colon.",
                        name=endpoint.name,
                    )
                )

    # ------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------

    def write(self, vals):
        res = super().write(vals)
        if CONNECTION_FIELDS & vals.keys():
            # the configuration was fixed or changed: try the waiting messages now
            self.env["field.sync.message"].sudo()._fm_retry_endpoints_now(self.filtered("active"))
        return res

    @api.ondelete(at_uninstall=False)
    def _unlink_except_pending_messages(self):
        pending = (
            self.env["field.sync.message"]
            .sudo()
            .search_count([("endpoint_id", "in", self.ids), ("state", "=", "pending")], limit=1)
        )
        if pending:
            raise UserError(
                self.env._(
                    "An endpoint that still has messages waiting to be sent cannot be deleted. "
                    "Archive it, or cancel its pending messages first."
                )
            )

    # ------------------------------------------------------------------
    # Payload
    # ------------------------------------------------------------------

    def _fm_fields_to_send(self, model_name):
        """Names of the fields of ``model_name`` this endpoint sends."""
        self.ensure_one()
        model_fields = self.env[model_name]._fields
        return [
            field.name
            for field in self.sudo().field_ids
            if field.model == model_name
            and field.name in model_fields
            and model_fields[field.name].type not in EXCLUDED_FIELD_TYPES
        ]

    @api.model
    def _fm_format_datetime(self, value):
        return f"{value.isoformat()}Z" if value else None

    def _fm_serialize_value(self, record, field_name, nested=False):
        """JSON-ready value of ``record[field_name]``."""
        field = record._fields[field_name]
        value = record[field_name]
        ftype = field.type
        if ftype == "many2one":
            if not value:
                return None
            result = {"id": value.id, "name": value.display_name}
            for extra in MANY2ONE_EXTRA_FIELDS.get(value._name, ()):
                if extra in value._fields:
                    result[extra] = value[extra] or None
            return result
        if ftype in ("one2many", "many2many"):
            sub_fields = None if nested else SUBRECORD_FIELDS.get(field.comodel_name)
            if sub_fields:
                return [
                    {
                        "id": sub.id,
                        **{
                            name: self._fm_serialize_value(sub, name, nested=True)
                            for name in sub_fields
                            if name in sub._fields
                        },
                    }
                    for sub in value
                ]
            return [{"id": sub.id, "name": sub.display_name} for sub in value]
        if ftype == "reference":
            if not value:
                return None
            return {"model": value._name, "id": value.id, "name": value.display_name}
        if ftype == "datetime":
            return self._fm_format_datetime(value)
        if ftype == "date":
            return value.isoformat() if value else None
        if ftype == "boolean":
            return bool(value)
        if ftype in ("integer", "float", "monetary", "many2one_reference"):
            return value or 0
        if ftype == "properties":
            return field.convert_to_read(value, record) or []
        if ftype == "html":
            return str(value) if value else None
        return value if value is not False else None

    def _fm_build_payload(self, record, event, idempotency_key, enqueued_at):
        """The JSON document queued for ``record``: what the remote receives, except for the
        PDF and the attachments, which are added when the message is sent."""
        self.ensure_one()
        data = {
            name: self._fm_serialize_value(record, name)
            for name in self._fm_fields_to_send(record._name)
        }
        payload = {
            "event": event,
            "idempotency_key": idempotency_key,
            "model": record._name,
            "id": record.id,
            "display_name": record.display_name,
            "version": self._fm_format_datetime(record.write_date),
            "enqueued_at": self._fm_format_datetime(enqueued_at),
            "data": data,
        }
        return json.dumps(payload, default=str, ensure_ascii=False)

    # ------------------------------------------------------------------
    # Transport
    # ------------------------------------------------------------------

    def _fm_request_headers(self, idempotency_key, event):
        """Headers of a request. The authentication value is read here, at sending time,
        and never stored elsewhere or logged."""
        self.ensure_one()
        headers = {
            "Content-Type": "application/json; charset=utf-8",
            "Accept": "application/json",
            "User-Agent": "Odoo field_maintenance",
            "Idempotency-Key": idempotency_key,
            EVENT_HEADER: event or "sync",
        }
        endpoint = self.sudo()
        if endpoint.auth_header_name and endpoint.auth_header_value:
            headers[endpoint.auth_header_name.strip()] = endpoint.auth_header_value
        return headers

    def _fm_redact(self, text):
        """``text`` without the authentication value, e.g. an error page that echoes the
        request headers: errors are shown to users who may not read the credentials."""
        self.ensure_one()
        secret = self.sudo().auth_header_value
        if not text or not secret:
            return text
        # the whole value, and its token without the scheme ("Bearer", "Basic", ...)
        parts = {part for part in secret.split() if len(part) >= 8} | {secret}
        for part in sorted(parts, key=len, reverse=True):
            text = text.replace(part, "***")
        return text

    def _fm_post(self, body, headers, session=None):
        """POST ``body`` to the endpoint; raises ``requests.RequestException`` on timeouts
        and connection errors. Redirects are not followed: a POST that is redirected would
        become a GET and lose its body."""
        self.ensure_one()
        if isinstance(body, str):
            body = body.encode()
        return (session or requests).post(
            self.url.strip(),
            data=body,
            headers=headers,
            timeout=self.timeout,
            allow_redirects=False,
        )

    def _fm_retry_delay(self, attempts):
        """Seconds to wait after the ``attempts``-th unsuccessful attempt: exponential from
        ``backoff_base``, capped at 6 hours, with jitter."""
        self.ensure_one()
        exponent = min(max(attempts - 1, 0), 30)
        delay = min(self.backoff_base * 2**exponent, MAX_RETRY_DELAY)
        # whole seconds: datetimes are stored without microseconds
        return round(delay * (1 - RETRY_JITTER * random.random()))

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def action_test_connection(self):
        """Send a ``ping`` event (no work-order data) and tell the user what the remote said."""
        self.ensure_one()
        self.check_access("write")
        body = json.dumps(
            {
                "event": "ping",
                "endpoint": self.name,
                "sent_at": self._fm_format_datetime(fields.Datetime.now()),
            }
        )
        headers = self._fm_request_headers(f"ping-{uuid.uuid4()}", "ping")
        try:
            response = self._fm_post(body, headers)
        except requests.RequestException as exc:
            _logger.info(
                "Sync endpoint %s: test connection failed: %s", self.id, type(exc).__name__
            )
            return self._fm_notification(
                self.env._(
                    "Could not reach %(url)s: %(error)s", url=self.url, error=exc.__class__.__name__
                ),
                "danger",
            )
        if 200 <= response.status_code < 300:
            return self._fm_notification(
                self.env._(
                    "The remote answered %(code)s %(reason)s.",
                    code=response.status_code,
                    reason=response.reason or "",
                ),
                "success",
            )
        return self._fm_notification(
            self.env._(
                "The remote answered %(code)s %(reason)s: %(body)s",
                code=response.status_code,
                reason=response.reason or "",
                body=self._fm_redact((response.text or "")[:300]),
            ),
            "warning",
        )

    def _fm_notification(self, message, kind):
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("Test connection: %s", self.name),
                "message": message,
                "type": kind,
                "sticky": kind != "success",
            },
        }

    def _fm_action_messages(self, state=None):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "field_maintenance.action_field_sync_message"
        )
        action["domain"] = [("endpoint_id", "=", self.id)]
        context = {"default_endpoint_id": self.id}
        if state:
            context[f"search_default_{state}"] = 1
        action["context"] = context
        return action

    def action_view_pending_messages(self):
        return self._fm_action_messages("pending")

    def action_view_failed_messages(self):
        return self._fm_action_messages("failed")

    def action_view_sent_messages(self):
        return self._fm_action_messages("sent")
