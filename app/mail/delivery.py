"""The delivery run: one batch of due mail over one connection, the job `flask worker` calls on
every tick. It owns every commit of delivery; the outbox and the transports only change state.

The claim is committed first. Each message is then marked sent in a commit of its own once the
server accepts it, and before the next message is handed over, so after a crash at most the one
message in flight can go out twice, and it keeps its Message-ID.
"""

import logging
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from flask import current_app
from sqlalchemy import bindparam, update
from sqlalchemy.orm.attributes import set_committed_value

from app import clock
from app.extensions import db
from app.mail.failures import PermanentFailure, TemporaryFailure
from app.mail.outbox import (
    OutboxMessage,
    OutboxStatus,
    claim_due,
    record_permanent_failure,
    record_temporary_failure,
    renew_lease,
)
from app.mail.transport import open_transport
from app.queueing import CLAIM_LEASE

log = logging.getLogger(__name__)

# One prepared UPDATE per delivery: the ORM's flush of the same change, with the pool checkout
# around each commit, costs more than the SMTP conversation itself.
_MARK_SENT = (
    update(OutboxMessage)
    .where(OutboxMessage.id == bindparam("row_id"))
    .values(status=OutboxStatus.SENT, sent_at=bindparam("at"), claimed_until=None)
)


class _SentRecorder:
    """Marks each delivered message sent in a commit of its own, on a connection and a thread of
    its own, so that the commit overlaps the next message's conversation instead of adding to it.
    The "." that hands the next message over waits for it (`wait` runs between the transport's
    start() and finish()): after a crash at most the one message in flight can go out twice."""

    def __init__(self):
        self.connection = db.engine.connect()
        self.thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="outbox-sent")
        self.in_flight = None

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        try:
            self.wait()
        finally:
            self.thread.shutdown()
            self.connection.close()

    def record(self, message: OutboxMessage) -> None:
        self.wait()
        if db.session().in_transaction():
            # On SQLite the session's transaction holds the write lock the recording needs.
            db.session.commit()
        at = clock.now()
        self.in_flight = (message, at, self.thread.submit(self._write, message.id, at))

    def _write(self, row_id: int, at: datetime) -> None:
        with self.connection.begin():
            self.connection.execute(_MARK_SENT, {"row_id": row_id, "at": at})

    def wait(self) -> None:
        """Return once the recording in flight is committed (re-raising its error, if any); the
        loaded object is then told the new values without being made dirty."""
        if self.in_flight is None:
            return
        message, at, done = self.in_flight
        self.in_flight = None
        done.result()
        set_committed_value(message, "status", OutboxStatus.SENT)
        set_committed_value(message, "sent_at", at)
        set_committed_value(message, "claimed_until", None)


def deliver_due(now: datetime | None = None) -> int:
    """Deliver one batch of due messages over one connection; return how many were sent."""
    now = now or clock.now()
    session = db.session()
    # The claim and each message get a commit of their own; keeping the batch loaded across those
    # commits saves a reload of every row after each one (what made a batch of 200 cost 20,000
    # queries).
    session.expire_on_commit = False
    try:
        messages = claim_due(now, current_app.config["MAIL_BATCH_SIZE"])
        db.session.commit()
        return _deliver_claimed(messages, now)
    finally:
        session.expire_on_commit = True


def _hand_over(transport, message: OutboxMessage, recorder: _SentRecorder) -> None:
    """Send one message, its final "." only once the previous one is recorded sent."""
    transport.start(message)
    try:
        recorder.wait()
    except BaseException:
        transport.abandon()
        raise
    transport.finish()


def _deliver_claimed(messages: list[OutboxMessage], now: datetime) -> int:
    if not messages:
        return 0
    sent = 0
    pending = list(messages)
    lease_renewed = time.monotonic()
    try:
        with open_transport() as transport, _SentRecorder() as recorder:
            while pending:
                message = pending[0]
                try:
                    _hand_over(transport, message, recorder)
                except TemporaryFailure as error:
                    if not error.connection_usable:
                        raise
                    recorder.wait()
                    record_temporary_failure(message, now, str(error))
                except PermanentFailure as error:
                    recorder.wait()
                    record_permanent_failure(message, error)
                else:
                    recorder.record(message)
                    sent += 1
                pending.pop(0)
                if time.monotonic() - lease_renewed > CLAIM_LEASE.total_seconds() / 2:
                    recorder.wait()
                    renew_lease(pending)
                    lease_renewed = time.monotonic()
                if db.session().in_transaction():  # a failure was recorded, or the lease renewed
                    db.session.commit()
    except TemporaryFailure as error:
        # The server or the connection is gone: the rest of the batch waits for the next try.
        log.warning(
            "mail delivery interrupted, %d message(s) will be retried: %s", len(pending), error
        )
        for message in pending:
            record_temporary_failure(message, now, str(error))
        db.session.commit()
    return sent
