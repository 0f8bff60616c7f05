"""Where a webhook may be sent: https URLs whose host resolves only to public addresses.

A webhook is a request this server makes to a URL an organizer typed, so without these rules it
is a way to reach what only this server can reach: its own ports, the cloud metadata service
(169.254.169.254), the office network. The host is resolved and every address it gives is
checked, never the text: 0x7f000001, 2130706433 and 0177.0.0.1 all resolve to 127.0.0.1. The
check runs when the URL is saved and again before every delivery (DNS answers change), and the
delivery connects to the very address that was checked (transport.py), so a rebinding DNS server
cannot swap in an internal one between the check and the connection.

WEBHOOK_ALLOW_INSECURE (development and tests only) also allows http:// and loopback addresses,
for a receiver on this machine; private and link-local addresses stay refused even then.
"""

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask import current_app

# NAT64 (RFC 6052) carries an IPv4 address in its last 32 bits.
NAT64 = ipaddress.ip_network("64:ff9b::/96")


class TargetRefused(Exception):
    """The URL may not be used. `category` is "scheme", "dns" or "blocked"."""

    def __init__(self, category: str):
        super().__init__(category)
        self.category = category


@dataclass(frozen=True)
class Target:
    """A checked URL: the name to send in Host and to verify TLS against, and the addresses
    (all checked) to connect to."""

    scheme: str
    host: str
    port: int
    path: str
    addresses: tuple[str, ...]


def _insecure_allowed() -> bool:
    return bool(current_app.config.get("WEBHOOK_ALLOW_INSECURE"))


def allowed_schemes() -> tuple[str, ...]:
    return ("http", "https") if _insecure_allowed() else ("https",)


def _embedded_ipv4(address: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if address.ipv4_mapped:
        return address.ipv4_mapped
    if address.sixtofour:
        return address.sixtofour
    if address.teredo:
        return address.teredo[1]
    if address in NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def address_allowed(text: str, allow_loopback: bool = False) -> bool:
    """True when `text` (an address as the resolver gives it) is a public unicast address."""
    try:
        address = ipaddress.ip_address(text.split("%", 1)[0])  # drop an IPv6 zone ("fe80::1%eth0")
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(address)
        if embedded is not None and not address_allowed(str(embedded), allow_loopback):
            return False
        if address.ipv4_mapped:
            return True  # ::ffff:a.b.c.d is a.b.c.d, checked just above
    if address.is_loopback:
        return allow_loopback
    refused = (
        address.is_private
        or address.is_link_local
        or address.is_multicast
        or address.is_reserved
        or address.is_unspecified
        or (isinstance(address, ipaddress.IPv6Address) and address.is_site_local)
    )
    return address.is_global and not refused


def resolve(host: str, port: int) -> list[str]:
    """Every address `host` resolves to (numeric forms included), in the resolver's order."""
    answers = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses = []
    for _family, _type, _proto, _name, sockaddr in answers:
        if sockaddr[0] not in addresses:
            addresses.append(str(sockaddr[0]))
    return addresses


def parse(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, path with query) of a URL this server may send to, else refused."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise TargetRefused("scheme") from None
    scheme = parts.scheme.lower()
    if (
        scheme not in allowed_schemes()
        or not parts.hostname
        or parts.username is not None  # https://trusted.example@10.0.0.1/ reads as trusted
        or any(c.isspace() or ord(c) < 0x20 for c in url)
    ):
        raise TargetRefused("scheme")
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    return scheme, parts.hostname, port or (443 if scheme == "https" else 80), path


def check(url: str) -> Target:
    """Parse `url` and resolve its host; refused unless every address it gives is allowed."""
    scheme, host, port, path = parse(url)
    try:
        addresses = resolve(host, port)
    except (OSError, UnicodeError):
        raise TargetRefused("dns") from None
    allow_loopback = _insecure_allowed()
    if not addresses or not all(address_allowed(a, allow_loopback) for a in addresses):
        raise TargetRefused("blocked")
    return Target(scheme, host, port, path, tuple(addresses))
