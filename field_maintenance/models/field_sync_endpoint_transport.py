import random
from time import monotonic
from urllib.parse import urlsplit

import requests

from odoo import api, models
from odoo.tools import str2bool

from ..tools.sync_http import (
    SyncMessageTooLarge,
    SyncReply,
    SyncTargetRefused,
    SyncTotalTimeout,
    forbidden_address,
    guarded_session,
    resolve_host,
)
from .field_sync_endpoint import ALLOW_PRIVATE_PARAM

MAX_RETRY_DELAY = 6 * 3600  # seconds: the backoff never waits longer than this
RETRY_JITTER = 0.25  # a retry waits between 75% and 100% of its nominal delay
EVENT_HEADER = "X-Field-Maintenance-Event"
MAX_REQUEST_BYTES = 20 * 1024 * 1024  # body sent, PDF and attachments included
MAX_REPLY_BYTES = 64 * 1024  # reply read; the rest is not downloaded
READ_CHUNK_BYTES = 8 * 1024


class FieldSyncEndpoint(models.Model):
    """How an endpoint sends: headers, the checks of the target address and size, the
    POST with its time limits, and the delay before a retry."""

    _inherit = "field.sync.endpoint"  # pylint: disable=consider-merging-classes-inherited

    # ------------------------------------------------------------------
    # Transport
    # ------------------------------------------------------------------

    def _request_headers(self, idempotency_key, event):
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
        # sudo: the credentials are read to send them, never returned to the user
        endpoint = self.sudo()
        if endpoint.auth_header_name and endpoint.auth_header_value:
            headers[endpoint.auth_header_name.strip()] = endpoint.auth_header_value
        return headers

    def _redact(self, text):
        """``text`` without the authentication value, e.g. an error page that echoes the
        request headers: errors are shown to users who may not read the credentials."""
        self.ensure_one()
        # sudo: the credentials are read to remove them from the text, never returned
        secret = self.sudo().auth_header_value
        if not text or not secret:
            return text
        # the whole value, and its token without the scheme ("Bearer", "Basic", ...)
        parts = {part for part in secret.split() if len(part) >= 8} | {secret}
        for part in sorted(parts, key=len, reverse=True):
            text = text.replace(part, "***")
        return text

    @api.model
    def _allow_private(self):
        """Whether a system administrator allowed endpoints in private networks."""
        # sudo: reads a flag that only system administrators set (Settings)
        return str2bool(
            self.env["ir.config_parameter"].sudo().get_param(ALLOW_PRIVATE_PARAM) or "False",
            default=False,
        )

    def _refused_message(self, host, address=None):
        self.ensure_one()
        return self.env._(
            "Endpoint %(name)s points to %(host)s%(address)s, an address in a private, local "
            "or reserved network. Such addresses are refused unless a system administrator "
            "allows them in the settings (Settings > Field Service).",
            name=self.name,
            host=host,
            address=f" ({address})" if address and address != host else "",
        )

    def _check_target(self, allow_private=None):
        """Resolve the host of the URL and refuse forbidden addresses (see
        ``forbidden_address``) unless private targets are allowed. Raises
        ``SyncTargetRefused``, or ``requests.ConnectionError`` when the host does not
        resolve."""
        self.ensure_one()
        if allow_private is None:
            allow_private = self._allow_private()
        if allow_private:
            return
        parts = urlsplit(self.url.strip())
        host = parts.hostname
        try:
            port = parts.port or (443 if parts.scheme == "https" else 80)
            addresses = resolve_host(host, port)
        except (OSError, UnicodeError, ValueError) as exc:
            raise requests.exceptions.ConnectionError(f"Cannot resolve {host}") from exc
        for address in addresses:
            if forbidden_address(address):
                raise SyncTargetRefused(self._refused_message(host, address))

    @api.model
    def _new_session(self):
        """A requests session that refuses forbidden addresses on the connections
        themselves and bounds the total time of each request (see ``RequestGuard``)."""
        return guarded_session(self._allow_private())

    def _check_request_size(self, size):
        if size > MAX_REQUEST_BYTES:
            raise SyncMessageTooLarge(
                self.env._(
                    "The message is %(size)s MB, more than the %(max)s MB a message may have: "
                    "send fewer attachments to endpoint %(name)s.",
                    size=round(size / 1024 / 1024, 1),
                    max=MAX_REQUEST_BYTES // 1024 // 1024,
                    name=self.name,
                )
            )

    @api.model
    def _read_reply(self, response, deadline):
        """At most ``MAX_REPLY_BYTES`` of the body of ``response`` (streamed), read before
        ``deadline``; the rest is not downloaded."""
        if monotonic() > deadline:
            raise SyncTotalTimeout("The whole request took longer than the timeout")
        chunks, size = [], 0
        for chunk in response.iter_content(chunk_size=READ_CHUNK_BYTES):
            if monotonic() > deadline:
                raise SyncTotalTimeout("The whole request took longer than the timeout")
            chunk = chunk[: MAX_REPLY_BYTES - size]
            chunks.append(chunk)
            size += len(chunk)
            if size >= MAX_REPLY_BYTES:
                break
        return b"".join(chunks).decode(response.encoding or "utf-8", errors="replace")

    def _post(self, body, headers, session=None):
        """POST ``body`` to the endpoint and return a ``SyncReply``.

        Raises ``SyncTargetRefused`` for an address endpoints may not reach,
        ``SyncMessageTooLarge`` for a body over ``MAX_REQUEST_BYTES``, and
        ``requests.RequestException`` on timeouts (``SyncTotalTimeout`` when the whole
        request took longer than the endpoint's timeout) and connection errors. Redirects
        are not followed: a POST that is redirected would become a GET and lose its body,
        and a redirect could lead to a forbidden address."""
        self.ensure_one()
        if isinstance(body, str):
            body = body.encode()
        self._check_request_size(len(body))
        own_session = session is None or getattr(session, "fm_guard", None) is None
        if own_session:
            session = self._new_session()
        guard = session.fm_guard
        try:
            self._check_target(guard.allow_private)
            deadline = monotonic() + self.timeout
            timer = guard.start(self.timeout)
            try:
                response = session.post(
                    self.url.strip(),
                    data=body,
                    headers=headers,
                    # per read; the whole request is bounded by the guard's timer
                    timeout=self.timeout,
                    allow_redirects=False,
                    stream=True,
                )
                try:
                    text = self._read_reply(response, deadline)
                finally:
                    response.close()
            except SyncTargetRefused as exc:  # refused on the connected socket
                raise SyncTargetRefused(
                    self._refused_message(urlsplit(self.url.strip()).hostname, exc.args[0])
                ) from exc
            except requests.RequestException as exc:
                if guard.expired and not isinstance(exc, SyncTotalTimeout):
                    raise SyncTotalTimeout(
                        "The whole request took longer than the timeout"
                    ) from exc
                raise
            finally:
                guard.stop(timer)
        finally:
            if own_session:
                session.close()
        return SyncReply(response.status_code, response.reason or "", text)

    def _retry_delay(self, attempts):
        """Seconds to wait after the ``attempts``-th unsuccessful attempt: exponential from
        ``backoff_base``, capped at 6 hours, with jitter."""
        self.ensure_one()
        exponent = min(max(attempts - 1, 0), 30)
        delay = min(self.backoff_base * 2**exponent, MAX_RETRY_DELAY)
        # whole seconds: datetimes are stored without microseconds
        return round(delay * (1 - RETRY_JITTER * random.random()))
