"""`flask worker --once`: deliver everything due, batch after batch, then exit."""

import signal

import pytest

from app.extensions import db
from app.mail.outbox import OutboxStatus


@pytest.fixture
def mail_config(smtp_config):
    return smtp_config


@pytest.fixture
def worker(runner):
    """Run `flask worker --once`; the command installs SIGINT/SIGTERM handlers, put pytest's back."""
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}

    def run():
        # End the test's own transaction first: on SQLite it would hold the write lock.
        db.session.commit()
        return runner.invoke(args=["worker", "--once"])

    yield run
    for sig, handler in saved.items():
        signal.signal(sig, handler)


def test_worker_once_delivers_all_due_mail_batch_after_batch_and_exits_0(
    app, smtp_server, queue_messages, outbox, worker
):
    app.config["MAIL_BATCH_SIZE"] = 2
    message_ids = [message.message_id for message in queue_messages(5)]

    result = worker()

    assert result.exit_code == 0, result.output
    assert smtp_server.message_id_counts() == {message_id: 1 for message_id in message_ids}
    assert smtp_server.connections == 3  # one connection per batch: 2 + 2 + 1
    assert all(row.status == OutboxStatus.SENT for row in outbox())


def test_worker_once_with_nothing_due_exits_0_without_connecting(app, smtp_server, worker):
    result = worker()

    assert result.exit_code == 0, result.output
    assert smtp_server.connections == 0


def test_worker_once_exits_0_when_the_server_is_down_and_leaves_the_mail_for_later(
    app, stopped_smtp_server, queue_messages, outbox, worker
):
    queue_messages(3)

    result = worker()

    assert result.exit_code == 0, result.output
    rows = outbox()
    assert len(rows) == 3
    for row in rows:
        assert row.status == OutboxStatus.QUEUED
        assert row.attempts == 1
        assert "ConnectionRefusedError" in row.last_error
