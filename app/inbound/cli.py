"""`flask inbound`: the SMTP listener, and the IMAP poller when INBOUND_IMAP_HOST is set, until
SIGINT or SIGTERM; and the unit of work both doors share: one message, one commit, one error
boundary. A message we cannot read is logged and dropped (answered as accepted, so no server
sends it again and again); only a database that is not there asks the sender to try later."""

import logging
import signal
import time

import click
from flask import Flask, current_app
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from app import clock
from app.audit.actor import SYSTEM
from app.extensions import db
from app.inbound.imap import poll_mailbox
from app.inbound.listener import InboundListener
from app.inbound.receive import receive

log = logging.getLogger(__name__)


def take_message(app: Flask, raw: bytes, recipients: list[str]) -> bool:
    """Receive one message in its own app context and transaction; False: try again later."""
    with app.app_context():
        try:
            outcome = receive(raw, recipients, clock.now(), actor=SYSTEM)
            db.session.commit()
        except IntegrityError:
            # A copy of the same bounce or reply recorded by the other door a moment ago.
            db.session.rollback()
            outcome = "duplicate"
        except SQLAlchemyError:
            db.session.rollback()
            log.exception("inbound message not recorded; the sender should try again")
            return False
        except Exception:
            db.session.rollback()
            log.exception("inbound message could not be read; dropped")
            outcome = "dropped"
        finally:
            db.session.remove()
        log.info("inbound message (%d bytes): %s", len(raw), outcome)
        return True


@click.command("inbound")
@click.option("--port", type=int, default=None, help="Listen here instead of INBOUND_SMTP_PORT.")
@click.option("--no-smtp", is_flag=True, help="Only poll the IMAP mailbox.")
def inbound_command(port: int | None, no_smtp: bool) -> None:
    """Receive bounces and calendar replies (SMTP listener, IMAP polling)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    app = current_app._get_current_object()  # type: ignore[attr-defined]  # the proxy's object
    stopping = False

    def stop(_signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    listener = None if no_smtp else InboundListener(app, take_message, port=port).start()
    interval = app.config["INBOUND_IMAP_INTERVAL_SECONDS"]
    next_poll = 0.0
    try:
        while not stopping:
            if app.config["INBOUND_IMAP_HOST"] and time.monotonic() >= next_poll:
                next_poll = time.monotonic() + interval
                poll_mailbox(app, take_message)
            time.sleep(0.2)
    finally:
        if listener is not None:
            listener.stop()
    log.info("inbound stopped")
