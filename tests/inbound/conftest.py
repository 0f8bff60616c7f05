"""Fixtures for inbound mail: the real SMTP server our mail goes out to (tests/mail's), our own
listener (`flask inbound`'s InboundListener) on another loopback port, the hand-written messages
of tests/data/inbound/ with their placeholders filled in, and a way to send them over SMTP."""

import smtplib
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from app import clock
from app.api.tokens import create_api_token
from app.audit.actor import SYSTEM
from app.extensions import db
from app.inbound.cli import take_message
from app.inbound.listener import InboundListener
from app.mail.delivery import deliver_due
from app.mail.outbox import OutboxMessage
from tests.mail.conftest import SmtpServer, free_port

DATA = Path(__file__).resolve().parent.parent / "data" / "inbound"
BOUNCE_DOMAIN = "bounce.reskilling.example.jp"
ORGANIZER = f"calendar@{BOUNCE_DOMAIN}"


@pytest.fixture
def smtp_port():
    return free_port()


@pytest.fixture
def smtp_server(smtp_port):
    """The receiving side of our outgoing mail (a municipal mail server, say)."""
    server = SmtpServer(smtp_port).start()
    yield server
    server.stop()


@pytest.fixture
def app_overrides(smtp_port):
    return {
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp_port,
        "MAIL_TIMEOUT": 5,
        "BOUNCE_DOMAIN": BOUNCE_DOMAIN,
        "CALENDAR_ORGANIZER_EMAIL": ORGANIZER,
        "API_TOKEN_RATE_LIMIT": "10000 per minute",
    }


class Inbound:
    """Our listener on a port of its own, which a test may stop and start again."""

    def __init__(self, app):
        self.app = app
        self.port = free_port()
        self.listener: InboundListener | None = None

    def start(self) -> "Inbound":
        self.listener = InboundListener(self.app, take_message, "127.0.0.1", self.port).start()
        return self

    def stop(self) -> None:
        if self.listener is not None:
            self.listener.stop()
            self.listener = None

    def send(self, raw: bytes, to: str, mail_from: str = "") -> None:
        """Hand a message over as a mail server would; the test's own transaction is ended
        first, so that (on SQLite) the listener's commit has the write lock to itself."""
        db.session.commit()
        with smtplib.SMTP("127.0.0.1", self.port, timeout=10) as smtp:
            smtp.sendmail(mail_from, [to], raw)
        db.session.expire_all()


@pytest.fixture
def inbound(app):
    receiver = Inbound(app).start()
    yield receiver
    receiver.stop()


def inbound_mail(name: str, **values: str) -> bytes:
    """A message of tests/data/inbound/ with {{NAME}} replaced by values (UNIQUE by default
    unique), CRLF line ends as on the wire."""
    data = (DATA / name).read_bytes()
    values.setdefault("UNIQUE", uuid.uuid4().hex)
    for key, value in values.items():
        data = data.replace(f"{{{{{key}}}}}".encode(), value.encode())
    assert b"{{" not in data, f"placeholder left in {name}"
    return data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")


@pytest.fixture
def deliver(smtp_server):
    """Deliver what is due to the SMTP server; returns what it received for each outbox row."""

    def run() -> dict[int, object]:
        db.session.commit()
        deliver_due(clock.now())
        db.session.expire_all()
        rows = db.session.scalars(select(OutboxMessage)).all()
        by_id = {item.message_id: item for item in smtp_server.received}
        return {row.id: by_id[row.message_id] for row in rows if row.message_id in by_id}

    return run


@pytest.fixture
def api_token(make_organizer):
    organizer = make_organizer()
    _row, token = create_api_token(organizer, "bounces", clock.now(), actor=SYSTEM)
    db.session.commit()
    return token


@pytest.fixture
def api_get(app, api_token):
    client = app.test_client()

    def get(path: str) -> dict:
        db.session.commit()
        response = client.get(path, headers={"Authorization": f"Bearer {api_token}"})
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()

    return get


from tests.mail.conftest import queue_messages  # noqa: E402, F401  (a fixture)
