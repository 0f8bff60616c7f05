"""Transports: SMTP through Flask-Mail, or the development mailbox (.eml files) when no server is set."""

import base64
import os
import quopri
import re
import smtplib
import socket
import tempfile
from contextlib import contextmanager
from email import policy
from email.encoders import encode_base64
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.nonmultipart import MIMENonMultipart
from email.utils import formataddr, formatdate, parseaddr
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

import dkim
from flask import current_app
from flask_mail import Connection, Message

from app import clock
from app.text import breaks_header

# SMTP refuses lines over 998 bytes; about 330 Japanese characters without a break is enough.
MAX_LINE_BYTES = 998
# RFC 2047: an encoded word is at most 75 characters, a header line at most 78 (76 after the
# folding space). "=?utf-8?b?" and "?=" take 12, leaving 60 base64 characters: 45 bytes.
MAX_ENCODED_WORD = 75
_WORD_BYTES = (MAX_ENCODED_WORD - 12) // 4 * 3
_LEADING_DOT = re.compile(rb"^\.", re.MULTILINE)
# Printable ASCII without spaces or angle brackets, with an @: what may stand between < and >.
_ENVELOPE_ADDRESS = re.compile(r"[!-;=?-~]+@[!-;=?-~]+")


class TemporaryFailure(Exception):
    """Try again later. `connection_usable` says whether the rest of the batch can go on."""

    def __init__(self, message: str, connection_usable: bool = False):
        super().__init__(message)
        self.connection_usable = connection_usable


class PermanentFailure(Exception):
    """This message cannot be delivered (a 5xx answer, or a message we cannot even build).

    `flags_address` is set when the server refused the recipient, so bulk mail skips it later.
    """

    def __init__(self, message: str, flags_address: bool = False):
        super().__init__(message)
        self.flags_address = flags_address


# Signed when DKIM is configured. Reply-To, List-Id and the List-Unsubscribe headers are named on
# mail without them too: a header listed but absent cannot be added later without breaking the
# signature, and bulk senders' one-click headers must be covered by it.
DKIM_SIGNED_HEADERS = (
    b"From",
    b"To",
    b"Subject",
    b"Reply-To",
    b"Date",
    b"Message-ID",
    b"List-Id",
    b"List-Unsubscribe",
    b"List-Unsubscribe-Post",
    b"MIME-Version",
    b"Content-Type",
)


class DkimSigner:
    """Signs a message's final bytes (rsa-sha256, relaxed/relaxed) with a key read from a PEM file."""

    def __init__(self, selector: str, domain: str, private_key: bytes):
        self.selector = selector.encode("ascii")
        self.domain = domain.encode("ascii")
        self.private_key = private_key

    def sign(self, data: bytes) -> bytes:
        signature = dkim.sign(
            data,
            self.selector,
            self.domain,
            self.private_key,
            canonicalize=(b"relaxed", b"relaxed"),
            include_headers=list(DKIM_SIGNED_HEADERS),
        )
        return signature + data


# The signer for the settings and key file as they were last read; read again if the file changes.
_dkim_signers: dict[tuple, DkimSigner] = {}


def dkim_signer() -> DkimSigner | None:
    """The signer for DKIM_* settings, or None when they are not all set.

    A key that cannot be read or parsed is a temporary failure: the mail waits (with backoff)
    for the key to be fixed instead of being sent unsigned or marked failed.
    """
    config = current_app.config
    path = config.get("DKIM_PRIVATE_KEY_PATH", "")
    selector = config.get("DKIM_SELECTOR", "")
    domain = config.get("DKIM_DOMAIN", "")
    if not (path and selector and domain):
        return None
    try:
        stat = os.stat(path)
        cache_key = (path, selector, domain, stat.st_mtime_ns, stat.st_size)
        signer = _dkim_signers.get(cache_key)
        if signer is None:
            # dkimpy finds the PEM body only between LF line ends; accept CRLF files too.
            key = Path(path).read_bytes().replace(b"\r\n", b"\n")
            dkim.crypto.parse_pem_private_key(key)  # refuse a bad key here, not per message
            signer = DkimSigner(selector, domain, key)
            _dkim_signers.clear()
            _dkim_signers[cache_key] = signer
        return signer
    except Exception as error:  # unreadable file, not PEM, not RSA, non-ASCII selector ...
        raise TemporaryFailure(
            f"DKIM key {path} unusable: {type(error).__name__}: {error}"
        ) from error


# CRLF, and no re-folding below SMTP's hard limit: the Japanese headers are folded above, and a
# long List-Unsubscribe must stay a plain <URL> (policy.SMTP would turn it into an encoded word
# that no mail client reads as a link, breaking one-click unsubscribe).
_WIRE_POLICY = policy.SMTP.clone(max_line_length=MAX_LINE_BYTES)


@lru_cache(maxsize=256)  # the sender, and a notice's subject, are the same in every message
def _folded(name: str, text: str) -> str:
    """`text` as RFC 2047 base64 encoded words of at most 75 characters, one per line, folded
    between words (never inside one, never inside a character); the first line, after the
    header's name, fits 78 too. email.header folds continuation words to 76 characters."""
    budget = min(_WORD_BYTES, (78 - len(name) - 2 - 12) // 4 * 3)
    words, chunk, size = [], [], 0
    for char in text:
        width = len(char.encode())
        if chunk and size + width > budget:
            words.append("".join(chunk))
            chunk, size, budget = [], 0, _WORD_BYTES
        chunk.append(char)
        size += width
    words.append("".join(chunk))
    return "\n ".join(
        "=?utf-8?b?" + base64.b64encode(word.encode()).decode() + "?=" for word in words
    )


def _address_header(name: str, address: str | tuple[str, str]) -> str:
    display, addr = parseaddr(address) if isinstance(address, str) else address
    if display.isascii():
        return formataddr((display, addr))
    encoded = _folded(name, display)
    last_line = encoded.rsplit("\n", 1)[-1]
    separator = " " if len(last_line) + len(addr) + 3 <= 78 else "\n "
    return f"{encoded}{separator}<{addr}>"


def _text_part(text: str, subtype: str) -> MIMENonMultipart:
    """A text part that is 7-bit safe, so no relay ever re-encodes it and the DKIM body hash holds
    on every hop (we declare no BODY=8BITMIME, so 8-bit bodies would be a protocol violation).

    ASCII with short lines goes as it is. Otherwise the shorter of quoted-printable and base64:
    QP keeps ASCII (URLs, codes) readable in the raw source but costs 3 bytes for every byte of a
    Japanese character (9 per character), base64 costs 4 for every 3 bytes, so Japanese prose is
    about half the size as base64, while a mostly-ASCII text stays QP.
    """
    data = text.replace("\r\n", "\n").encode()
    part = MIMENonMultipart("text", subtype, charset="utf-8")
    if data.isascii() and all(len(line) <= MAX_LINE_BYTES for line in data.split(b"\n")):
        part["Content-Transfer-Encoding"] = "7bit"
        part.set_payload(data.decode("ascii"))
        return part
    quoted = quopri.encodestring(data)
    # Base64 carries the text's canonical form, CRLF line ends (RFC 2045); QP's line breaks are
    # CRLF on the wire already.
    encoded = base64.encodebytes(data.replace(b"\n", b"\r\n"))
    if len(quoted) <= len(encoded):
        part["Content-Transfer-Encoding"] = "quoted-printable"
        part.set_payload(quoted.decode("ascii"))
    else:
        part["Content-Transfer-Encoding"] = "base64"
        part.set_payload(encoded.decode("ascii"))
    return part


class _Message(Message):
    """A Flask-Mail message whose MIME tree we build ourselves, for two reasons: every body part
    is 7-bit (Flask-Mail registers utf-8 bodies as 8bit); Japanese headers are folded once, by us
    (Flask-Mail encodes them without counting the header's name, so policy.SMTP parses and
    re-folds them at about 6 ms a message, and puts spaces into names).

    `recipients` holds the bare address (the envelope); the To header carries `to_name` too.
    """

    to_name: str = ""

    def _message(self):
        body = _text_part(self.body, "plain")
        if self.alts:
            body = MIMEMultipart("alternative", _subparts=[body])
            for subtype, content in self.alts.items():
                body.attach(_text_part(content, subtype))
        message = MIMEMultipart(_subparts=[body]) if self.attachments else body
        for attachment in self.attachments:
            part = MIMEBase(*attachment.content_type.split("/"))
            part.set_payload(attachment.data)
            encode_base64(part)
            part.add_header(
                "Content-Disposition", attachment.disposition, filename=attachment.filename
            )
            message.attach(part)
        message["Subject"] = (
            self.subject if self.subject.isascii() else _folded("Subject", self.subject)
        )
        message["From"] = _address_header("From", self.sender)
        message["To"] = _address_header("To", (self.to_name, self.recipients[0]))
        message["Date"] = formatdate(self.date, localtime=True)
        message["Message-ID"] = self.msgId
        for name, value in self.extra_headers.items():
            message[name] = value
        message.policy = _WIRE_POLICY
        return message


def list_id() -> str:
    """The members' list: <members.host of PUBLIC_BASE_URL> (RFC 2919 wants a domain we own)."""
    host = urlsplit(current_app.config["PUBLIC_BASE_URL"]).hostname or "localhost"
    return f"<members.{host}>"


def mime_bytes(outbox_message) -> bytes:
    """The message for an outbox row, unsigned, as sent. enqueue() stores it with the row, so
    delivery is a matter of sending bytes; its Message-ID and Date stay the same on every try."""
    header_values = (
        outbox_message.subject,
        outbox_message.to_name,
        outbox_message.to_addr,
        outbox_message.unsubscribe_url or "",
        outbox_message.reply_to_name or "",
        outbox_message.reply_to_addr or "",
    )
    if any(breaks_header(value) for value in header_values):
        # enqueue() refuses these; a row written some other way must not inject headers either.
        raise PermanentFailure("line break or control character in a mail header")
    # Everything we send is automated: out-of-office replies should stay away (RFC 3834).
    headers = {"Auto-Submitted": "auto-generated"}
    if outbox_message.unsubscribe_url:
        # Bulk mail (notices, announcements): one list, the members' (RFC 2919), as filters and
        # SpamAssassin's LIST_PARTIAL_SHORT_MSG expect beside List-Unsubscribe.
        headers["List-Id"] = list_id()
        # RFC 8058 one-click: the provider POSTs to this URL; no login, no form.
        headers["List-Unsubscribe"] = f"<{outbox_message.unsubscribe_url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        headers["Precedence"] = "bulk"
    else:
        # Outlook/Exchange ignore Auto-Submitted and answer notifications with 不在通知.
        headers["X-Auto-Response-Suppress"] = "OOF, AutoReply"
    if outbox_message.reply_to_addr:
        headers["Reply-To"] = _address_header(
            "Reply-To", (outbox_message.reply_to_name or "", outbox_message.reply_to_addr)
        )
    message = _Message(
        extra_headers=headers,
        subject=outbox_message.subject,
        recipients=[outbox_message.to_addr],
        body=outbox_message.text_body,
        html=outbox_message.html_body,
        sender=current_app.config["MAIL_DEFAULT_SENDER"],
        charset="utf-8",
    )
    message.to_name = outbox_message.to_name
    if outbox_message.calendar_body:
        # Inline for clients that show invites in place, attached for those that only import files.
        method = outbox_message.calendar_method
        message.alts[f"calendar; method={method}"] = outbox_message.calendar_body
        message.attach(
            "invite.ics", "application/ics", outbox_message.calendar_body.encode(), "attachment"
        )
    message.msgId = outbox_message.message_id
    message.date = clock.now().timestamp()
    return message.as_bytes()


def message_bytes(outbox_message) -> bytes:
    """What goes on the wire: the stored bytes (built now for a row that has none), DKIM-signed
    at send time when a key is configured."""
    data = outbox_message.mime
    if data is None:
        try:
            data = mime_bytes(outbox_message)
        except PermanentFailure:
            raise
        except Exception as error:  # a row written around enqueue() that cannot be encoded
            raise PermanentFailure(f"{type(error).__name__}: {error}") from error
    signer = dkim_signer()
    return signer.sign(data) if signer else data


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


class _TimedConnection(Connection):
    """Flask-Mail's connection, opened with a timeout so a silent server cannot hang the worker."""

    def configure_host(self):
        mail, timeout = self.mail, current_app.config["MAIL_TIMEOUT"]
        smtp = smtplib.SMTP_SSL if mail.use_ssl else smtplib.SMTP
        host = smtp(mail.server, mail.port, timeout=timeout)
        # The "." that ends DATA goes in a write of its own (SmtpTransport.send); Nagle's algorithm
        # would hold it back until the server acknowledged the message, 40 ms on Linux.
        host.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        if mail.use_tls:
            host.starttls()
        if mail.username and mail.password:
            host.login(mail.username, mail.password)
        return host


class SmtpTransport:
    """One SMTP connection reused for a batch."""

    def __init__(self, connection):
        self.connection = connection
        self.envelope_from = parseaddr(current_app.config["MAIL_DEFAULT_SENDER"])[1]
        if not _ENVELOPE_ADDRESS.fullmatch(self.envelope_from):
            raise TemporaryFailure(f"MAIL_DEFAULT_SENDER {self.envelope_from!r} is not an address")

    def send(self, outbox_message, before_final_dot=None) -> None:
        """Send one message. `before_final_dot` runs when all of it but the "." that ends DATA has
        gone: the server cannot have taken the message yet (the outbox finishes recording the
        previous one there, so that its commit overlaps this conversation).

        smtplib's sendmail() taken apart, for one recipient: Flask-Mail's send() would encode the
        sender and recipient again, and enqueue() has already refused line breaks in headers.
        """
        data = message_bytes(outbox_message)
        smtp = self.connection.host
        try:
            self._envelope(smtp, outbox_message.to_addr, len(data))
            code, reply = smtp.docmd("DATA")
            if code != 354:
                _end_transaction(smtp, code)
                raise smtplib.SMTPDataError(code, reply)
            # Dot-stuffing (RFC 5321 4.5.2); the stored message already ends its lines in CRLF.
            smtp.send(_LEADING_DOT.sub(b"..", data) + (b"" if data.endswith(b"\r\n") else b"\r\n"))
        except Exception as error:
            raise _classify(error) from error
        if before_final_dot:
            try:
                before_final_dot()
            except BaseException:
                smtp.close()  # mid-DATA, only a dropped connection makes the server discard it
                raise
        try:
            smtp.send(b".\r\n")
            code, reply = smtp.getreply()
            if code != 250:
                _end_transaction(smtp, code)
                raise smtplib.SMTPDataError(code, reply)
        except Exception as error:
            raise _classify(error) from error

    def _envelope(self, smtp: smtplib.SMTP, to_addr: str, size: int) -> None:
        # MAIL and RCPT written here: smtplib's mail() and rcpt() parse each address again with
        # email.utils, which cost more than the server's answer took to arrive.
        if not _ENVELOPE_ADDRESS.fullmatch(to_addr):
            raise PermanentFailure(f"cannot put {to_addr!r} in an SMTP envelope")
        smtp.ehlo_or_helo_if_needed()
        size_option = f" SIZE={size}" if smtp.does_esmtp and smtp.has_extn("size") else ""
        code, reply = smtp.docmd("MAIL", f"FROM:<{self.envelope_from}>{size_option}")
        if code != 250:
            _end_transaction(smtp, code)
            raise smtplib.SMTPSenderRefused(code, reply, self.envelope_from)
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


class DevMailbox:
    """Writes each message as an .eml file under MAIL_DEV_DIR, so development shows every mail."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.directory.mkdir(parents=True, exist_ok=True)

    def send(self, outbox_message, before_final_dot=None) -> None:
        data = message_bytes(outbox_message)
        if before_final_dot:
            before_final_dot()
        name = f"{outbox_message.created_at:%Y%m%d-%H%M%S}-{outbox_message.id:06d}.eml"
        # Write then rename, so a reader never sees half a message.
        fd, tmp = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, self.directory / name)


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
    connection = _TimedConnection(current_app.extensions["mail"])
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
            connection.__exit__(None, None, None)
        except (smtplib.SMTPException, OSError):
            pass  # every message is already recorded; a failed QUIT changes nothing
