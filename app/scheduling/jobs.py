"""The jobs the scheduler runs. Each sweeps database rows, so a restart or reschedule is only a
matter of what the rows say (Indico-style), and each commits its own work, item by item.

They run in the scheduler's threads, each of which holds the worker's app context for its whole
life (see app/scheduling/scheduler.py): the jobs stay importable functions that APScheduler can
store, and no module holds an app."""

import logging
from datetime import datetime

from app import clock
from app.extensions import db
from app.members.imports.jobs import run_member_imports
from app.scheduling.sweep import ANNOUNCEMENTS, NOTICES, REMINDERS, run_sweep
from app.webhooks.delivery import claim_due, record_failed_attempt, send

log = logging.getLogger(__name__)


def sweep() -> None:
    """Every minute: due reminders, scheduled announcements, the half-yearly notice, retention,
    each step and each item behind its own error boundary (app/scheduling/sweep.py)."""
    try:
        counts = run_sweep(clock.now())
        if any(counts.values()):
            log.info(
                "queued %d reminder(s), %d announcement(s), %d notice(s)",
                counts[REMINDERS],
                counts[ANNOUNCEMENTS],
                counts[NOTICES],
            )
    except Exception:
        # Only the bookkeeping itself can get here (the database is gone, say).
        db.session.rollback()
        log.exception("sweep failed; the next one tries again")
    finally:
        db.session.remove()


def deliver_webhooks() -> None:
    """Every few seconds: due webhook deliveries, in a job of their own so that a failing receiver
    neither holds up nor undoes the sweep."""
    try:
        run_webhook_round(clock.now())
    except Exception:
        db.session.rollback()
        log.exception("webhook delivery failed; the next round tries again")
    finally:
        db.session.remove()


def run_webhook_round(now: datetime, limit: int = 50) -> int:
    """Send what is due, each delivery marked in its own commit; returns how many were delivered.

    A delivery that raises for another reason counts as a failed attempt ("error") and the
    others are still sent."""
    batch = claim_due(now, limit)
    db.session.commit()  # the lease, before any receiver is called
    delivered = 0
    for delivery in batch:
        try:
            delivered += send(delivery, clock.now())
            db.session.commit()
        except Exception:
            db.session.rollback()
            log.exception("webhook %s: delivery failed unexpectedly", delivery.id)
            record_failed_attempt(delivery, clock.now(), "error")
            db.session.commit()
    return delivered


def member_imports() -> None:
    """Every few seconds: large member imports queued from the console (checked, then imported),
    so that the web process never holds a 20,000-row file."""
    try:
        run_member_imports(clock.now())
    except Exception:
        db.session.rollback()
        log.exception("member imports failed; the next round tries again")
    finally:
        db.session.remove()
