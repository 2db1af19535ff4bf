import ipaddress
import json
import logging
import uuid
from itertools import repeat
from urllib.parse import urlsplit

import requests

from odoo import SUPERUSER_ID, Command, api, fields, models
from odoo.exceptions import UserError, ValidationError

from ..tools.sync_http import (
    forbidden_address,
)

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
# changing one of these on an endpoint retries its pending messages at once
CONNECTION_FIELDS = {"url", "auth_header_name", "auth_header_value", "active", "timeout"}
# system parameter (Settings > Field Service) that lets endpoints reach private networks
ALLOW_PRIVATE_PARAM = "field_maintenance.sync_allow_private_targets"
# bounds of one request
MAX_TIMEOUT = 300  # seconds, the whole request: connecting, sending and reading the reply
MAX_ATTEMPTS = 50  # per message; with the 6-hour cap of the backoff, about ten days
MAX_BACKOFF_BASE = 3600  # seconds


class FieldSyncEndpoint(models.Model):
    """An external system that receives work orders as JSON over HTTP(S).

    Messages are never sent from the transaction that queues them: ``_enqueue`` on
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
        help="Only the work orders of this company are sent to this endpoint. A system "
        "administrator can leave it empty to send the work orders of every company.",
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
        help="How long one request may take in total (connecting, sending the message and "
        "reading the answer) before it is tried again later; at most 300 seconds.",
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
    can_share = fields.Boolean(
        compute="_compute_can_share",
        help="Technical: whether the user may send the work orders of every company.",
    )
    field_labels = fields.Char(
        string="Fields Sent",
        compute="_compute_field_labels",
        help="Work-order fields written into each message; administrators choose them.",
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
        "can retry it. With the default delays, 15 attempts cover about two days; at most 50.",
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
        # sudo: Field Service managers may not read ir.model.fields; the model and the
        # field names are fixed in the code, the user only gets the ids of these fields
        fields_ = (
            self.env["ir.model.fields"]
            .sudo()
            .search([("model", "=", "field.work.order"), ("name", "in", DEFAULT_SYNC_FIELDS)])
        )
        return [Command.set(fields_.ids)]

    @api.depends_context("uid")
    def _compute_can_share(self):
        self.can_share = self.env.is_system()

    @api.depends("field_ids")
    def _compute_field_labels(self):
        for endpoint in self:
            # sudo: shows managers (who may not read ir.model.fields) the labels of the
            # fields their endpoint sends, nothing else of these records
            endpoint.field_labels = ", ".join(
                endpoint.sudo().field_ids.sorted("field_description").mapped("field_description")
            )

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
        allow_private = self._allow_private()
        for endpoint in self:
            parts = urlsplit((endpoint.url or "").strip())
            try:
                # reading the port raises ValueError when it is not a number
                hostname, _port = parts.hostname, parts.port
            except ValueError:
                hostname = None
            if parts.scheme not in ("http", "https") or not hostname:
                raise ValidationError(
                    self.env._(
                        "The URL of endpoint %(name)s must be a complete http:// or https:// "
                        "address, e.g. https://erp.example.com/api/work-orders; "
                        "%(url)s is not.",
                        name=endpoint.name,
                        url=endpoint.url,
                    )
                )
            if allow_private:
                continue
            # obvious local targets are refused when saving; every address is checked
            # again, resolved, when a request is sent
            try:
                literal = ipaddress.ip_address(hostname)
            except ValueError:
                literal = None
            local_name = hostname == "localhost" or hostname.endswith(".localhost")
            if local_name or (literal and forbidden_address(str(literal))):
                raise ValidationError(endpoint._refused_message(hostname))

    @api.constrains("timeout", "max_attempts", "backoff_base")
    def _check_numbers(self):
        for endpoint in self:
            if not 0 < endpoint.timeout <= MAX_TIMEOUT:
                raise ValidationError(
                    self.env._(
                        "The timeout of endpoint %(name)s must be between 1 and %(max)s seconds.",
                        name=endpoint.name,
                        max=MAX_TIMEOUT,
                    )
                )
            if not 0 < endpoint.max_attempts <= MAX_ATTEMPTS:
                raise ValidationError(
                    self.env._(
                        "Endpoint %(name)s needs between 1 and %(max)s attempts per message.",
                        name=endpoint.name,
                        max=MAX_ATTEMPTS,
                    )
                )
            if not 0 < endpoint.backoff_base <= MAX_BACKOFF_BASE:
                raise ValidationError(
                    self.env._(
                        "The first retry delay of endpoint %(name)s must be between one second "
                        "and %(max)s seconds.",
                        name=endpoint.name,
                        max=MAX_BACKOFF_BASE,
                    )
                )

    @api.constrains("company_id")
    def _check_shared_endpoint(self):
        # constraints run as superuser: the user is the one who writes
        if self.env.uid == SUPERUSER_ID or self.env.user._is_system():
            return
        for endpoint in self:
            if not endpoint.company_id:
                raise ValidationError(
                    self.env._(
                        "Only a system administrator can send the work orders of every "
                        "company to an endpoint: choose the company of endpoint %(name)s.",
                        name=endpoint.name,
                    )
                )

    def _check_can_change(self):
        """Only system administrators change an endpoint shared by all companies: it
        receives the work orders of every company."""
        if self.env.is_system():
            return
        for endpoint in self:
            if not endpoint.company_id:
                raise UserError(
                    self.env._(
                        "Only a system administrator can change endpoint %(name)s: it "
                        "receives the work orders of every company.",
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

    def _fetch_query(self, query, fields):
        """The credentials of an endpoint of every company are for system administrators:
        a manager of one company reads them as empty (as Odoo's private calendar events
        hide their fields from other users)."""
        records = super()._fetch_query(query, fields)
        secret = self._fields["auth_header_value"]
        if (
            secret in fields
            and not self.env.su
            and not self.env.user.has_group("base.group_system")
        ):
            shared = records.filtered(lambda endpoint: not endpoint.company_id)
            if shared:
                self.env.cache.update(shared, secret, repeat(False))
        return records

    def write(self, vals):
        self._check_can_change()
        res = super().write(vals)
        if CONNECTION_FIELDS & vals.keys():
            # the configuration was fixed or changed: try the waiting messages now
            # sudo: only moves the next try of the endpoints' pending messages
            self.env["field.sync.message"].sudo()._retry_endpoints_now(self.filtered("active"))
        return res

    @api.ondelete(at_uninstall=False)
    def _unlink_except_shared(self):
        self._check_can_change()

    @api.ondelete(at_uninstall=False)
    def _unlink_except_pending_messages(self):
        # sudo: only counts the pending messages of the endpoints being deleted
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
    # Actions
    # ------------------------------------------------------------------

    def action_test_connection(self):
        """Send a ``ping`` event (no work-order data) and tell the user what the remote said.
        The body of the answer is shown to system administrators only."""
        self.ensure_one()
        self.check_access("write")
        self._check_can_change()
        body = json.dumps(
            {
                "event": "ping",
                "endpoint": self.name,
                "sent_at": self._format_datetime(fields.Datetime.now()),
            }
        )
        headers = self._request_headers(f"ping-{uuid.uuid4()}", "ping")
        try:
            reply = self._post(body, headers)
        except UserError as exc:
            return self._notification(exc.args[0], "danger")
        except requests.RequestException as exc:
            _logger.info(
                "Sync endpoint %s: test connection failed: %s", self.id, type(exc).__name__
            )
            return self._notification(
                self.env._(
                    "Could not reach %(url)s: %(error)s", url=self.url, error=exc.__class__.__name__
                ),
                "danger",
            )
        if not self.env.user._is_system():
            return self._notification(
                self.env._(
                    "The remote answered %(code)s %(reason)s.",
                    code=reply.status_code,
                    reason=reply.standard_reason,
                ),
                "success" if 200 <= reply.status_code < 300 else "warning",
            )
        if 200 <= reply.status_code < 300:
            return self._notification(
                self.env._(
                    "The remote answered %(code)s %(reason)s.",
                    code=reply.status_code,
                    reason=reply.reason,
                ),
                "success",
            )
        return self._notification(
            self.env._(
                "The remote answered %(code)s %(reason)s: %(body)s",
                code=reply.status_code,
                reason=reply.reason,
                body=self._redact(reply.text[:300]),
            ),
            "warning",
        )

    def _notification(self, message, kind):
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

    def _action_messages(self, state=None):
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
        return self._action_messages("pending")

    def action_view_failed_messages(self):
        return self._action_messages("failed")

    def action_view_sent_messages(self):
        return self._action_messages("sent")
