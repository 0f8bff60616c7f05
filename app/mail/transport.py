"""Transports: SMTP through Flask-Mail, or the development mailbox (.eml files) when no server is set."""

import os
import smtplib
import socket
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

from flask import current_app
from flask_mail import BadHeaderError, Message

from app.extensions import mail


class TemporaryFailure(Exception):
    """Try again later. `connection_usable` says whether the rest of the batch can go on."""

    def __init__(self, message: str, connection_usable: bool = False):
        super().__init__(message)
        self.connection_usable = connection_usable


class PermanentFailure(Exception):
    """The server refused this message for good (5xx); retrying would not help."""


def build_message(outbox_message) -> Message:
    """The MIME message for an outbox row; its Message-ID is the row's, the same on every try."""
    recipient = outbox_message.to_addr
    if outbox_message.to_name:
        recipient = (outbox_message.to_name, outbox_message.to_addr)
    message = Message(
        subject=outbox_message.subject,
        recipients=[recipient],
        body=outbox_message.text_body,
        html=outbox_message.html_body,
        sender=current_app.config["MAIL_DEFAULT_SENDER"],
        charset="utf-8",
    )
    message.msgId = outbox_message.message_id
    message.date = time.time()
    return message


def _classify(error: Exception) -> Exception:
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        if codes and all(500 <= code < 600 for code in codes):
            return PermanentFailure(f"recipient refused: {error.recipients}")
        return TemporaryFailure(f"recipient deferred: {error.recipients}", connection_usable=True)
    if isinstance(error, smtplib.SMTPResponseException):
        text = f"{error.smtp_code} {error.smtp_error!r}"
        if 500 <= error.smtp_code < 600:
            return PermanentFailure(text)
        return TemporaryFailure(text, connection_usable=True)
    if isinstance(error, BadHeaderError):
        return PermanentFailure("bad header")
    return TemporaryFailure(f"{type(error).__name__}: {error}")


class SmtpTransport:
    """One SMTP connection reused for a batch."""

    def __init__(self, connection):
        self.connection = connection

    def send(self, outbox_message) -> None:
        try:
            self.connection.send(build_message(outbox_message))
        except (smtplib.SMTPException, OSError, BadHeaderError) as error:
            raise _classify(error) from error


class DevMailbox:
    """Writes each message as an .eml file under MAIL_DEV_DIR, so development shows every mail."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)

    def send(self, outbox_message) -> None:
        data = build_message(outbox_message).as_bytes()
        name = f"{outbox_message.created_at:%Y%m%d-%H%M%S}-{outbox_message.id:06d}.eml"
        # Write then rename, so a reader never sees half a message.
        fd, tmp = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, self.directory / name)


@contextmanager
def open_transport():
    """SMTP when MAIL_SERVER is set, else the development mailbox."""
    config = current_app.config
    if not config["MAIL_SERVER"]:
        yield DevMailbox(Path(config["MAIL_DEV_DIR"]))
        return
    # Flask-Mail opens smtplib connections without a timeout; a dead server must not hang the worker.
    socket.setdefaulttimeout(config["MAIL_TIMEOUT"])
    try:
        connection = mail.connect()
        connection.__enter__()
    except (smtplib.SMTPException, OSError) as error:
        raise _classify(error) from error
    try:
        yield SmtpTransport(connection)
    finally:
        try:
            connection.__exit__(None, None, None)
        except (smtplib.SMTPException, OSError):
            pass  # the messages are already recorded; a failed QUIT changes nothing
