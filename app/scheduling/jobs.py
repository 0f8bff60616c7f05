"""The jobs the scheduler runs. Each sweeps database rows, so a restart or reschedule is only a
matter of what the rows say (Indico-style), and each commits its own work, item by item.

They run in the scheduler's threads, each of which holds the worker's app context for its whole
life (see app/scheduling/scheduler.py): the jobs stay importable functions that APScheduler can
store, and no module holds an app."""

import logging

from app import clock
from app.extensions import db
from app.scheduling.sweep import ANNOUNCEMENTS, NOTICES, REMINDERS, run_sweep
from app.webhooks.delivery import deliver_due_webhooks

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
        deliver_due_webhooks(clock.now())
    except Exception:
        db.session.rollback()
        log.exception("webhook delivery failed; the next round tries again")
    finally:
        db.session.remove()
