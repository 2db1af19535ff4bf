import json
import logging
import uuid
from datetime import timedelta

import requests

from odoo import api, fields, models
from odoo.tools import SQL

from ..tools.sync_http import (
    FAILED,
    RETRY,
    RETRY_ENDPOINT,
    SENT,
    SyncMessageTooLarge,
    SyncTargetRefused,
    classify_status,
)

_logger = logging.getLogger(__name__)

MESSAGE_STATES = [
    ("pending", "Pending"),
    ("sent", "Sent"),
    ("failed", "Failed"),
    ("cancelled", "Cancelled"),
]
CRON_XMLID = "field_maintenance.ir_cron_field_sync_send"
RETENTION_PARAM = "field_maintenance.sync_retention_days"
DEFAULT_RETENTION_DAYS = 90
ERROR_BODY_LENGTH = 1000
# the models whose records endpoints receive
SYNC_MODELS = ("field.work.order",)


class FieldSyncMessage(models.Model):
    """Outbox of the external sync: one message per work order and endpoint.

    Delivery rules:

    * ``_enqueue`` builds the JSON payload when the message is queued, so that later edits
      of the work order do not change what was queued. The work-order PDF and the attachments
      (when the endpoint asks for them) are added when the message is sent: rendering a PDF
      inside the transaction that changes a work order would make that transaction slow, and
      storing them would make the outbox large.
    * Idempotency key: a random UUID generated once when the message is queued, stored with a
      unique index and sent as the ``Idempotency-Key`` header on every attempt. Retries of the
      same message therefore carry the same key and the remote can ignore the repeats; two
      separate events on the same work order are two messages with two keys, even within one
      transaction (a deterministic key built from the work order and its ``write_date`` would
      merge them and drop the later state).
    * The cron ``_cron_send_due`` sends the due messages (pending, ``next_try`` reached, active
      endpoint), oldest first, one message per work order and endpoint at a time so that the
      remote receives the events of a work order in order. Before calling the remote it
      records the attempt and the next try and commits: the network call runs outside any
      open transaction, and a worker that dies during the call leaves the message pending for
      a later retry rather than losing it.
    * 2xx: sent. 409: sent (the remote already has this idempotency key). Timeouts,
      connection errors, redirects, 401, 403, 404, 405, 407, 410, 421, 429, 502, 503, 504: the
      endpoint cannot take messages now; the message is retried with backoff and the other due
      messages of the endpoint wait until the same moment, without using up their attempts.
      408, 425 and other 5xx: this message is retried with backoff. Other 4xx (400, 413, 422,
      ...): the remote refuses the message; it is failed at once.
    * Backoff: ``backoff_base`` x 2^(attempts - 1) seconds, capped at 6 hours, minus up to 25%
      jitter. After ``max_attempts`` unsuccessful attempts the message is failed; a manager can
      retry it. A remote that is down for hours loses nothing: its messages stay pending.

    Security: messages are created by the module only (``_enqueue``, for work orders the
    triggering user may read); users cannot create or write them, managers retry or cancel
    them (``action_retry``, ``action_cancel``: the state only). The body is built only for
    work orders of the message's company, which must be the endpoint's. The remote's answer
    is kept in ``last_response``, readable by system administrators only: ``last_error``,
    which dispatchers read, never contains text chosen by the remote (see
    ``field.sync.endpoint`` for the addresses endpoints may reach).
    """

    _name = "field.sync.message"
    _inherit = ["field.bookkeeping.mixin"]
    _retention_param = RETENTION_PARAM
    _retention_default = DEFAULT_RETENTION_DAYS
    _description = "Outbox Message"
    _order = "id desc"

    endpoint_id = fields.Many2one(
        "field.sync.endpoint",
        required=True,
        readonly=True,
        index=True,
        ondelete="cascade",
    )
    company_id = fields.Many2one("res.company", required=True, readonly=True, index=True)
    res_model = fields.Char(string="Document Model", required=True, readonly=True)
    res_id = fields.Many2oneReference(
        string="Document ID", model_field="res_model", required=True, readonly=True
    )
    record_name = fields.Char(string="Document", readonly=True)
    event = fields.Char(readonly=True)
    idempotency_key = fields.Char(
        required=True,
        readonly=True,
        copy=False,
        help="Generated once when the message is queued and sent as the Idempotency-Key header "
        "on every attempt, so that the remote can recognise a message it already received.",
    )
    payload = fields.Text(
        readonly=True,
        help="JSON body as queued. The work-order PDF and attachments, if the endpoint "
        "includes them, are added when the message is sent.",
    )
    payload_pretty = fields.Text(string="Payload (formatted)", compute="_compute_payload_pretty")
    state = fields.Selection(
        MESSAGE_STATES,
        string="Status",
        required=True,
        default="pending",
        readonly=True,
        index=True,
    )
    attempts = fields.Integer(readonly=True)
    max_attempts = fields.Integer(related="endpoint_id.max_attempts")
    # indexed by the partial index _due_idx below (pending messages only)
    next_try = fields.Datetime(readonly=True, default=lambda self: fields.Datetime.now())
    last_try = fields.Datetime(readonly=True)
    last_error = fields.Text(readonly=True)
    last_response = fields.Text(
        string="Last Answer of the Remote",
        readonly=True,
        groups="base.group_system",
        help="Beginning of what the remote answered to the last attempt, or the detail of "
        "the connection error. Only system administrators read it: it is text chosen by the "
        "remote system.",
    )
    sent_on = fields.Datetime(readonly=True)
    response_code = fields.Integer(readonly=True)

    _idempotency_key_unique = models.Constraint(
        "UNIQUE(idempotency_key)",
        "The idempotency key of an outbox message must be unique.",
    )
    _due_idx = models.Index("(next_try, id) WHERE state = 'pending'")
    _pending_document_idx = models.Index(
        "(endpoint_id, res_id, res_model, id) WHERE state = 'pending'"
    )

    @api.depends("record_name", "endpoint_id.name")
    def _compute_display_name(self):
        for message in self:
            message.display_name = f"{message.record_name or ''} → {message.endpoint_id.name}"

    @api.depends("payload")
    def _compute_payload_pretty(self):
        for message in self:
            try:
                message.payload_pretty = json.dumps(
                    json.loads(message.payload or "null"), indent=2, ensure_ascii=False
                )
            except ValueError:
                message.payload_pretty = message.payload

    # ------------------------------------------------------------------
    # Queueing
    # ------------------------------------------------------------------

    @api.model
    def _enqueue(self, records, endpoint, event=None):
        """Queue one message per record for ``endpoint`` and wake the outbox cron.

        :param records: recordset of ``field.work.order`` (any size; read as superuser once
            the caller's read access is checked, which is a no-op when the caller is sudo)
        :param endpoint: one ``field.sync.endpoint`` record; nothing is queued when it is
            empty or archived
        :param event: short text naming what happened (e.g. ``"wo_completed"``), sent in the
            payload and the ``X-Field-Maintenance-Event`` header; defaults to ``"sync"``
        :return: the created ``field.sync.message`` records (sudo), in the order of
            ``records``; records of another company than the endpoint's are skipped

        All messages are created with one ``create`` call; the payload is built now. Nothing
        is sent here: the cron sends after this transaction commits; it is triggered to run
        now unless a trigger for now is already waiting.
        """
        # sudo: an empty recordset, to return the same environment in every case
        nothing = self.sudo().browse()
        if not records or not endpoint:
            return nothing
        endpoint.ensure_one()
        records.check_access("read")
        # sudo: the endpoint is chosen by the rule's action (system administrators); its
        # configuration is read to build the payload, never shown to the user
        endpoint = endpoint.sudo()
        if not endpoint.active:
            return nothing
        if records._name not in SYNC_MODELS:
            _logger.warning(
                "Endpoint %s: %s records are not sent, only %s.",
                endpoint.id,
                records._name,
                ", ".join(SYNC_MODELS),
            )
            return nothing
        # sudo: the caller's read access was checked above; the payload holds the fields
        # a manager chose among the work-order fields
        records = records.sudo()
        if endpoint.company_id:
            records = records.filtered(lambda r: r.company_id == endpoint.company_id)
        event = event or "sync"
        now = fields.Datetime.now()
        vals_list = []
        for record in records:
            key = str(uuid.uuid4())
            vals_list.append(
                {
                    "endpoint_id": endpoint.id,
                    "company_id": record.company_id.id,
                    "res_model": record._name,
                    "res_id": record.id,
                    "record_name": record.display_name,
                    "event": event,
                    "idempotency_key": key,
                    "payload": endpoint._build_payload(record, event, key, now),
                    "next_try": now,
                }
            )
        # sudo: users cannot create messages; the values above come from the records and
        # the endpoint only
        messages = self.sudo().create(vals_list)
        if messages:
            self._trigger_cron()
        return messages

    @api.model
    def _trigger_cron(self, at=None):
        """Wake the outbox cron now, or at ``at``, unless it is already due to run then."""
        cron = self.env.ref(CRON_XMLID, raise_if_not_found=False)
        if not cron:
            return
        now = fields.Datetime.now()
        if at is None or at <= now:
            at, domain = now, [("call_at", "<=", now)]
        else:
            domain = [("call_at", ">=", at), ("call_at", "<=", at + timedelta(minutes=1))]
        # sudo: only looks for and adds a wake-up call of the outbox cron
        Trigger = self.env["ir.cron.trigger"].sudo()
        if not Trigger.search_count([("cron_id", "=", cron.id), *domain], limit=1):
            cron.sudo()._trigger(at)

    @api.model
    def _retry_endpoints_now(self, endpoints):
        """Make the waiting messages of ``endpoints`` due now (their configuration changed)."""
        if not endpoints:
            return
        # sudo: called after a manager changed the endpoints; only moves the next try
        waiting = self.sudo().search(
            [
                ("endpoint_id", "in", endpoints.ids),
                ("state", "=", "pending"),
                ("next_try", ">", fields.Datetime.now()),
            ]
        )
        if waiting:
            waiting.write({"next_try": fields.Datetime.now()})
            self._trigger_cron()

    # ------------------------------------------------------------------
    # Sending
    # ------------------------------------------------------------------

    def _due_sql(self, select, now, limit=None):
        """Pending messages of active endpoints whose next try has come, and that are the
        oldest pending message of their document on their endpoint."""
        return SQL(
            """
            SELECT %(select)s
              FROM field_sync_message m
              JOIN field_sync_endpoint e ON e.id = m.endpoint_id
             WHERE m.state = 'pending'
               AND m.next_try <= %(now)s
               AND e.active
               AND NOT EXISTS (
                   SELECT 1
                     FROM field_sync_message o
                    WHERE o.state = 'pending'
                      AND o.endpoint_id = m.endpoint_id
                      AND o.res_id = m.res_id
                      AND o.res_model = m.res_model
                      AND o.id < m.id
               )
            %(order)s
            """,
            select=select,
            now=now,
            order=SQL("ORDER BY m.next_try, m.id LIMIT %s", limit) if limit else SQL(),
        )

    @api.model
    def _due_messages(self, limit=None):
        self.env["field.sync.message"].flush_model()
        self.env["field.sync.endpoint"].flush_model(["active"])
        rows = self.env.execute_query(
            self._due_sql(SQL("m.id"), fields.Datetime.now(), limit=limit)
        )
        return self.browse([row[0] for row in rows])

    @api.model
    def _due_count(self):
        self.env["field.sync.message"].flush_model()
        self.env["field.sync.endpoint"].flush_model(["active"])
        rows = self.env.execute_query(self._due_sql(SQL("COUNT(*)"), fields.Datetime.now()))
        return rows[0][0]

    @api.model
    def _cron_send_due(self, batch_size=100):
        """Cron: send the due messages, ``batch_size`` at a time, committing after each."""
        # sudo: the scheduler sends the messages of every company; each body is checked
        # against its endpoint's company in _document_refusal
        Messages = self.sudo()
        messages = Messages._due_messages(limit=batch_size)
        if not messages:
            return
        cron = self.env["ir.cron"]
        cron._commit_progress(remaining=Messages._due_count())
        with self.env["field.sync.endpoint"]._new_session() as session:
            messages._send(session)
        # whatever is due now (the rest of a batch, newer messages of the same work orders)
        # makes the cron run again at once
        cron._commit_progress(remaining=Messages._due_count())

    def _send(self, session=None):
        """Send ``self`` in order. Commits before and after each network call (through
        ``ir.cron._commit_progress``): only the cron calls this."""
        cron = self.env["ir.cron"]
        postponed_endpoints = set()
        for message in self:
            if message.endpoint_id.id in postponed_endpoints:
                continue
            try:
                outcome = message._send_one(session)
            except Exception as exc:  # noqa: BLE001 - one message must not stop the others
                # a bug, or the database refused an update: keep the message pending, not due
                # again at once, and go on with the others
                _logger.exception("Outbox message %s could not be processed", message.id)
                self.env.cr.rollback()
                message._defer_after_error(exc)
                outcome = RETRY
            if outcome == RETRY_ENDPOINT:
                postponed_endpoints.add(message.endpoint_id.id)
            if not cron._commit_progress(1):
                break

    def _defer_after_error(self, error):
        """After an unexpected error (and a rollback): try ``self`` again later."""
        self.ensure_one()
        self.invalidate_recordset()
        if self.state != "pending":
            return
        now = fields.Datetime.now()
        retry_at = now + timedelta(seconds=self.endpoint_id._retry_delay(max(self.attempts, 1)))
        self.write(
            {
                "next_try": max(self.next_try or now, retry_at),
                "last_error": self.env._("Could not process the message: %s", error),
            }
        )

    def _send_one(self, session=None):
        """One attempt to deliver ``self``; returns its outcome, or None when the message is
        no longer pending (cancelled meanwhile) or is being processed elsewhere."""
        self.ensure_one()
        if not self.try_lock_for_update(allow_referencing=True):
            return None
        self.invalidate_recordset()
        if self.state != "pending":
            return None
        endpoint = self.endpoint_id
        now = fields.Datetime.now()
        attempts = self.attempts + 1
        # on record and committed before anything that can take long or crash: building
        # the body (PDF, attachments) and calling the remote. A worker that is killed
        # meanwhile leaves the message pending for its next try, with the same key,
        # instead of first in line again for ever.
        self.write(
            {
                "attempts": attempts,
                "last_try": now,
                "next_try": now + timedelta(seconds=endpoint._retry_delay(attempts)),
            }
        )
        self.env["ir.cron"]._commit_progress()
        refusal = self._document_refusal()
        if refusal:
            return self._record_outcome(FAILED, error=refusal)
        body, error = None, None
        try:
            with self.env.cr.savepoint():
                body = self._body()
        except SyncMessageTooLarge as exc:
            return self._record_outcome(FAILED, error=exc.args[0])
        except Exception as exc:  # noqa: BLE001 - a rendering error must not stop the outbox
            _logger.warning(
                "Outbox message %s: could not build the body: %s", self.id, exc, exc_info=True
            )
            error = self.env._("Could not prepare the message: %s", exc)
        if body is None:
            return self._record_outcome(RETRY, error=error)
        headers = endpoint._request_headers(self.idempotency_key, self.event)
        try:
            reply = endpoint._post(body, headers, session)
        except SyncMessageTooLarge as exc:
            return self._record_outcome(FAILED, error=exc.args[0])
        except SyncTargetRefused as exc:
            return self._record_outcome(RETRY_ENDPOINT, error=exc.args[0])
        except requests.RequestException as exc:
            return self._record_outcome(
                RETRY_ENDPOINT,
                error=self.env._("No answer from the remote (%s).", type(exc).__name__),
                response=f"{type(exc).__name__}: {exc}",
            )
        outcome = classify_status(reply.status_code)
        error = False
        if outcome != SENT:
            error = self.env._(
                "The remote answered %(code)s %(reason)s.",
                code=reply.status_code,
                reason=reply.standard_reason,
            )
        return self._record_outcome(
            outcome,
            code=reply.status_code,
            error=error,
            response=f"{reply.status_code} {reply.reason}\n{reply.text}".strip(),
        )

    def _record_outcome(self, outcome, code=0, error=False, response=False):
        self.ensure_one()
        endpoint = self.endpoint_id
        error = endpoint._redact(error or False)
        vals = {
            "response_code": code,
            "last_error": error,
            "last_response": endpoint._redact((response or "")[:ERROR_BODY_LENGTH]) or False,
        }
        if outcome == SENT:
            vals.update(state="sent", sent_on=fields.Datetime.now())
        elif outcome == FAILED:
            vals["state"] = "failed"
        elif self.attempts >= self.endpoint_id.max_attempts:
            vals["state"] = "failed"
            vals["last_error"] = self.env._(
                "Gave up after %(attempts)s attempts. Last error: %(error)s",
                attempts=self.attempts,
                error=error,
            )
        self.write(vals)
        if outcome == RETRY_ENDPOINT:
            self._postpone_endpoint()
        if self.state == "pending":
            self._trigger_cron(self.next_try)
        _logger.info(
            "Outbox message %s (endpoint %s, attempt %s): %s%s",
            self.id,
            self.endpoint_id.id,
            self.attempts,
            outcome,
            f" (HTTP {code})" if code else "",
        )
        return outcome

    def _postpone_endpoint(self):
        """The endpoint of ``self`` cannot take messages now: its other pending messages wait
        until ``self`` is tried again, without using up their attempts."""
        self.ensure_one()
        waiting = self.search(
            [
                ("endpoint_id", "=", self.endpoint_id.id),
                ("state", "=", "pending"),
                ("next_try", "<", self.next_try),
                ("id", "!=", self.id),
            ]
        )
        waiting.write({"next_try": self.next_try})

    # ------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------

    def _manager_refusal(self):
        return self.env._("Only Field Service managers can retry or cancel outbox messages.")

    def action_retry(self):
        """Managers: send again from the first attempt: failed, cancelled, or pending and
        waiting."""
        if self._write_state_as_manager(
            ("pending", "failed", "cancelled"),
            {"state": "pending", "attempts": 0, "next_try": fields.Datetime.now()},
        ):
            self._trigger_cron()
        return True

    def action_cancel(self):
        """Managers: stop trying; the message stays in the outbox, cancelled."""
        self._write_state_as_manager(("pending", "failed"), {"state": "cancelled"})
        return True

    def action_open_document(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": self.res_model,
            "res_id": self.res_id,
            "views": [(False, "form")],
        }
