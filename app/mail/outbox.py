"""The outbox: mail written in the same transaction as the change that causes it, delivered later.

A message moves queued -> sending (claimed with a lease) -> sent, or back to queued with a later
next_attempt_at after a temporary failure, or to failed after a permanent one. These functions
change the session and never commit: the delivery run (app/mail/delivery.py) does.
"""

import logging
from datetime import datetime
from email.utils import make_msgid
from enum import StrEnum
from typing import cast
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import CursorResult, ForeignKey, Index, LargeBinary, String, Text, update
from sqlalchemy.orm import Mapped, mapped_column

from app import clock, queueing
from app.database import UTCDateTime
from app.extensions import Model, db
from app.mail.failures import PermanentFailure
from app.mail.mime import mime_bytes
from app.mail.suppression import flag_address
from app.queueing import CLAIM_LEASE
from app.text import breaks_header, header_safe

log = logging.getLogger(__name__)


class OutboxStatus(StrEnum):
    QUEUED = "queued"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    WITHDRAWN = "withdrawn"  # bulk mail not yet sent when its recipient unsubscribed


class OutboxMessage(Model):
    """One mail to one recipient, waiting for or done with delivery."""

    __tablename__ = "outbox_messages"
    __table_args__ = (Index("ix_outbox_messages_due", "status", "next_attempt_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[str] = mapped_column(String(255), unique=True)
    category: Mapped[str] = mapped_column(String(50))
    to_addr: Mapped[str] = mapped_column(String(254), index=True)
    to_name: Mapped[str] = mapped_column(String(100), default="")
    subject: Mapped[str] = mapped_column(String(300))
    text_body: Mapped[str] = mapped_column(Text)
    html_body: Mapped[str | None] = mapped_column(Text)
    # A calendar invite travels inline (text/calendar; method=...) and as an .ics attachment.
    calendar_method: Mapped[str | None] = mapped_column(String(20))
    calendar_body: Mapped[str | None] = mapped_column(Text)
    # Where a reply should go instead of the sender (the person behind an inquiry).
    reply_to_addr: Mapped[str | None] = mapped_column(String(254))
    reply_to_name: Mapped[str | None] = mapped_column(String(100))
    # Bulk mail (notices, announcements) carries List-Unsubscribe pointing here (RFC 8058).
    unsubscribe_url: Mapped[str | None] = mapped_column(String(500))
    # The announcement this message belongs to, for its progress (queued / sent / failed).
    # The whole message as it goes out (unsigned), built once when it is queued.
    mime: Mapped[bytes | None] = mapped_column(LargeBinary)
    announcement_id: Mapped[int | None] = mapped_column(
        ForeignKey("announcements.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[str] = mapped_column(String(20), default=OutboxStatus.QUEUED)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


def _check_header(name: str, value: str) -> str:
    if breaks_header(value):
        raise ValueError(f"line break or control character in mail header {name}")
    return value


def _check_address(value: str) -> str:
    # Our SMTP path speaks plain ASCII (no SMTPUTF8); the forms already refuse anything else.
    if not value.isascii() or "@" not in value:
        raise ValueError("mail address must be ASCII and contain @")
    return _check_header("To", value)


def enqueue(
    *,
    to_addr: str,
    subject: str,
    text_body: str,
    category: str,
    to_name: str = "",
    html_body: str | None = None,
    calendar: tuple[str, str] | None = None,
    unsubscribe_url: str | None = None,
    announcement_id: int | None = None,
    reply_to: tuple[str, str] | None = None,
) -> OutboxMessage:
    """Add a message to the caller's transaction; it is delivered only if that commits.

    `calendar` is (METHOD, iCalendar text) for a mail that carries an invite; `unsubscribe_url`
    (the one-click URL) makes it bulk mail with List-Unsubscribe headers; `reply_to` is
    (name, address) for a Reply-To header.
    """
    domain = urlsplit(current_app.config["PUBLIC_BASE_URL"]).hostname or "localhost"
    message = OutboxMessage(
        message_id=make_msgid(domain=domain),
        category=category,
        to_addr=to_addr,
        # Built from stored text: whatever a row holds (a title written before the input model
        # cleaned titles), the header stays one line.
        to_name=header_safe(to_name),
        subject=header_safe(subject),
        text_body=text_body,
        html_body=html_body,
        calendar_method=calendar[0] if calendar else None,
        calendar_body=calendar[1] if calendar else None,
        unsubscribe_url=unsubscribe_url,
        announcement_id=announcement_id,
        reply_to_name=header_safe(reply_to[0]) if reply_to else None,
        reply_to_addr=reply_to[1] if reply_to else None,
        status=OutboxStatus.QUEUED,
        attempts=0,
        next_attempt_at=clock.now(),
    )
    try:
        _check_address(message.to_addr)
        if message.reply_to_addr:
            _check_address(message.reply_to_addr)
        _check_header("List-Unsubscribe", message.unsubscribe_url or "")
        message.mime = mime_bytes(message)
    except (ValueError, PermanentFailure) as error:
        # A mail that cannot be built must not undo the change that causes it (a sign-up
        # stays signed up): it is kept as failed, with the reason, in the console's history.
        log.error("mail %s to %s could not be built: %s", category, to_addr, error)
        message.status = OutboxStatus.FAILED
        message.last_error = f"could not be built: {error}"[:1000]
        message.mime = None
    db.session.add(message)
    return message


def claim_due(now: datetime, limit: int) -> list[OutboxMessage]:
    """Lease up to `limit` due messages to this worker (app/queueing.py); the caller commits."""
    return queueing.claim_due(OutboxMessage, now, limit, current_app.config["MAIL_MAX_ATTEMPTS"])


def renew_lease(messages: list[OutboxMessage]) -> None:
    """Keep the rest of a batch claimed while a slow server works through it."""
    if messages:
        db.session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_([m.id for m in messages]))
            .values(claimed_until=clock.now() + CLAIM_LEASE),
            execution_options={"synchronize_session": False},
        )


def record_temporary_failure(message: OutboxMessage, now: datetime, error: str) -> None:
    """Back in the queue after the backoff, or failed once out of attempts."""
    queueing.record_failed_attempt(message, now, error, current_app.config["MAIL_MAX_ATTEMPTS"])


def record_permanent_failure(message: OutboxMessage, error: PermanentFailure) -> None:
    """Failed for good; a refused address is flagged so that bulk mail skips it later."""
    if error.flags_address:
        flag_address(message.to_addr, str(error))
    message.attempts += 1
    message.status = OutboxStatus.FAILED
    message.last_error = str(error)[:2000]
    message.claimed_until = None
    log.warning("mail %s permanently failed: %s", message.id, error)


def withdraw_bulk_mail(email: str) -> int:
    """After an unsubscribe, stop the notices and announcements still waiting for that address
    (the law says no more such mail once someone refuses it). Returns how many were withdrawn."""
    result = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.to_addr == email,
            OutboxMessage.unsubscribe_url.is_not(None),
            OutboxMessage.status == OutboxStatus.QUEUED,
        )
        .values(status=OutboxStatus.WITHDRAWN, last_error="unsubscribed before delivery"),
        execution_options={"synchronize_session": False},
    )
    return cast(CursorResult, result).rowcount  # an UPDATE's result is a cursor's
