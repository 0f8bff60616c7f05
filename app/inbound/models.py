"""What inbound mail leaves behind: each bounce once, and attendees' calendar replies."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app import clock
from app.database import UTCDateTime
from app.extensions import Model


class BounceKind(StrEnum):
    HARD = "hard"  # 5.x.x: the address does not work
    SOFT = "soft"  # 4.x.x: full mailbox, a server down; counts towards suppression when repeated


class MailBounce(Model):
    """One bounce of one message to one address; `dedupe_key` makes a DSN that arrives twice
    (or again after a restart) count once."""

    __tablename__ = "mail_bounces"

    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(64), unique=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    outbox_message_id: Mapped[int | None] = mapped_column(
        ForeignKey("outbox_messages.id", ondelete="SET NULL")
    )
    kind: Mapped[str] = mapped_column(String(10))
    status_code: Mapped[str] = mapped_column(String(20), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


class CalendarReply(Model):
    """An attendee's answer to their invite (ACCEPTED, TENTATIVE, DECLINED), once per message."""

    __tablename__ = "calendar_replies"

    id: Mapped[int] = mapped_column(primary_key=True)
    dedupe_key: Mapped[str] = mapped_column(String(64), unique=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), index=True
    )
    partstat: Mapped[str] = mapped_column(String(20))
    sequence: Mapped[int] = mapped_column(default=0)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
