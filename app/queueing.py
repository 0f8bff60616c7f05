"""What the mail outbox and the webhook deliveries share: rows claimed with a lease, retried with
exponential backoff, and given up after a number of attempts.

A row moves queued -> sending (claimed until a lease runs out) -> done, or back to queued with a
later next_attempt_at after a failed try, or to failed after the last. Both tables have the
columns status, attempts, next_attempt_at, claimed_until and last_error.
"""

from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import select, update

from app.extensions import db

# How long a claim holds without news from its worker.
CLAIM_LEASE = timedelta(minutes=5)
FIRST_RETRY = timedelta(seconds=30)
LONGEST_RETRY = timedelta(hours=1)


class QueueStatus(StrEnum):
    """The states the queue mechanism itself moves rows through (each table adds its own)."""

    QUEUED = "queued"
    SENDING = "sending"
    FAILED = "failed"


def retry_delay(attempts: int) -> timedelta:
    """Exponential backoff: 30 s, 1 min, 2 min ... capped at an hour."""
    return min(FIRST_RETRY * (2 ** max(attempts - 1, 0)), LONGEST_RETRY)


def record_failed_attempt(row, now: datetime, error: str, max_attempts: int) -> None:
    """Count a failed try: back in the queue after the backoff, or failed for good."""
    row.attempts += 1
    row.last_error = error[:2000]
    row.claimed_until = None
    if row.attempts >= max_attempts:
        row.status = QueueStatus.FAILED
    else:
        row.status = QueueStatus.QUEUED
        row.next_attempt_at = now + retry_delay(row.attempts)


def claim_due(model, now: datetime, limit: int, max_attempts: int) -> list:
    """Lease up to `limit` due rows of `model` to this worker; the caller commits the claim.

    Rows another worker holds are skipped (FOR UPDATE SKIP LOCKED on PostgreSQL; on SQLite the
    transaction's write lock serialises claims). A lease that ran out belongs to a worker that died
    mid-send: retaking it counts as an attempt, so a row that kills workers cannot loop forever.
    Those come first, then queued rows in the order of the (status, next_attempt_at, id) index,
    leased and loaded by one UPDATE ... RETURNING. Rows the session already holds are refreshed
    (populate_existing), so that what is decided from them is what the database has.
    """
    lease = {"status": QueueStatus.SENDING, "claimed_until": now + CLAIM_LEASE}
    abandoned = db.session.scalars(
        select(model)
        .where(model.id.in_(_oldest(model, limit, QueueStatus.SENDING, model.claimed_until < now)))
        .order_by(model.next_attempt_at, model.id)
        .execution_options(populate_existing=True)
    ).all()
    claimed = []
    for row in abandoned:
        record_failed_attempt(row, now, "worker stopped while sending", max_attempts)
        if row.status != QueueStatus.FAILED:
            row.status, row.claimed_until = lease["status"], lease["claimed_until"]
            claimed.append(row)
    if len(abandoned) < limit:
        queued = _oldest(
            model, limit - len(abandoned), QueueStatus.QUEUED, model.next_attempt_at <= now
        )
        leased = db.session.scalars(
            update(model).where(model.id.in_(queued)).values(**lease).returning(model),
            execution_options={"synchronize_session": False, "populate_existing": True},
        ).all()
        claimed += sorted(leased, key=lambda row: (row.next_attempt_at, row.id))
    return claimed


def _oldest(model, limit: int, status: str, *conditions):
    """The ids of the first `limit` rows in claim order, locked. Only ids: without fresh
    statistics (a notice just queued) PostgreSQL may sort every matching row instead of reading
    the index, and sorting ids is cheap where sorting whole messages spills to disk."""
    return (
        select(model.id)
        .where(model.status == status, *conditions)
        .order_by(model.next_attempt_at, model.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
