"""One webhook POST to a checked target (targets.py), and what went wrong, as a category.

The connection goes to an address the check passed, never through a second lookup, while the Host
header, SNI and the certificate check use the URL's own host name. Redirects are not followed: a
3xx is a failure ("redirect"), since following it would reach a URL nobody checked. What the
receiver answered is never kept or shown (it could be a page of an internal system): a failure
is one of the categories below, or "HTTP <status>".
"""

import http.client
import socket
import ssl

from app.webhooks.targets import Target


class DeliveryFailed(Exception):
    """The POST did not get a 2xx. `category` is what is stored and shown."""

    def __init__(self, category: str):
        super().__init__(category)
        self.category = category


def _open_socket(address: str, port: int, timeout: float) -> socket.socket:
    """A TCP connection to exactly this address: no name lookup happens here."""
    family = socket.AF_INET6 if ":" in address else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.settimeout(timeout)
        sock.connect((address, port))
    except BaseException:
        sock.close()
        raise
    return sock


class _PinnedConnection(http.client.HTTPConnection):
    """http.client speaking to `address` on behalf of the URL's host name."""

    def __init__(self, target: Target, address: str, timeout: float):
        super().__init__(target.host, target.port, timeout=timeout)
        self.address = address
        self.seconds = timeout  # http.client types its own `timeout` as optional
        self.tls = ssl.create_default_context() if target.scheme == "https" else None

    def connect(self):
        sock = _open_socket(self.address, self.port, self.seconds)
        if self.tls is not None:
            try:
                # Verified against the host name the organizer gave, not the address.
                sock = self.tls.wrap_socket(sock, server_hostname=self.host)
            except BaseException:
                sock.close()
                raise
        self.sock = sock


def _connected(target: Target, timeout: float) -> _PinnedConnection:
    """A connection to the first of the target's addresses that answers."""
    error: OSError | None = None
    for address in target.addresses:
        connection = _PinnedConnection(target, address, timeout)
        try:
            connection.connect()
            return connection
        except ssl.SSLError:
            connection.close()
            raise  # the server answered: another address of it would say the same
        except OSError as failure:
            connection.close()
            error = failure
    raise error or OSError("no address")


def post(target: Target, body: bytes, headers: dict, timeout: float) -> None:
    """POST `body`; returns on a 2xx, else raises DeliveryFailed with the category."""
    try:
        connection = _connected(target, timeout)
        try:
            connection.request("POST", target.path, body=body, headers=headers)
            response = connection.getresponse()
            response.read(1024)  # read a little so the connection closes cleanly; never kept
            status = response.status
        finally:
            connection.close()
    except TimeoutError:
        raise DeliveryFailed("timeout") from None
    except ssl.SSLError:
        raise DeliveryFailed("tls") from None
    except OSError:
        raise DeliveryFailed("connect") from None
    except http.client.HTTPException:
        raise DeliveryFailed("protocol") from None
    if 300 <= status < 400:
        raise DeliveryFailed("redirect")
    if not 200 <= status < 300:
        raise DeliveryFailed(f"HTTP {status}")
