"""HTTP of the outbound sync: requests that cannot reach private networks and are bounded
in time, and what an answer means for the message and its endpoint."""

import ipaddress
import logging
import socket
import threading
from dataclasses import dataclass
from http import HTTPStatus

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from odoo.exceptions import UserError

_logger = logging.getLogger(__name__)

# outcome of one delivery attempt
SENT = "sent"  # delivered (2xx), or already delivered earlier (409 on the same key)
FAILED = "failed"  # the remote refuses this message for good (most 4xx)
RETRY = "retry"  # something went wrong with this message; try it again later
RETRY_ENDPOINT = "retry_endpoint"  # the endpoint cannot take messages now; try all later
# answers meaning that the endpoint as a whole cannot take messages now: wrong URL or
# credentials (fixed by a manager), rate limit, or the remote is down or behind a failing proxy
ENDPOINT_ERROR_CODES = frozenset({401, 403, 404, 405, 407, 410, 421, 429, 502, 503, 504})
# answers about this request only, worth trying again
MESSAGE_RETRY_CODES = frozenset({408, 425})


def classify_status(status_code):
    """Outcome of an HTTP answer, see the constants above."""
    if 200 <= status_code < 300 or status_code == 409:
        return SENT
    if 300 <= status_code < 400 or status_code in ENDPOINT_ERROR_CODES:
        return RETRY_ENDPOINT
    if status_code in MESSAGE_RETRY_CODES or status_code >= 500:
        return RETRY
    return FAILED


class SyncTargetRefused(UserError):
    """The endpoint's address is in a network endpoints may not reach."""


class SyncMessageTooLarge(UserError):
    """The body of a message is larger than an endpoint may send."""


class SyncTotalTimeout(requests.exceptions.Timeout):
    """The request took longer than the endpoint's timeout in total."""


@dataclass
class SyncReply:
    """What the remote answered: the status and the beginning of the body."""

    status_code: int
    reason: str
    text: str

    @property
    def standard_reason(self):
        """The standard phrase of the status: the remote's own reason phrase is text it
        chose, shown to system administrators only."""
        try:
            return HTTPStatus(self.status_code).phrase
        except ValueError:
            return ""


def forbidden_address(address):
    """Whether ``address`` (an IP address as text) is loopback, private, link-local,
    multicast, reserved or otherwise not a public internet address."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return True
    if ip.version == 6:
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo and ip.teredo[1])
        if embedded and forbidden_address(str(embedded)):
            return True
    return (
        ip.is_loopback
        or ip.is_private
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )


def resolve_host(host, port):
    """The IP addresses ``host`` resolves to (a seam for tests)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return [info[4][0] for info in infos]


class RequestGuard:
    """Guards the requests of one session, on the connections themselves.

    * A connection to a forbidden address is refused on the connected socket: a host name
      that resolved to a public address when it was checked and to a private one when
      urllib3 resolves it again (DNS rebinding) is still refused.
    * ``start`` arms a timer for the whole request: when it expires, the sockets of the
      request are shut down, which interrupts a remote that answers slowly byte by byte
      (the per-read timeout of requests would let it go on forever).

    Requests that go through a proxy (HTTP(S)_PROXY) connect to the proxy: the target is
    then only checked when the host name is resolved before the request.
    """

    def __init__(self, allow_private):
        self.allow_private = allow_private
        self._lock = threading.Lock()
        self._token = 0
        self._active = False
        self._expired = False
        self._sockets = []

    def start(self, seconds):
        with self._lock:
            self._token += 1
            self._active, self._expired, self._sockets = True, False, []
            token = self._token
        timer = threading.Timer(seconds, self._expire, args=(token,))
        timer.daemon = True
        timer.start()
        return timer

    def stop(self, timer):
        timer.cancel()
        with self._lock:
            self._active, self._sockets = False, []

    @property
    def expired(self):
        return self._expired

    def _expire(self, token):
        with self._lock:
            if token != self._token or not self._active:
                return
            self._expired = True
            for sock in self._sockets:
                self._shutdown(sock)

    @staticmethod
    def _shutdown(sock):
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError as exc:  # already closed by the other side
            _logger.debug("Sync request: socket already closed: %s", exc)

    def register(self, sock):
        with self._lock:
            if not self._active:
                return
            self._sockets.append(sock)
            if self._expired:
                self._shutdown(sock)

    def check_peer(self, sock):
        if self.allow_private:
            return
        address = sock.getpeername()[0]
        if forbidden_address(address):
            raise SyncTargetRefused(address)


def _guarded_pool_classes(guard):
    class GuardedConnectionMixin:
        def _new_conn(self):
            sock = super()._new_conn()
            try:
                guard.check_peer(sock)
                guard.register(sock)
            except Exception:
                sock.close()
                raise
            return sock

        def request(self, *args, **kwargs):
            if self.sock is not None:  # a connection kept alive from an earlier request
                guard.register(self.sock)
            return super().request(*args, **kwargs)

    class GuardedHTTPConnection(GuardedConnectionMixin, HTTPConnection):
        pass

    class GuardedHTTPSConnection(GuardedConnectionMixin, HTTPSConnection):
        pass

    class GuardedHTTPConnectionPool(HTTPConnectionPool):
        ConnectionCls = GuardedHTTPConnection

    class GuardedHTTPSConnectionPool(HTTPSConnectionPool):
        ConnectionCls = GuardedHTTPSConnection

    return {"http": GuardedHTTPConnectionPool, "https": GuardedHTTPSConnectionPool}


class GuardedAdapter(HTTPAdapter):
    def __init__(self, guard):
        self.fm_guard = guard
        super().__init__(max_retries=0)

    def init_poolmanager(self, *args, **kwargs):
        res = super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = _guarded_pool_classes(self.fm_guard)
        return res


def guarded_session(allow_private):
    """A requests session that refuses forbidden addresses on the connections themselves
    and bounds the total time of each request (see ``RequestGuard``): its guard is
    ``session.fm_guard``."""
    guard = RequestGuard(allow_private)
    session = requests.Session()
    adapter = GuardedAdapter(guard)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.fm_guard = guard
    return session
