"""`flask inbound`: the SMTP listener, and the IMAP poller when INBOUND_IMAP_HOST is set, until
SIGINT or SIGTERM."""

import logging
import signal
import time

import click
from flask import current_app

from app.inbound.imap import poll_mailbox
from app.inbound.listener import InboundListener

log = logging.getLogger(__name__)


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
    listener = None if no_smtp else InboundListener(app, port=port).start()
    interval = app.config["INBOUND_IMAP_INTERVAL_SECONDS"]
    next_poll = 0.0
    try:
        while not stopping:
            if app.config["INBOUND_IMAP_HOST"] and time.monotonic() >= next_poll:
                next_poll = time.monotonic() + interval
                poll_mailbox(app)
            time.sleep(0.2)
    finally:
        if listener is not None:
            listener.stop()
    log.info("inbound stopped")
