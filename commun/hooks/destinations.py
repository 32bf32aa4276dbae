"""Where a webhook may be sent: a public address only, checked when it is registered and again
at each attempt, and the request sent to the very address that was checked.

Resolving at registration alone would let a name that later resolves to 127.0.0.1 or to a
cloud's metadata service (169.254.169.254) reach inside the server's network (DNS
rebinding): each attempt resolves again, refuses any private address, and connects to the
address it checked rather than letting the HTTP client resolve the name a second time.
`WEBHOOKS_ALLOW_PRIVATE_DESTINATIONS` lifts the refusal (a receiver on the same machine).
"""

import contextlib
import http.client
import ipaddress
import socket
import ssl
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

SCHEMES = {"http": 80, "https": 443}


@dataclass(frozen=True)
class Destination:
    scheme: str
    host: str
    port: int
    path: str
    address: str  # the checked IP address the request goes to


@dataclass(frozen=True)
class Answer:
    status: int | None  # None: no answer (refused, unreachable, timed out)
    duration_ms: int
    error: str = ""


def is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped  # ::ffff:127.0.0.1 is 127.0.0.1
    return not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_reserved
        or ip.is_multicast
        or ip.is_unspecified
        or not ip.is_global
    )


def check(url: str) -> Destination:
    """The destination `url` names, resolved; ValidationError on the `url` field if refused."""
    parts = urlsplit(url)
    try:
        port = parts.port or SCHEMES.get(parts.scheme)
    except ValueError:
        port = None
    if parts.scheme not in SCHEMES or not parts.hostname or port is None:
        raise ValidationError({"url": _("Saisissez une adresse http:// ou https:// complète.")})
    if parts.username or parts.password:
        raise ValidationError({"url": _("L'adresse ne doit pas contenir d'identifiants.")})
    try:
        found = socket.getaddrinfo(parts.hostname, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise ValidationError(
            {"url": _("Le nom « %(host)s » ne se résout pas.") % {"host": parts.hostname}}
        ) from None
    addresses = list(dict.fromkeys(info[4][0] for info in found))
    if not settings.WEBHOOKS_ALLOW_PRIVATE_DESTINATIONS:
        # Every address, not the first: the client could connect to any of them.
        private = [address for address in addresses if not is_public(address)]
        if private:
            raise ValidationError(
                {
                    "url": _(
                        "Cette adresse mène à un réseau privé ou local (%(address)s) : "
                        "les webhooks ne partent que vers Internet."
                    )
                    % {"address": private[0]}
                }
            )
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return Destination(parts.scheme, parts.hostname, port, path, addresses[0])


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, destination: Destination, timeout: float):
        super().__init__(destination.host, destination.port, timeout=timeout)
        self.address = destination.address

    def connect(self):
        self.sock = socket.create_connection((self.address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, destination: Destination, timeout: float):
        super().__init__(
            destination.host,
            destination.port,
            timeout=timeout,
            context=ssl.create_default_context(),
        )
        self.address = destination.address

    def connect(self):
        sock = socket.create_connection((self.address, self.port), self.timeout)
        # The certificate is checked against the name, though the address was resolved here.
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def post(url: str, body: bytes, headers: dict[str, str]) -> Answer:
    """POST `body` to `url` once, after checking its address again; never follows a redirect."""
    started = time.monotonic()

    def elapsed() -> int:
        return round((time.monotonic() - started) * 1000)

    try:
        destination = check(url)
    except ValidationError as error:
        return Answer(None, elapsed(), " ".join(error.messages))
    connection_class = (
        _PinnedHTTPSConnection if destination.scheme == "https" else _PinnedHTTPConnection
    )
    connection = connection_class(destination, timeout=settings.WEBHOOKS_TIMEOUT_SECONDS)
    # The timeout bounds each read; a receiver dripping a byte at a time would hold the
    # worker past its claim on the delivery (and another worker would send it again): the
    # whole exchange is cut at `deadline()`.
    cut = threading.Timer(deadline(), _cut, args=(connection,))
    cut.start()
    try:
        connection.request("POST", destination.path, body=body, headers=headers)
        response = connection.getresponse()
        response.read(4096)  # what the receiver says is not kept: its status is the answer
        return Answer(response.status, elapsed())
    except (OSError, http.client.HTTPException) as error:
        return Answer(None, elapsed(), f"{type(error).__name__}: {error}"[:300])
    finally:
        cut.cancel()
        connection.close()


def deadline() -> float:
    """How long one attempt may take in all, in seconds: well within a claim's lease
    (`Delivery._claim`: twice the timeout and 30 s)."""
    return settings.WEBHOOKS_TIMEOUT_SECONDS * 2


def _cut(connection) -> None:
    if connection.sock is not None:
        with contextlib.suppress(OSError):
            connection.sock.shutdown(socket.SHUT_RDWR)
