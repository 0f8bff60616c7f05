"""Events, their parts (第一部・第二部) and theme tables."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app import clock
from app.database import UTCDateTime
from app.extensions import Model


class EventKind(StrEnum):
    SEMINAR = "seminar"
    SHARING_SESSION = "sharing_session"
    EXCHANGE_SESSION = "exchange_session"
    JOINT_DECLARATION = "joint_declaration"


class EventFormat(StrEnum):
    ONLINE = "online"
    IN_PERSON = "in_person"
    HYBRID = "hybrid"


class EventStatus(StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    CANCELLED = "cancelled"


class Event(Model):
    """A session of the network that people sign up for."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(30), default=EventKind.SEMINAR)
    description: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    format: Mapped[str] = mapped_column(String(20), default=EventFormat.ONLINE)
    venue: Mapped[str] = mapped_column(String(300), default="")
    meeting_url: Mapped[str] = mapped_column(String(500), default="")
    capacity: Mapped[int | None]
    registration_opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    registration_closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(20), default=EventStatus.DRAFT, index=True)
    # An all-day event (e.g. a declaration day) is dated, not timed, in calendars.
    all_day: Mapped[bool] = mapped_column(default=False)
    # Raised whenever the time or place changes, so subscribed calendars replace their copy.
    sequence: Mapped[int] = mapped_column(default=0)
    # Reminder rules ("7d@10:00", "60m", see app/reminders/rules.py); None means the defaults.
    reminder_rules: Mapped[list[str] | None] = mapped_column(JSON)
    # Approval mode: sign-ups wait as pending until an organizer approves or declines them.
    requires_approval: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, onupdate=clock.now)

    parts: Mapped[list["EventPart"]] = relationship(
        back_populates="event", order_by="EventPart.position", cascade="all, delete-orphan"
    )
    tables: Mapped[list["ThemeTable"]] = relationship(
        back_populates="event", order_by="ThemeTable.position", cascade="all, delete-orphan"
    )
    questions: Mapped[list["Question"]] = relationship(
        back_populates="event", order_by="Question.position", cascade="all, delete-orphan"
    )

    @property
    def is_online(self) -> bool:
        return self.format in (EventFormat.ONLINE, EventFormat.HYBRID)

    @property
    def has_venue(self) -> bool:
        return self.format in (EventFormat.IN_PERSON, EventFormat.HYBRID)


class EventPart(Model):
    """A part of an event (第一部 keynotes, 第二部 exchange) that attendees may choose."""

    __tablename__ = "event_parts"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    capacity: Mapped[int | None]
    # The part in which attendees sit at theme tables (the exchange session).
    uses_tables: Mapped[bool] = mapped_column(default=False)

    event: Mapped[Event] = relationship(back_populates="parts")


class ThemeTable(Model):
    """A theme table of an exchange session (e.g. 企業・市民向け事業) with its own seats."""

    __tablename__ = "theme_tables"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(String(500), default="")
    capacity: Mapped[int | None]

    event: Mapped[Event] = relationship(back_populates="tables")


class QuestionType(StrEnum):
    SHORT_TEXT = "short_text"
    LONG_TEXT = "long_text"
    SINGLE_CHOICE = "single_choice"
    MULTIPLE_CHOICE = "multiple_choice"


class Question(Model):
    """A custom question of an event's sign-up form; answers live on the registration."""

    __tablename__ = "event_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    label: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(20), default=QuestionType.SHORT_TEXT)
    required: Mapped[bool] = mapped_column(default=False)
    # The options of a choice question, in order; empty for text questions.
    choices: Mapped[list[str]] = mapped_column(JSON, default=list)

    event: Mapped[Event] = relationship(back_populates="questions")
