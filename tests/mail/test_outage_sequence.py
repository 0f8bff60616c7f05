"""A long outage in stages, on the one port the app sends to: nothing listening, then a server that
answers 421 to every connection (at the greeting, then after EHLO), then one that defers every
recipient with 451 at RCPT, then recovery. The clock moves past each backoff between rounds. In the
end every message is delivered exactly once (by Message-ID), none is lost, and each row counts
the attempts that failed."""

import socketserver
import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app import clock
from app.extensions import db
from app.mail.delivery import deliver_due
from app.mail.outbox import OutboxMessage, OutboxStatus

MESSAGES = 7
BATCH = 3  # several batches (connections) per round: 3 + 3 + 1


@pytest.fixture
def mail_config(smtp_config):
    return smtp_config


class _Refusing(socketserver.StreamRequestHandler):
    def handle(self):
        server = self.server
        with server.lock:
            server.connections += 1
        if server.stage == "greeting":
            self.wfile.write(b"421 4.3.2 Service not available, closing transmission channel\r\n")
            return
        self.wfile.write(b"220 mx.example.jp ESMTP\r\n")
        line = self.rfile.readline()
        with server.lock:
            server.commands.append(line)
        self.wfile.write(b"421 4.7.0 Too many connections, try again later\r\n")


class RefusingServer(socketserver.ThreadingTCPServer):
    """Answers 421 on every connection and closes it: at the greeting, or after the first command."""

    allow_reuse_address = True
    daemon_threads = True

    def __init__(self, port: int, stage: str):
        super().__init__(("127.0.0.1", port), _Refusing)
        self.stage = stage
        self.lock = threading.Lock()
        self.connections = 0
        self.commands: list[bytes] = []
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.shutdown()
        self.server_close()
        self.thread.join(timeout=5)


def _due_count() -> int:
    db.session.expire_all()
    return db.session.scalar(
        select(func.count())
        .select_from(OutboxMessage)
        .where(OutboxMessage.status == OutboxStatus.QUEUED)
        .where(OutboxMessage.next_attempt_at <= clock.now())
    )


def _round() -> int:
    """What the worker does at one moment: batch after batch until nothing is due; returns sent."""
    sent = 0
    for _ in range(MESSAGES):  # bounded: each pass claims at least one due message
        if not _due_count():
            break
        sent += deliver_due()
    assert _due_count() == 0
    return sent


def test_every_message_survives_a_staged_outage_and_goes_out_exactly_once(
    app, stopped_smtp_server, smtp_port, queue_messages, outbox, frozen_now
):
    app.config["MAIL_BATCH_SIZE"] = BATCH
    messages = queue_messages(MESSAGES)
    expected_ids = {m.message_id for m in messages}
    addresses = {m.to_addr for m in messages}
    now = clock.now()

    def after_backoff():
        """Move the clock just past the latest next_attempt_at; nothing was due before it."""
        nonlocal now
        latest = max(row.next_attempt_at for row in outbox())
        assert latest > now
        frozen_now(latest - timedelta(seconds=1))
        assert deliver_due() == 0  # a second early: nothing is claimed, no connection is made
        now = frozen_now(latest + timedelta(seconds=1))

    def check_rows(attempts: int, *errors: str):
        rows = outbox()
        assert len(rows) == MESSAGES
        for row in rows:
            assert row.status == OutboxStatus.QUEUED, (row.id, row.status, row.last_error)
            assert row.attempts == attempts, (row.id, row.attempts, row.last_error)
            assert any(error in row.last_error for error in errors), row.last_error
            assert row.claimed_until is None
            assert row.sent_at is None

    # 1. Nothing listens on the port.
    assert _round() == 0
    check_rows(1, "ConnectionRefusedError")

    # 2. A server that answers 421 at the greeting, to every connection.
    refusing = RefusingServer(smtp_port, "greeting")
    try:
        after_backoff()
        assert _round() == 0
    finally:
        refusing.stop()
    check_rows(2, "421")
    assert refusing.connections == 3  # one per batch

    # 3. A server that greets, then answers EHLO (and the HELO fallback) with 421 and hangs up.
    refusing = RefusingServer(smtp_port, "ehlo")
    try:
        after_backoff()
        assert _round() == 0
    finally:
        refusing.stop()
    # smtplib falls back to HELO after the 421 and finds the connection closed (or reset).
    check_rows(3, "SMTPServerDisconnected", "ConnectionResetError", "BrokenPipeError")
    assert refusing.connections == 3
    assert all(command.upper().startswith(b"EHLO") for command in refusing.commands)

    # 4. A real server that defers every recipient with 451 at RCPT TO.
    server = stopped_smtp_server
    handler = server.handler
    for address in addresses:
        handler.rcpt_replies[address] = "451 4.3.0 Mailbox temporarily unavailable"
    server.start()
    after_backoff()
    assert _round() == 0
    check_rows(4, "451")
    assert server.received == []
    assert sorted(handler.rcpt_attempts) == sorted(addresses)  # each offered once
    assert server.connections == 3  # the connection stays usable: one per batch

    # 5. Recovered.
    handler.rcpt_replies.clear()
    after_backoff()
    assert _round() == MESSAGES
    assert server.message_id_counts() == {message_id: 1 for message_id in expected_ids}
    assert {tuple(item.rcpt_tos) for item in server.received} == {(a,) for a in addresses}
    rows = outbox()
    assert {row.message_id for row in rows} == expected_ids
    for row in rows:
        assert row.status == OutboxStatus.SENT
        assert row.attempts == 4  # four failed tries; the successful one is not a failure
        assert row.sent_at == now
        assert row.claimed_until is None

    # And nothing more goes out later.
    frozen_now(now + timedelta(days=1))
    assert _round() == 0
    assert len(server.received) == MESSAGES
