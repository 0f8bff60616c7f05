"""`flask worker`: drains the mail outbox and, in the one worker holding the leader lock, runs the
scheduler. Start as many as you like; they share the outbox and only one schedules."""

import logging
import signal
import time
from pathlib import Path

import click
from flask import current_app

from app import clock
from app.extensions import db
from app.mail.delivery import deliver_due
from app.ops import heartbeat
from app.scheduling.leader import LeaderLock
from app.scheduling.scheduler import start_scheduler

log = logging.getLogger(__name__)

# How often a standby asks for the lock, and the leader checks it still holds it.
LEADER_CHECK_SECONDS = 5
# How often the worker records that it is alive (read by /readyz).
HEARTBEAT_SECONDS = 10


class Leadership:
    """Holds the leader lock and the scheduler that goes with it."""

    def __init__(self, app):
        self.app = app
        self.lock = LeaderLock(db.engine, Path(app.instance_path))
        self.scheduler = None
        self.next_check = 0.0

    def tick(self) -> None:
        if time.monotonic() < self.next_check:
            return
        self.next_check = time.monotonic() + LEADER_CHECK_SECONDS
        if self.scheduler is None and self.lock.try_acquire():
            self.scheduler = start_scheduler(self.app)
            log.info("scheduler active in this worker")
        elif self.scheduler is not None and not self.lock.still_held():
            self.scheduler.shutdown(wait=False)
            self.scheduler = None
            log.warning("scheduler stopped: lock lost; standing by")

    def stop(self) -> None:
        if self.scheduler is not None:
            self.scheduler.shutdown(wait=True)
            self.scheduler = None
        self.lock.release()


@click.command("worker")
@click.option("--once", is_flag=True, help="Deliver what is due now, then exit (no scheduler).")
@click.option("--no-scheduler", is_flag=True, help="Only deliver mail; never lead.")
def worker_command(once: bool, no_scheduler: bool) -> None:
    """Drain the mail outbox until stopped (SIGINT or SIGTERM finish the current message first)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    logging.getLogger("apscheduler.executors.default").setLevel(logging.WARNING)  # a line a minute
    stopping = False

    def stop(_signum, _frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    app = current_app._get_current_object()  # type: ignore[attr-defined]  # the proxy's object
    target = app.config["MAIL_SERVER"] or app.config["MAIL_DEV_DIR"]
    log.info("worker started; delivering to %s", target)
    leadership = None if (once or no_scheduler) else Leadership(app)
    next_beat = 0.0
    try:
        while not stopping:
            if leadership is not None:
                leadership.tick()
            if time.monotonic() >= next_beat:
                next_beat = time.monotonic() + HEARTBEAT_SECONDS
                _beat(leadership)
            try:
                sent = deliver_due(clock.now())
            except Exception:
                db.session.rollback()
                log.exception("delivery round failed; trying again")
                sent = 0
            finally:
                db.session.remove()
            if sent:
                log.info("sent %d message(s)", sent)
            if once and not sent:
                break
            if not sent:
                time.sleep(app.config["WORKER_POLL_SECONDS"])
    finally:
        if leadership is not None:
            leadership.stop()
        try:
            heartbeat.forget()
            db.session.commit()
        except Exception:
            log.warning("could not remove this worker's heartbeat", exc_info=True)
    log.info("worker stopped")


def _beat(leadership) -> None:
    try:
        heartbeat.beat(
            clock.now(), leader=leadership is not None and leadership.scheduler is not None
        )
        db.session.commit()
    except Exception:
        db.session.rollback()
        log.warning("heartbeat not recorded", exc_info=True)
