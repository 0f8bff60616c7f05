"""The jobs the scheduler runs. Each sweeps database rows, so a restart or reschedule is only a
matter of what the rows say (Indico-style), and each commits its own work, item by item."""

import logging

from flask import Flask

from app import clock
from app.extensions import db
from app.members.imports.jobs import run_member_imports
from app.scheduling.sweep import ANNOUNCEMENTS, NOTICES, REMINDERS, run_sweep
from app.webhooks.delivery import deliver_due_webhooks

log = logging.getLogger(__name__)

# The worker sets this before the scheduler starts: jobs run in the scheduler's thread and need
# an app context, while APScheduler can only store an importable function, not the app.
app: Flask | None = None


def sweep() -> None:
    """Every minute: due reminders, scheduled announcements, the half-yearly notice, retention,
    each step and each item behind its own error boundary (app/scheduling/sweep.py)."""
    assert app is not None, "jobs.app is set by the worker before the scheduler starts"
    with app.app_context():
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
    assert app is not None, "jobs.app is set by the worker before the scheduler starts"
    with app.app_context():
        try:
            deliver_due_webhooks(clock.now())
        except Exception:
            db.session.rollback()
            log.exception("webhook delivery failed; the next round tries again")
        finally:
            db.session.remove()


def member_imports() -> None:
    """Every few seconds: large member imports queued from the console (checked, then imported),
    so that the web process never holds a 20,000-row file."""
    assert app is not None, "jobs.app is set by the worker before the scheduler starts"
    with app.app_context():
        try:
            run_member_imports(clock.now())
        except Exception:
            db.session.rollback()
            log.exception("member imports failed; the next round tries again")
        finally:
            db.session.remove()
