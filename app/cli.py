"""Command-line entry points: `flask worker` and `flask seed-demo`."""

import logging
import signal
import time

import click
from flask import Flask, current_app

from app import clock
from app.demo import seed_demo
from app.extensions import db
from app.mail.outbox import deliver_due

log = logging.getLogger(__name__)


@click.command("worker")
@click.option("--once", is_flag=True, help="Deliver what is due now, then exit.")
def worker_command(once: bool) -> None:
    """Drain the mail outbox until stopped (SIGINT or SIGTERM finish the current message first)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    stopping = False

    def stop(_signum, _frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    target = current_app.config["MAIL_SERVER"] or current_app.config["MAIL_DEV_DIR"]
    log.info("worker started; delivering to %s", target)
    while not stopping:
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
            time.sleep(current_app.config["WORKER_POLL_SECONDS"])
    log.info("worker stopped")


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Only when the database has no events yet.")
def seed_demo_command(if_empty: bool) -> None:
    """Load the demo: the September セミナー＆情報交換会, the next 定期共有会 and a few members."""
    loaded = seed_demo(clock.now(), only_if_empty=if_empty)
    db.session.commit()
    click.echo("demo loaded" if loaded else "database already has events; demo not loaded")


def init_app(app: Flask) -> None:
    app.cli.add_command(worker_command)
    app.cli.add_command(seed_demo_command)
