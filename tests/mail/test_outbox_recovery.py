"""When things go wrong: the SMTP server is down, a worker dies holding a batch, two workers claim
at once. Sign-ups never depend on the mail server, and every message still goes out exactly once."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import func, select, text

from app.extensions import db
from app.mail import delivery as delivery_module
from app.mail.delivery import deliver_due
from app.mail.failures import PermanentFailure
from app.mail.outbox import (
    CLAIM_LEASE,
    OutboxStatus,
    claim_due,
    record_permanent_failure,
    record_temporary_failure,
)
from app.registrations.models import Registration, RegistrationStatus
from tests.conftest import NOW

FORM = {
    "name": "山田 花子",
    "furigana": "やまだ はなこ",
    "email": "hanako@city.example.jp",
    "organization": "鳥取県",
    "department": "総務部デジタル推進課",
    "position": "主任",
    "privacy": "y",
}


@pytest.fixture
def mail_config(smtp_config):
    return smtp_config


def test_sign_ups_succeed_during_an_smtp_outage_and_each_mail_goes_out_once_it_is_back(
    app, client, make_event, make_registration, stopped_smtp_server, outbox, frozen_now
):
    event = make_event()
    for _ in range(3):
        assert make_registration(event).status == RegistrationStatus.CONFIRMED
    response = client.submit(f"/events/{event.slug}/register", FORM)
    assert response.status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 4
    queued = outbox()
    assert len(queued) == 4

    # Nothing listens on the port: nothing is sent, everything is rescheduled with backoff.
    assert deliver_due() == 0
    for row in outbox():
        assert row.status == OutboxStatus.QUEUED
        assert row.attempts == 1
        assert row.next_attempt_at == NOW + timedelta(seconds=30)
        assert row.next_attempt_at > NOW
        assert "ConnectionRefusedError" in row.last_error
        assert row.claimed_until is None
        assert row.sent_at is None

    stopped_smtp_server.start()
    # Back up, but the backoff is respected.
    frozen_now(NOW + timedelta(seconds=10))
    assert deliver_due() == 0
    assert stopped_smtp_server.received == []

    frozen_now(max(row.next_attempt_at for row in outbox()) + timedelta(seconds=1))
    assert deliver_due() == 4
    assert stopped_smtp_server.message_id_counts() == {row.message_id: 1 for row in queued}
    assert {tuple(item.rcpt_tos) for item in stopped_smtp_server.received} == {
        (row.to_addr,) for row in queued
    }
    assert all(row.status == OutboxStatus.SENT for row in outbox())

    assert deliver_due() == 0
    assert len(stopped_smtp_server.received) == 4


def test_a_batch_claimed_by_a_worker_that_died_waits_for_the_lease_then_goes_out_once(
    app, smtp_server, queue_messages, outbox, frozen_now
):
    messages = queue_messages(3)
    # A worker claims the batch and dies before sending anything.
    claimed = claim_due(NOW, limit=10)
    db.session.commit()
    assert sorted(m.id for m in claimed) == sorted(m.id for m in messages)
    db.session.remove()

    for moment in (NOW, NOW + CLAIM_LEASE - timedelta(seconds=1), NOW + CLAIM_LEASE):
        frozen_now(moment)
        assert deliver_due() == 0
    assert smtp_server.received == []
    for row in outbox():
        assert row.status == OutboxStatus.SENDING
        assert row.claimed_until == NOW + CLAIM_LEASE

    frozen_now(NOW + CLAIM_LEASE + timedelta(seconds=1))
    assert deliver_due() == 3
    assert smtp_server.message_id_counts() == {m.message_id: 1 for m in messages}
    assert all(row.status == OutboxStatus.SENT for row in outbox())
    assert deliver_due() == 0
    assert len(smtp_server.received) == 3


def test_when_recording_a_delivery_fails_the_next_message_is_abandoned_mid_data_and_none_is_lost(
    app, smtp_server, queue_messages, outbox, frozen_now, monkeypatch
):
    first, second, third = queue_messages(3)
    real_write = delivery_module._SentRecorder._write

    def database_gone(self, row_id, at):
        raise OSError("database connection lost")

    monkeypatch.setattr(delivery_module._SentRecorder, "_write", database_gone)
    with pytest.raises(OSError):
        deliver_due()
    # The first went out and could not be recorded; the second was cut off before its final "."
    # (the server never took it); the third was never tried.
    assert smtp_server.message_id_counts() == {first.message_id: 1}
    db.session.remove()

    monkeypatch.setattr(delivery_module._SentRecorder, "_write", real_write)
    frozen_now(NOW + CLAIM_LEASE + timedelta(seconds=1))
    assert deliver_due() == 3
    # Only the one in flight went twice; every message arrived.
    assert smtp_server.message_id_counts() == {
        first.message_id: 2,
        second.message_id: 1,
        third.message_id: 1,
    }
    assert {row.status for row in outbox()} == {OutboxStatus.SENT}


def test_a_claim_takes_abandoned_messages_first_then_the_longest_waiting_and_nothing_not_due(
    app, queue_messages, outbox, frozen_now
):
    abandoned = [m.id for m in queue_messages(2)]
    claim_due(NOW, limit=2)  # a worker that then died
    db.session.commit()
    db.session.remove()
    later = NOW + CLAIM_LEASE + timedelta(seconds=1)
    frozen_now(later)
    newest, oldest, middle, not_due = (m.id for m in queue_messages(4))
    rows = {row.id: row for row in outbox()}
    rows[oldest].next_attempt_at = later - timedelta(minutes=3)
    rows[middle].next_attempt_at = later - timedelta(minutes=2)
    rows[newest].next_attempt_at = later - timedelta(minutes=1)
    rows[not_due].next_attempt_at = later + timedelta(seconds=1)  # a retry waiting its turn
    db.session.commit()

    claimed = [m.id for m in claim_due(later, limit=4)]
    db.session.commit()

    assert claimed == [*abandoned, oldest, middle]
    rows = {row.id: row for row in outbox()}
    assert {rows[row_id].status for row_id in claimed} == {OutboxStatus.SENDING}
    assert {rows[row_id].claimed_until for row_id in claimed} == {later + CLAIM_LEASE}
    # Retaking an abandoned message counts as a try; the others had none yet.
    assert [rows[row_id].attempts for row_id in claimed] == [1, 1, 0, 0]
    assert rows[newest].status == rows[not_due].status == OutboxStatus.QUEUED

    assert [m.id for m in claim_due(later, limit=4)] == [newest]


def test_concurrent_claims_on_postgresql_never_return_the_same_rows(app, queue_messages, outbox):
    if app.database_name != "postgresql":
        pytest.skip(
            "FOR UPDATE SKIP LOCKED is PostgreSQL's; SQLite ignores it and serialises claims "
            "with the write lock that BEGIN IMMEDIATE takes"
        )
    queue_messages(6)
    claimed_and_holding = threading.Event()
    release = threading.Event()
    other = {}

    def other_worker():
        """Claim in a second session and connection, and hold the row locks until released."""
        with app.app_context():
            session = db.session()

            def hold_locks(_session):
                claimed_and_holding.set()
                other["released"] = release.wait(timeout=10)

            sa_event.listen(session, "before_commit", hold_locks)
            try:
                other["ids"] = {message.id for message in claim_due(NOW, limit=3)}
                db.session.commit()
            finally:
                db.session.remove()

    thread = threading.Thread(target=other_worker)
    thread.start()
    try:
        assert claimed_and_holding.wait(timeout=10), "the other worker never claimed"
        # Locked rows must be skipped, not waited for: waiting would fail this transaction.
        db.session.execute(text("SET LOCAL lock_timeout = '2s'"))
        mine = {message.id for message in claim_due(NOW, limit=3)}
        db.session.commit()
    finally:
        release.set()
        thread.join(timeout=20)
    assert not thread.is_alive()

    assert other["released"] is True  # our claim finished while the other still held its locks
    assert len(mine) == 3
    assert len(other["ids"]) == 3
    assert mine.isdisjoint(other["ids"])
    rows = outbox()
    assert mine | other["ids"] == {row.id for row in rows}
    assert all(row.status == OutboxStatus.SENDING for row in rows)


def test_the_delivery_run_owns_the_commits_the_outbox_functions_it_calls_commit_nothing(
    app, smtp_server, queue_messages, outbox
):
    first, second = queue_messages(2)
    commits = []

    def committed(_session):
        commits.append(1)

    sa_event.listen(db.session(), "after_commit", committed)
    try:
        claimed = claim_due(NOW, limit=10)
        record_temporary_failure(claimed[0], NOW, "421 try later")
        record_permanent_failure(claimed[1], PermanentFailure("550 no such user"))
        assert commits == []
        db.session.rollback()
        assert [row.status for row in outbox()] == [OutboxStatus.QUEUED] * 2

        assert deliver_due() == 2
        assert commits  # the run committed the claim and the batch itself
    finally:
        sa_event.remove(db.session(), "after_commit", committed)
    assert smtp_server.message_id_counts() == {first.message_id: 1, second.message_id: 1}
