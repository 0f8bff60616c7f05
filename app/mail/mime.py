"""The MIME bytes of an outbox row: headers (RFC 2047 encoded words, addresses, List-Id and the
bulk-mail headers), 7-bit text parts, the calendar invite."""

import base64
import io
import quopri
from email import policy
from email.encoders import encode_base64
from email.generator import BytesGenerator
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.nonmultipart import MIMENonMultipart
from email.utils import formataddr, formatdate, parseaddr
from functools import lru_cache
from urllib.parse import urlsplit

from flask import current_app

from app import clock
from app.mail.failures import PermanentFailure
from app.text import breaks_header

# SMTP refuses lines over 998 bytes; about 330 Japanese characters without a break is enough.
MAX_LINE_BYTES = 998
# RFC 2047: an encoded word is at most 75 characters, a header line at most 78 (76 after the
# folding space). "=?utf-8?b?" and "?=" take 12, leaving 60 base64 characters: 45 bytes.
MAX_ENCODED_WORD = 75
_WORD_BYTES = (MAX_ENCODED_WORD - 12) // 4 * 3

# CRLF, and no re-folding below SMTP's hard limit: the Japanese headers are folded above, and a
# long List-Unsubscribe must stay a plain <URL> (policy.SMTP would turn it into an encoded word
# that no mail client reads as a link, breaking one-click unsubscribe). The compat32 generator
# writes the headers we give it byte for byte as policy.SMTP does (tests/mail prove it on every
# kind of message we build) in half the time: policy.SMTP parses each header again to fold it.
_WIRE_POLICY = policy.compat32.clone(linesep="\r\n", max_line_length=MAX_LINE_BYTES)
_SMTP_POLICY = policy.SMTP.clone(max_line_length=MAX_LINE_BYTES)


def wire_bytes(message: MIMEBase) -> bytes:
    """The message as sent: CRLF line ends, our headers as they are, no ">From " mangling."""
    out = io.BytesIO()
    BytesGenerator(out, mangle_from_=False, policy=_WIRE_POLICY).flatten(message)
    return out.getvalue()


def smtp_policy_bytes(message: MIMEBase) -> bytes:
    """The same message through policy.SMTP, as it was serialised before (for the tests)."""
    return message.as_bytes(policy=_SMTP_POLICY)


@lru_cache(maxsize=256)  # the sender, and a notice's subject, are the same in every message
def _folded(name: str, text: str) -> str:
    """`text` as RFC 2047 base64 encoded words of at most 75 characters, one per line, folded
    between words (never inside one, never inside a character); the first line, after the
    header's name, fits 78 too. email.header folds continuation words to 76 characters."""
    budget = min(_WORD_BYTES, (78 - len(name) - 2 - 12) // 4 * 3)
    words: list[str] = []
    chunk: list[str] = []
    size = 0
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


def list_id() -> str:
    """The members' list: <members.host of PUBLIC_BASE_URL> (RFC 2919 wants a domain we own)."""
    host = urlsplit(current_app.config["PUBLIC_BASE_URL"]).hostname or "localhost"
    return f"<members.{host}>"


def mime_bytes(outbox_message) -> bytes:
    """The message for an outbox row, unsigned, as sent. enqueue() stores it with the row, so
    delivery is a matter of sending bytes; its Message-ID and Date stay the same on every try."""
    return wire_bytes(mime_message(outbox_message))


def mime_message(outbox_message) -> MIMEBase:
    """The message for an outbox row, before serialisation.

    Built with the standard library alone: every body part must be 7-bit and Japanese headers
    folded once, by us. Flask-Mail's Message offers neither (it registers utf-8 bodies as 8bit and
    encodes headers without counting the header's name, so policy.SMTP re-folds them at about
    6 ms a message and puts spaces into names), and changing that meant overriding its private
    _message(); nothing else of it was used.
    """
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
    alternatives = []
    if outbox_message.html_body is not None:
        alternatives.append(("html", outbox_message.html_body))
    if outbox_message.calendar_body:
        # Inline for clients that show invites in place, attached for those that only import files.
        method = outbox_message.calendar_method
        alternatives.append((f"calendar; method={method}", outbox_message.calendar_body))
    body: MIMEBase = _text_part(outbox_message.text_body, "plain")
    if alternatives:
        body = MIMEMultipart("alternative", _subparts=[body])
        for subtype, content in alternatives:
            body.attach(_text_part(content, subtype))
    message: MIMEBase = body
    if outbox_message.calendar_body:
        message = MIMEMultipart(_subparts=[body])
        invite = MIMEBase("application", "ics")
        invite.set_payload(outbox_message.calendar_body.encode())
        encode_base64(invite)
        invite.add_header("Content-Disposition", "attachment", filename="invite.ics")
        message.attach(invite)
    subject = outbox_message.subject
    message["Subject"] = subject if subject.isascii() else _folded("Subject", subject)
    message["From"] = _address_header("From", current_app.config["MAIL_DEFAULT_SENDER"])
    # The envelope carries the bare address; the To header the name too.
    message["To"] = _address_header("To", (outbox_message.to_name, outbox_message.to_addr))
    message["Date"] = formatdate(clock.now().timestamp(), localtime=True)
    message["Message-ID"] = outbox_message.message_id
    for name, value in headers.items():
        message[name] = value
    return message
