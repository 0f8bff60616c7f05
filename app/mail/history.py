"""What has been mailed, for organizers: every outbox message to one address, one message as it
was sent, and the development mailbox's .eml files (when no SMTP server is set).

Screens built from these are shared and copied, so the personal keys in mailed links (manage,
join, unsubscribe, password reset) are shown hidden: an organizer who needs a link for someone
resends it rather than copying one from here.
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesHeaderParser, BytesParser
from email.utils import parsedate_to_datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import func, select

from app.extensions import db
from app.mail.outbox import OutboxMessage

PAGE_SIZE = 50
HIDDEN = "••••••"
# The headers worth showing of a message as sent, in this order.
SHOWN_HEADERS = (
    "From",
    "To",
    "Subject",
    "Date",
    "Message-ID",
    "List-Unsubscribe",
    "List-Unsubscribe-Post",
    "Auto-Submitted",
)
# A signed token in a URL path: "<id>.<mac>" (app/tokens.py) or an itsdangerous
# "<payload>.<time>.<signature>". Event slugs ("seminar.ics") never end in 20 such characters.
_TOKEN_SEGMENT = re.compile(
    r"(?<=/)[A-Za-z0-9_-]+(?:\.[A-Za-z0-9_-]+)*\.[A-Za-z0-9_-]{20,}(?=[/?#]|$)"
)
_URL_CHARS = r"[A-Za-z0-9\-._~:/?#\[\]@!$&*+,;=%]+"
# What DevMailbox names its files: <created, %Y%m%d-%H%M%S>-<outbox id>.eml. Nothing else is read.
DEV_MAIL_NAME = re.compile(r"[0-9]{8}-[0-9]{6}-[0-9]{6,12}\.eml")


@dataclass(frozen=True)
class Page:
    items: list
    page: int
    has_next: bool


def normalize_address(email: str) -> str:
    """An address as the forms store it: full-width folded (NFKC), trimmed, lower case."""
    return unicodedata.normalize("NFKC", email or "").strip().lower()


def messages_to(email: str, page: int = 1, per_page: int = PAGE_SIZE) -> Page:
    """Every outbox message to `email` (any case), newest first, one page of them."""
    address = normalize_address(email)
    if not address:
        return Page([], 1, False)
    page = max(page, 1)
    query = (
        select(OutboxMessage)
        .where(func.lower(OutboxMessage.to_addr) == address)
        .order_by(OutboxMessage.created_at.desc(), OutboxMessage.id.desc())
        .limit(per_page + 1)
        .offset((page - 1) * per_page)
    )
    rows = list(db.session.scalars(query))
    return Page(rows[:per_page], page, len(rows) > per_page)


def hide_personal_links(text: str) -> str:
    """`text` with the key in each of our own personal links replaced by dots."""
    base = re.escape(current_app.config["PUBLIC_BASE_URL"])

    def hide(match: re.Match) -> str:
        return _TOKEN_SEGMENT.sub(HIDDEN, match.group(0))

    return re.sub(base + _URL_CHARS, hide, text or "")


def sent_headers(message: OutboxMessage) -> list[tuple[str, str]]:
    """The main headers of the message as it went out (decoded), personal links hidden."""
    if not message.mime:
        return [("To", message.to_addr), ("Subject", message.subject)]
    parsed = BytesHeaderParser(policy=policy.default).parsebytes(message.mime)
    return [
        (name, hide_personal_links(str(parsed[name])))
        for name in SHOWN_HEADERS
        if parsed[name] is not None
    ]


# --- the development mailbox -----------------------------------------------------------------


@dataclass(frozen=True)
class DevMail:
    """One .eml file of the development mailbox."""

    name: str
    subject: str
    to: str
    date: datetime | None  # None when the header is missing or unreadable
    message: EmailMessage | None = None

    def _read(self) -> EmailMessage:
        if self.message is None:
            raise LookupError("a listed mail has no body; open it with dev_message()")
        return self.message

    @property
    def headers(self) -> list[tuple[str, str]]:
        message = self._read()
        return [(n, str(message[n])) for n in SHOWN_HEADERS if message[n] is not None]

    @property
    def text(self) -> str:
        part = self._read().get_body(preferencelist=("plain",))
        return part.get_content() if part is not None else ""

    @property
    def attachments(self) -> list[str]:
        return [part.get_filename() or "" for part in self._read().iter_attachments()]


def _directory() -> Path:
    return Path(current_app.config["MAIL_DEV_DIR"])


def _summary(name: str, message) -> DevMail:
    try:
        date = parsedate_to_datetime(str(message["Date"])) if message["Date"] else None
    except (TypeError, ValueError):
        date = None
    return DevMail(name, str(message["Subject"] or ""), str(message["To"] or ""), date)


def dev_mailbox(page: int = 1, per_page: int = PAGE_SIZE) -> Page:
    """The development mailbox's messages, newest first (their names start with the time)."""
    directory = _directory()
    names = (
        sorted(
            (p.name for p in directory.iterdir() if DEV_MAIL_NAME.fullmatch(p.name)), reverse=True
        )
        if directory.is_dir()
        else []
    )
    page = max(page, 1)
    parser = BytesHeaderParser(policy=policy.default)
    items = []
    for name in names[(page - 1) * per_page : page * per_page]:
        with open(directory / name, "rb") as f:
            items.append(_summary(name, parser.parse(f)))
    return Page(items, page, len(names) > page * per_page)


def dev_mail(name: str) -> DevMail | None:
    """One message of the development mailbox by file name, or None.

    Only names DevMailbox writes are accepted, so no name can reach outside the folder.
    """
    if not DEV_MAIL_NAME.fullmatch(name or ""):
        return None
    path = _directory() / name
    if not path.is_file():
        return None
    with open(path, "rb") as f:
        message = BytesParser(policy=policy.default).parse(f)
    summary = _summary(name, message)
    return DevMail(summary.name, summary.subject, summary.to, summary.date, message)
