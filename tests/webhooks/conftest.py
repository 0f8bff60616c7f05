"""Fixtures for the webhook tests: a stubbed resolver, a guard that refuses any connection to a
non-loopback address, and real HTTP receivers on 127.0.0.1 (which need the development flag
WEBHOOK_ALLOW_INSECURE: plain http and loopback are otherwise refused)."""

import ipaddress
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from app.webhooks import transport
from tests.webhooks.dns import stub_dns


@pytest.fixture(autouse=True)
def dns(monkeypatch):
    """The resolver's table: tests add names to it (see tests/webhooks/dns.py)."""
    return stub_dns(monkeypatch)


@pytest.fixture(autouse=True)
def connections(monkeypatch):
    """Every address a delivery connected to; anything but loopback fails the test at once."""
    made = []
    real = transport._open_socket

    def guarded(address, port, timeout):
        assert ipaddress.ip_address(address).is_loopback, f"tried to connect to {address}"
        made.append((address, port))
        return real(address, port, timeout)

    monkeypatch.setattr(transport, "_open_socket", guarded)
    return made


class Receiver:
    """An HTTP server on 127.0.0.1 that records each POST and answers from a script of statuses
    (then 200), with `headers` and `body` on every answer."""

    def __init__(self, statuses=(), headers=None, body=b""):
        self.script = list(statuses)
        self.requests = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body_in = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers), body_in))
                status = receiver.script.pop(0) if receiver.script else 200
                self.send_response(status)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.server.server_port
        self.url = f"http://127.0.0.1:{self.port}/hooks"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=10)

    def accepted(self):
        """The bodies of the requests answered 2xx, in order (a failure is followed by a retry)."""
        return [json.loads(body) for _, body in self.requests]


@pytest.fixture
def receiver(app):
    """Start receivers on 127.0.0.1; turns on WEBHOOK_ALLOW_INSECURE, which they need."""
    app.config["WEBHOOK_ALLOW_INSECURE"] = True
    made = []

    def make(statuses=(), **options):
        made.append(Receiver(statuses, **options))
        return made[-1]

    yield make
    for server in made:
        server.stop()
