"""Fixtures for the mail tests: a real SMTP server (aiosmtpd) on 127.0.0.1 that records what it
receives and can be told to refuse, and an app whose Flask-Mail points at it.

Flask-Mail copies MAIL_SERVER, MAIL_PORT, MAIL_USERNAME ... into `app.extensions["mail"]` when
`mail.init_app(app)` runs inside create_app(); changing app.config afterwards does not move it.
So the SMTP settings go into create_app() here, through the `app_overrides` fixture. (Settings the outbox reads itself — MAIL_MAX_ATTEMPTS, MAIL_BATCH_SIZE —
are read from app.config at each use and may be changed in a test.)
"""

import email
import socket
import threading
from collections import Counter
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from app.extensions import db
from app.mail.outbox import OutboxMessage, enqueue


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Received:
    """One message as the server saw it: the envelope and the raw bytes of DATA."""

    connection: int
    mail_from: str
    rcpt_tos: list[str]
    content: bytes

    @property
    def message(self) -> EmailMessage:
        return email.message_from_bytes(self.content, policy=policy.default)

    @property
    def message_id(self) -> str:
        return self.message["Message-ID"]


class RecordingHandler:
    """An aiosmtpd handler that keeps every message and answers what it is told to.

    `rcpt_replies[address]` / `data_replies[address]` make the server answer that reply (e.g.
    "451 4.3.0 Try again later") to RCPT TO for the address, or to DATA of a message to it;
    `mail_replies` are answered, in turn, to the next MAIL FROM commands. `on_data(address)` is
    called as each message arrives, before it is answered.
    """

    def __init__(self):
        self.lock = threading.Lock()
        self.connections = 0  # EHLO once per connection (smtplib always greets with EHLO)
        self.received: list[Received] = []
        self.refused_data: list[Received] = []  # messages whose DATA was answered with an error
        self.rcpt_attempts: list[str] = []  # every address offered in RCPT TO, accepted or not
        self.rcpt_replies: dict[str, str] = {}
        self.data_replies: dict[str, str] = {}
        self.mail_replies: list[str] = []
        self.on_data = None

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        with self.lock:
            self.connections += 1
            session.connection_number = self.connections
        return responses

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        with self.lock:
            reply = self.mail_replies.pop(0) if self.mail_replies else None
        if reply:
            return reply
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self.lock:
            self.rcpt_attempts.append(address)
            reply = self.rcpt_replies.get(address)
        if reply:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        record = Received(
            connection=getattr(session, "connection_number", 0),
            mail_from=envelope.mail_from,
            rcpt_tos=list(envelope.rcpt_tos),
            content=envelope.original_content,
        )
        if self.on_data:
            self.on_data(envelope.rcpt_tos[0])
        with self.lock:
            for address in envelope.rcpt_tos:
                reply = self.data_replies.get(address)
                if reply:
                    self.refused_data.append(record)
                    return reply
            self.received.append(record)
        return "250 Message accepted for delivery"


class SmtpServer:
    """aiosmtpd's threaded Controller on 127.0.0.1:port, started and stopped on demand."""

    def __init__(self, port: int):
        self.port = port
        self.handler = RecordingHandler()
        self.controller: Controller | None = None

    def start(self, **smtp_options) -> "SmtpServer":
        assert self.controller is None, "already running"
        self.controller = Controller(
            self.handler, hostname="127.0.0.1", port=self.port, **smtp_options
        )
        self.controller.start()
        return self

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def received(self) -> list[Received]:
        with self.handler.lock:
            return list(self.handler.received)

    @property
    def connections(self) -> int:
        with self.handler.lock:
            return self.handler.connections

    def message_id_counts(self) -> Counter:
        """How many times each Message-ID was received."""
        return Counter(item.message_id for item in self.received)

    def by_message_id(self, message_id: str) -> Received:
        [item] = [item for item in self.received if item.message_id == message_id]
        return item


@pytest.fixture
def smtp_port():
    """A port that was free a moment ago; the SMTP server fixtures listen (or not) on it."""
    return free_port()


@pytest.fixture
def stopped_smtp_server(smtp_port):
    """The SMTP server on smtp_port, not started yet: nothing listens until the test starts it."""
    server = SmtpServer(smtp_port)
    yield server
    server.stop()


@pytest.fixture
def smtp_server(stopped_smtp_server):
    """The SMTP server on smtp_port, running."""
    return stopped_smtp_server.start()


@pytest.fixture
def smtp_config(smtp_port):
    """App settings that send through the SMTP server on smtp_port."""
    return {
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": smtp_port,
        "MAIL_TIMEOUT": 5,
    }


@pytest.fixture
def mail_config():
    """Overrides for the app under test. By default the development mailbox (MAIL_SERVER empty);
    SMTP test modules override this fixture to return `smtp_config`."""
    return {}


@pytest.fixture
def app_overrides(mail_config):
    """Flask-Mail reads its settings inside create_app(), so they go in before, not after."""
    return mail_config


@pytest.fixture
def queue_messages(app):
    """Enqueue `count` messages (Japanese subject and display name) and commit; returns them."""
    counter = iter(range(1, 100_000))

    def queue(count: int = 1, **fields) -> list[OutboxMessage]:
        messages = []
        for _ in range(count):
            n = next(counter)
            values = {
                "to_addr": f"user{n}@city.example.jp",
                "to_name": f"山田 花子{n}",
                "subject": f"【お申し込み完了】テストセミナー{n}",
                "text_body": f"山田 花子{n} 様\n\nお申し込みを受け付けました。\n",
                "category": "test",
            }
            values.update(fields)
            messages.append(enqueue(**values))
        db.session.commit()
        return messages

    return queue


@pytest.fixture
def outbox(app):
    """The outbox rows as the database has them now, oldest first."""

    def rows() -> list[OutboxMessage]:
        db.session.expire_all()
        return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))

    return rows


# One mail of every kind (tests/mail/kinds.py), for the wire-format and filter-score tests.
from tests.mail.kinds import every_mail_kind  # noqa: E402, F401
