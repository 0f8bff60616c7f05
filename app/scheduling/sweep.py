"""The minute's sweep, step by step and item by item.

Each step (reminders, scheduled announcements, the half-yearly notice, retention) runs behind its
own error boundary, and within it each item (one event's reminders, one announcement, one
period's notice, one part of retention) in its own transaction (app/scheduling/failures.py). So
one event whose title its reminder mail cannot carry is recorded and retried, and every other
event's reminders, every announcement and the notice still go out on time.
"""

import logging
from datetime import datetime
from functools import partial

from app.announcements.sending import due_announcements, queue_due_announcement
from app.extensions import db
from app.materials.files import delete_abandoned_uploads
from app.notices.services import due_period, send_half_year_notice
from app.ops.retention import (
    ABANDONED_UPLOAD_AGE,
    anonymise_expired,
    delete_expired_records,
    retention_cutoff,
)
from app.reminders.services import events_with_due_reminders, remind_event
from app.scheduling.failures import forget_stale, run_item, run_step
from app.webhooks.delivery import delete_finished_deliveries

log = logging.getLogger(__name__)

REMINDERS = "reminders"
ANNOUNCEMENTS = "announcements"
NOTICES = "notices"
RETENTION = "retention"
# Each step's name, as failure rows, /readyz and /metrics give it.
STEPS = (REMINDERS, ANNOUNCEMENTS, NOTICES, RETENTION)


def queue_reminders(now: datetime) -> int:
    queued = 0
    for event_id in events_with_due_reminders(now):
        db.session.rollback()  # the list was a read; each event then has a transaction of its own
        work = partial(remind_event, event_id, now)
        queued += run_item(REMINDERS, f"event:{event_id}", now, work) or 0
    return queued


def _announcements(now: datetime) -> int:
    queued = 0
    for announcement_id in due_announcements(now):
        db.session.rollback()
        work = partial(queue_due_announcement, announcement_id, now)
        queued += bool(run_item(ANNOUNCEMENTS, f"announcement:{announcement_id}", now, work))
    return queued


def _notices(now: datetime) -> int:
    period = due_period(now)
    db.session.rollback()
    if period is None:
        return 0
    return run_item(NOTICES, f"notice:{period}", now, partial(send_half_year_notice, now)) or 0


def apply_retention(now: datetime) -> None:
    # Three independent clean-ups: stuck uploads must not keep registrations from being anonymised.
    run_item(RETENTION, "anonymise", now, partial(anonymise_expired, now))
    run_item(RETENTION, "expired_records", now, partial(delete_expired_records, now))
    deliveries = partial(delete_finished_deliveries, retention_cutoff(now))
    run_item(RETENTION, "webhook_deliveries", now, deliveries)
    uploads = partial(delete_abandoned_uploads, now - ABANDONED_UPLOAD_AGE)
    run_item(RETENTION, "abandoned_uploads", now, uploads)
    run_item(RETENTION, "stale_failures", now, partial(forget_stale, now))


def run_sweep(now: datetime) -> dict[str, int]:
    """Every step at `now`; returns how many reminders, announcements and notices were queued."""
    counts = {
        REMINDERS: run_step(REMINDERS, now, queue_reminders) or 0,
        ANNOUNCEMENTS: run_step(ANNOUNCEMENTS, now, _announcements) or 0,
        NOTICES: run_step(NOTICES, now, _notices) or 0,
    }
    run_step(RETENTION, now, apply_retention)
    return counts
