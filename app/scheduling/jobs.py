"""The jobs the scheduler runs. Each sweeps database rows, so a restart or reschedule is only a
matter of what the rows say (Indico-style), and each commits its own work."""

import logging

from flask import Flask

from app import clock
from app.announcements.services import queue_due_announcements
from app.extensions import db
from app.notices.services import send_half_year_notice
from app.ops.retention import apply_retention
from app.reminders.services import send_due_reminders
from app.webhooks.delivery import deliver_due_webhooks

log = logging.getLogger(__name__)

# The worker sets this before the scheduler starts: jobs run in the scheduler's thread and need
# an app context, while APScheduler can only store an importable function, not the app.
app: Flask | None = None


def sweep() -> None:
    """Every minute: due reminders, scheduled announcements, the half-yearly notice, retention."""
    assert app is not None, "jobs.app is set by the worker before the scheduler starts"
    with app.app_context():
        try:
            now = clock.now()
            reminders = send_due_reminders(now)
            announcements = queue_due_announcements(now)
            db.session.commit()
            notices = send_half_year_notice(now)
            apply_retention(now)
            if reminders or announcements or notices:
                log.info(
                    "queued %d reminder(s), %d announcement(s), %d notice(s)",
                    reminders,
                    announcements,
                    notices,
                )
        except Exception:
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
