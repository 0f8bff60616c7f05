"""The SMTP connection: opened with a timeout, one message sent in two steps, and every error
sorted into temporary (4xx, network) or permanent (5xx)."""

import re
import smtplib
import socket
from email.utils import parseaddr

from flask import current_app
from flask_mail import Connection

from app.mail.dkim import message_bytes
from app.mail.failures import PermanentFailure, TemporaryFailure
from app.mail.return_path import return_path

_LEADING_DOT = re.compile(rb"^\.", re.MULTILINE)
# Printable ASCII without spaces or angle brackets, with an @: what may stand between < and >.
_ENVELOPE_ADDRESS = re.compile(r"[!-;=?-~]+@[!-;=?-~]+")


def _classify(error: Exception) -> Exception:
    """Sort an error from sending one message into temporary (4xx, network) or permanent (5xx)."""
    if isinstance(error, TemporaryFailure | PermanentFailure):
        return error  # already decided (an unusable DKIM key, say)
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        codes = [code for code, _ in error.recipients.values()]
        if codes and all(500 <= code < 600 for code in codes):
            return PermanentFailure(f"recipient refused: {error.recipients}", flags_address=True)
        return TemporaryFailure(f"recipient deferred: {error.recipients}", connection_usable=True)
    if isinstance(error, smtplib.SMTPSenderRefused) and 500 <= error.smtp_code < 600:
        # About this message (too big, say) or our sender, not about the recipient's address.
        return PermanentFailure(f"sender refused: {error.smtp_code} {error.smtp_error!r}")
    if isinstance(error, smtplib.SMTPResponseException):
        text = f"{error.smtp_code} {error.smtp_error!r}"
        if 500 <= error.smtp_code < 600:
            return PermanentFailure(text, flags_address=True)
        return TemporaryFailure(text, connection_usable=True)
    if isinstance(error, smtplib.SMTPException | OSError):
        return TemporaryFailure(f"{type(error).__name__}: {error}")
    # Anything else means this message cannot be built or encoded: retrying will not help.
    return PermanentFailure(f"{type(error).__name__}: {error}")


class TimedConnection(Connection):
    """Flask-Mail's connection, opened with a timeout so a silent server cannot hang the worker."""

    def configure_host(self):
        mail, timeout = self.mail, current_app.config["MAIL_TIMEOUT"]
        smtp = smtplib.SMTP_SSL if mail.use_ssl else smtplib.SMTP
        host = smtp(mail.server, mail.port, timeout=timeout)
        # The "." that ends DATA goes in a write of its own (SmtpTransport.finish); Nagle's algorithm
        # would hold it back until the server acknowledged the message, 40 ms on Linux.
        assert host.sock is not None, "smtplib connects in its constructor"
        host.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if mail.use_tls:
            host.starttls()
        if mail.username and mail.password:
            host.login(mail.username, mail.password)
        return host


class SmtpTransport:
    """One SMTP connection reused for a batch.

    Flask-Mail gives the connection (its settings, configure_host, the smtplib object as
    `connection.host`); the conversation is smtplib's sendmail() taken apart, for one recipient:
    Flask-Mail's send() would encode the sender and recipient again, and enqueue() has already
    refused line breaks in headers.
    """

    def __init__(self, connection):
        self.connection = connection
        self.envelope_from = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])[1]
        if not _ENVELOPE_ADDRESS.fullmatch(self.envelope_from):
            raise TemporaryFailure(f"MAIL_DEFAULT_SENDER {self.envelope_from!r} is not an address")

    def start(self, outbox_message) -> None:
        """Send all of one message but the "." that ends DATA: the server cannot have taken it
        yet, so the caller may still decide (finish() or abandon())."""
        data = message_bytes(outbox_message)
        smtp = self.connection.host
        try:
            # Per-message return path when BOUNCE_DOMAIN is set: bounces come back naming the row.
            sender = return_path(outbox_message.id) or self.envelope_from
            self._envelope(smtp, sender, outbox_message.to_addr, len(data))
            code, reply = smtp.docmd("DATA")
            if code != 354:
                _end_transaction(smtp, code)
                raise smtplib.SMTPDataError(code, reply)
            # Dot-stuffing (RFC 5321 4.5.2); the stored message already ends its lines in CRLF.
            smtp.send(_LEADING_DOT.sub(b"..", data) + (b"" if data.endswith(b"\r\n") else b"\r\n"))
        except Exception as error:
            raise _classify(error) from error

    def finish(self) -> None:
        """Send the "." that hands the started message over, and read the server's answer."""
        smtp = self.connection.host
        try:
            smtp.send(b".\r\n")
            code, reply = smtp.getreply()
            if code != 250:
                _end_transaction(smtp, code)
                raise smtplib.SMTPDataError(code, reply)
        except Exception as error:
            raise _classify(error) from error

    def abandon(self) -> None:
        """Drop the started message: mid-DATA, only a dropped connection makes the server
        discard it."""
        self.connection.host.close()

    def _envelope(self, smtp: smtplib.SMTP, sender: str, to_addr: str, size: int) -> None:
        # MAIL and RCPT written here: smtplib's mail() and rcpt() parse each address again with
        # email.utils, which cost more than the server's answer took to arrive.
        if not _ENVELOPE_ADDRESS.fullmatch(to_addr):
            raise PermanentFailure(f"cannot put {to_addr!r} in an SMTP envelope")
        smtp.ehlo_or_helo_if_needed()
        size_option = f" SIZE={size}" if smtp.does_esmtp and smtp.has_extn("size") else ""
        code, reply = smtp.docmd("MAIL", f"FROM:<{sender}>{size_option}")
        if code != 250:
            _end_transaction(smtp, code)
            raise smtplib.SMTPSenderRefused(code, reply, sender)
        code, reply = smtp.docmd("RCPT", f"TO:<{to_addr}>")
        if code not in (250, 251):
            _end_transaction(smtp, code)
            raise smtplib.SMTPRecipientsRefused({to_addr: (code, reply)})


def _end_transaction(smtp: smtplib.SMTP, code: int) -> None:
    """After a refusal, as sendmail() does: 421 means the server is closing, else reset."""
    if code == 421:
        smtp.close()
    else:
        try:
            smtp.rset()
        except smtplib.SMTPServerDisconnected:
            pass
