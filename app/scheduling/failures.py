"""One transaction and one error boundary per item of a scheduled job.

An item (one event's reminders, one announcement, the half-yearly notice) that raises is rolled
back alone and recorded as a JobFailure row; the job goes on with the next item. The failed item
is retried after the queues' backoff (30 s, 1 min, 2 min ... at most an hour), and its row is
removed the first time it succeeds. /readyz, /metrics and the console read the rows.
"""

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TypeVar, cast

from sqlalchemy import CursorResult, delete, func, select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.queueing import retry_delay
from app.scheduling.models import JobFailure

log = logging.getLogger(__name__)

T = TypeVar("T")

# The key of a failure of the step as a whole (listing its items failed, say).
WHOLE_STEP = "step"
# A failure nobody retries any more (its event has started, say) is shown this long, then goes.
STALE_AFTER = timedelta(days=7)


def describe(error: BaseException) -> str:
    """The error's class and the first line of its message, short: SQL errors carry their
    parameters (addresses, names) on the lines after the first."""
    message = str(error).strip().splitlines()[0] if str(error).strip() else ""
    text = f"{type(error).__name__}: {message}" if message else type(error).__name__
    return text[:300]


def _failure(job: str, key: str) -> JobFailure | None:
    return db.session.scalar(
        select(JobFailure).where(JobFailure.job == job, JobFailure.item_key == key)
    )


def run_item(job: str, key: str, now: datetime, work: Callable[[], T]) -> T | None:
    """Run `work` and commit it; on an exception roll it back and record the failure.

    Returns what `work` returned, or None when it failed or its retry is not due yet.
    """
    try:
        failure = _failure(job, key)
        if failure is not None and failure.next_retry_at > now:
            db.session.rollback()  # end the read: on SQLite every transaction holds the write lock
            return None
        attempts = failure.attempts if failure is not None else 0
        result = work()
        if attempts:
            db.session.execute(
                delete(JobFailure).where(JobFailure.job == job, JobFailure.item_key == key)
            )
            log.info("%s %s succeeded again after %d failure(s)", job, key, attempts)
        db.session.commit()
        return result
    except Exception as error:
        db.session.rollback()
        log.exception("%s %s failed; the other items go on", job, key)
        record_failure(job, key, now, error)
        return None


def record_failure(job: str, key: str, now: datetime, error: BaseException) -> None:
    """Write down (in its own commit) that the item failed, and when to try it again."""
    try:
        failure = _failure(job, key)
        if failure is None:
            failure = JobFailure(job=job, item_key=key, attempts=0, first_failed_at=now)
            db.session.add(failure)
        failure.attempts += 1
        failure.error = describe(error)
        failure.last_failed_at = now
        failure.next_retry_at = now + retry_delay(failure.attempts)
        db.session.commit()
    except IntegrityError:
        db.session.rollback()  # another worker recorded it at the same moment: one row is enough
    except Exception:
        db.session.rollback()
        log.exception("could not record the failure of %s %s", job, key)


def run_step(job: str, now: datetime, step: Callable[[datetime], T]) -> T | None:
    """Run one step of the sweep behind its own boundary: if it raises outside its items'
    own boundaries, the failure is recorded under the step's name and the next step runs."""
    return run_item(job, WHOLE_STEP, now, lambda: step(now))


def forget_stale(now: datetime) -> int:
    """Remove failures no longer retried (their item went away) once they are old."""
    result = db.session.execute(
        delete(JobFailure).where(JobFailure.last_failed_at < now - STALE_AFTER)
    )
    return cast(CursorResult, result).rowcount or 0  # a DELETE's result is a cursor's


def current_failures(limit: int = 50) -> list[JobFailure]:
    """The failing items, the most recent failure first."""
    return list(
        db.session.scalars(
            select(JobFailure)
            .order_by(JobFailure.last_failed_at.desc(), JobFailure.id)
            .limit(limit)
        )
    )


def failing_counts() -> dict[str, int]:
    """How many items of each job are failing."""
    return dict(
        db.session.execute(select(JobFailure.job, func.count()).group_by(JobFailure.job)).all()
    )
