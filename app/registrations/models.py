"""Registrations (申込) for events."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Column, ForeignKey, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app import clock
from app.database import UTCDateTime
from app.events.models import Event, EventPart, ThemeTable
from app.extensions import Model, db
from app.tokens import make_token, new_nonce

MANAGE_PURPOSE = "registration-manage"
JOIN_PURPOSE = "registration-join"


class RegistrationStatus(StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    PENDING = "pending"  # waiting for an organizer's approval (events in approval mode)
    CANCELLED = "cancelled"


registration_parts = Table(
    "registration_parts",
    db.metadata,
    Column("registration_id", ForeignKey("registrations.id", ondelete="CASCADE"), primary_key=True),
    Column("part_id", ForeignKey("event_parts.id", ondelete="CASCADE"), primary_key=True),
)


class Registration(Model):
    """One person's sign-up for one event."""

    __tablename__ = "registrations"
    __table_args__ = (UniqueConstraint("event_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    furigana: Mapped[str] = mapped_column(String(100), default="")
    email: Mapped[str] = mapped_column(String(254))
    organization_code: Mapped[str | None] = mapped_column(String(6))
    organization_name: Mapped[str] = mapped_column(String(100))
    department: Mapped[str] = mapped_column(String(200), default="")
    position: Mapped[str] = mapped_column(String(100), default="")
    # The language the person used on our pages; their mail comes in it.
    locale: Mapped[str] = mapped_column(String(5), default="ja")
    table_id: Mapped[int | None] = mapped_column(ForeignKey("theme_tables.id", ondelete="SET NULL"))
    status: Mapped[str] = mapped_column(String(20), index=True)
    # Management links are signed with this nonce (see app/tokens.py); a new nonce revokes old links.
    token_nonce: Mapped[str] = mapped_column(String(32), default=new_nonce)
    # The personal join link (/j/<token>) has its own nonce, so it can be revoked on its own.
    join_nonce: Mapped[str] = mapped_column(String(32), default=new_nonce)
    join_count: Mapped[int] = mapped_column(default=0)
    last_joined_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # SEQUENCE of the last calendar message sent to this attendee; None before the first invite.
    calendar_sequence: Mapped[int | None]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, onupdate=clock.now)
    # When the person joined the current queue; the waitlist is served in this order.
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Answers to the event's custom questions: {question id (as text): text, or list of choices}.
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    # Attendance on the day (受付): set by a check-in, cleared by undoing it.
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set when the retention rule replaced the personal data (see app/ops/retention.py).
    anonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    event: Mapped[Event] = relationship()
    table: Mapped[ThemeTable | None] = relationship()
    parts: Mapped[list[EventPart]] = relationship(
        secondary=registration_parts, order_by=EventPart.position
    )

    @property
    def manage_token(self) -> str:
        return make_token(MANAGE_PURPOSE, self.id, self.token_nonce)

    @property
    def join_token(self) -> str:
        return make_token(JOIN_PURPOSE, self.id, self.join_nonce)

    def next_calendar_sequence(self) -> int:
        """The SEQUENCE for the next invite, update or cancellation sent to this attendee."""
        self.calendar_sequence = 0 if self.calendar_sequence is None else self.calendar_sequence + 1
        return self.calendar_sequence
