"""The transport of a delivery run: SMTP when MAIL_SERVER is set, else the development mailbox.

Both send a message in two steps, start() then finish() (or abandon()), so the caller decides
between the two what must happen before the server can take the message; neither calls back.
"""

import smtplib
from contextlib import contextmanager
from pathlib import Path

from flask import current_app

from app.mail.devmailbox import DevMailbox
from app.mail.failures import TemporaryFailure
from app.mail.smtp import SmtpTransport, TimedConnection


@contextmanager
def open_transport():
    """SMTP when MAIL_SERVER is set, else the development mailbox.

    Any failure to connect, greet or log in fails the whole batch temporarily: the messages are
    retried with backoff and, if it never recovers, end as failed with the reason recorded.
    """
    config = current_app.config
    if not config["MAIL_SERVER"]:
        yield DevMailbox(Path(config["MAIL_DEV_DIR"]))
        return
    connection = TimedConnection(current_app.extensions["mail"])
    try:
        connection.__enter__()
    except Exception as error:
        raise TemporaryFailure(
            f"cannot open SMTP session: {type(error).__name__}: {error}"
        ) from error
    try:
        yield SmtpTransport(connection)
    finally:
        try:
            # Flask-Mail annotates the three as required; None is what `with` passes.
            connection.__exit__(None, None, None)  # type: ignore[arg-type]
        except (smtplib.SMTPException, OSError):
            pass  # every message is already recorded; a failed QUIT changes nothing
