"""Reading a bounce: RFC 3464 delivery status notifications (multipart/report with
message/delivery-status), and the plain-text shapes qmail, old Postfix and Exchange send, which
carry an enhanced status code (RFC 3463, 5.x.x or 4.x.x) somewhere in their text. Out-of-office
replies are told apart and ignored. Pure functions of the message: nothing here touches the
database, and no input makes them raise.
"""

import re
from dataclasses import dataclass
from email.header import decode_header, make_header
from email.message import Message
from email.utils import parseaddr

from app.inbound.models import BounceKind

# An enhanced status code (RFC 3463): class 2, 4 or 5, subject and detail up to three digits.
_STATUS = re.compile(r"(?<![\d.])([245])\.(\d{1,3})\.(\d{1,3})(?![\d.])")
# A basic SMTP reply code at the start of a line or after "said:" / "returned '".
_REPLY_CODE = re.compile(r"(?:^|said:\s*|returned\s+'|\s)([45])\d\d(?:[\s-]|$)", re.MULTILINE)
_MESSAGE_ID = re.compile(r"^Message-ID:\s*(<[^>\r\n]{1,250}>)", re.IGNORECASE | re.MULTILINE)
_AUTO_REPLY_SUBJECT = re.compile(
    r"^\s*(不在|自動応答|自動返信|自動送信|out of (the )?office|automatic reply|auto[- ]?reply"
    r"|autoreply|abwesenheit|absence)",
    re.IGNORECASE,
)
_BOUNCE_SENDER = re.compile(r"^(mailer-daemon|postmaster|mail-daemon)@", re.IGNORECASE)
_BOUNCE_SUBJECT = re.compile(
    r"undeliver|undelivered|delivery status|delivery (has )?failed|failure notice|returned mail"
    r"|mail delivery|delivery failure|not delivered|配信不能|配送|送信できません|エラー",
    re.IGNORECASE,
)
MAX_TEXT = 200_000  # characters of a bounce's text looked at; more is never a bounce's doing


@dataclass(frozen=True)
class RecipientStatus:
    """One recipient a bounce reports on: the address it names (may be empty), the status."""

    email: str
    status: str  # "5.1.1"
    kind: BounceKind
    reason: str


@dataclass(frozen=True)
class Bounce:
    """What a bounce says: who failed how, and the Message-ID of the mail that bounced."""

    recipients: list[RecipientStatus]
    original_message_id: str | None


def _text_of(part: Message) -> str:
    try:
        payload = part.get_payload(decode=True)
    except Exception:  # a malformed transfer encoding: nothing to read
        return ""
    if not isinstance(payload, bytes):
        return ""
    charset = part.get_content_charset() or "utf-8"
    try:
        return payload.decode(charset, errors="replace")[:MAX_TEXT]
    except LookupError:  # a charset Python does not know
        return payload.decode("utf-8", errors="replace")[:MAX_TEXT]


def _header(message: Message, name: str) -> str:
    """A header's text, RFC 2047 words decoded; empty when absent or unreadable."""
    try:
        value = message.get(name)
        if value is None:
            return ""
        return str(make_header(decode_header(str(value)))).strip()
    except Exception:  # an encoded word in an unknown charset, a broken one: read it raw
        return str(message.get(name, "")).strip()


def _kind(status: str) -> BounceKind | None:
    return {"5": BounceKind.HARD, "4": BounceKind.SOFT}.get(status[:1])


def _address(value: str) -> str:
    """The address of a recipient field: "rfc822; user@example.jp" or a plain address."""
    _, _, address = value.rpartition(";")
    return parseaddr(address.strip())[1].lower()


def is_auto_reply(message: Message) -> bool:
    """An out-of-office or other auto-reply (RFC 3834 and the common private headers)."""
    auto_submitted = _header(message, "Auto-Submitted").lower()
    if auto_submitted.startswith("auto-replied"):
        return True
    if any(_header(message, name) for name in ("X-Autoreply", "X-Autorespond", "X-Autoresponse")):
        return True
    if _header(message, "Precedence").lower() == "auto_reply":
        return True
    return bool(_AUTO_REPLY_SUBJECT.match(_header(message, "Subject")))


def _report_parts(message: Message) -> tuple[Message | None, str | None]:
    """The message/delivery-status part of a report, and the returned Message-ID, if any."""
    status_part = None
    message_id = None
    for part in message.walk():
        content_type = part.get_content_type()
        if content_type in ("message/delivery-status", "message/global-delivery-status"):
            status_part = part
        elif content_type in ("message/rfc822", "message/global") and part.is_multipart():
            returned = part.get_payload(0)
            if isinstance(returned, Message) and message_id is None:
                message_id = _header(returned, "Message-ID") or None
        elif content_type in ("text/rfc822-headers", "text/rfc822-header") and message_id is None:
            found = _MESSAGE_ID.search(_text_of(part))
            message_id = found.group(1) if found else None
    return status_part, message_id


def _status_blocks(status_part: Message) -> list[Message]:
    """The per-message block and the per-recipient blocks, as the email package splits them."""
    payload = status_part.get_payload()
    if isinstance(payload, list):
        return [block for block in payload if isinstance(block, Message)]
    return []


def _from_report(status_part: Message) -> list[RecipientStatus]:
    recipients = []
    for block in _status_blocks(status_part)[1:] or _status_blocks(status_part):
        action = _header(block, "Action").lower()
        status_field = _header(block, "Status")
        found = _STATUS.search(status_field)
        if found is None or action not in ("failed", "delayed"):
            continue  # delivered, relayed, expanded: nothing went wrong
        status = ".".join(found.groups())
        kind = _kind(status)
        if kind is None:
            continue
        email = _address(_header(block, "Original-Recipient") or _header(block, "Final-Recipient"))
        diagnostic = _header(block, "Diagnostic-Code")
        reason = " ".join(f"{status} {diagnostic}".split())[:2000]
        recipients.append(RecipientStatus(email, status, kind, reason))
    return recipients


def _from_text(message: Message) -> list[RecipientStatus]:
    """A plain-text bounce: the first enhanced status code in it (or a bare 5xx/4xx reply)."""
    texts = [
        _text_of(part)
        for part in message.walk()
        if part.get_content_type() in ("text/plain", "text/html") and not part.is_multipart()
    ]
    text = "\n".join(texts)[:MAX_TEXT]
    found = _STATUS.search(text)
    if found is not None and found.group(1) in "45":
        status = ".".join(found.groups())
    else:
        reply = _REPLY_CODE.search(text)
        if reply is None:
            return []
        status = f"{reply.group(1)}.0.0"
    kind = _kind(status)
    if kind is None:
        return []
    line = next((line for line in text.splitlines() if status in line), "")
    reason = " ".join((line or text[:300]).split())[:2000]
    return [RecipientStatus("", status, kind, reason or status)]


def _looks_like_bounce(message: Message) -> bool:
    sender = parseaddr(_header(message, "From"))[1]
    return bool(_BOUNCE_SENDER.match(sender) or _BOUNCE_SUBJECT.search(_header(message, "Subject")))


def parse_bounce(message: Message, to_return_path: bool) -> Bounce | None:
    """What a bounce says, or None when the message is no bounce (an auto-reply, a person).

    `to_return_path` says the message came to a valid return path, where only bounces are
    expected: a plain-text message with a status code is then taken as one even when neither
    its sender nor its subject says so.
    """
    status_part, message_id = _report_parts(message)
    if status_part is not None:
        recipients = _from_report(status_part)
        return Bounce(recipients, message_id) if recipients else None
    if is_auto_reply(message):
        return None
    if not (to_return_path or _looks_like_bounce(message)):
        return None
    recipients = _from_text(message)
    if not recipients:
        return None
    if message_id is None:
        for part in message.walk():
            if part.get_content_type() == "text/plain":
                found = _MESSAGE_ID.search(_text_of(part))
                if found:
                    message_id = found.group(1)
                    break
    return Bounce(recipients, message_id)
