"""Reading events and their seats; the rules about when sign-up is open."""

from dataclasses import dataclass, fields
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select

from app.errors import (
    EventCancelled,
    EventNotFound,
    InvalidSchedule,
    RegistrationClosed,
    RegistrationNotOpen,
)
from app.events.models import Event, EventStatus
from app.extensions import db


class RegistrationWindow(StrEnum):
    NOT_YET_OPEN = "not_yet_open"
    OPEN = "open"
    CLOSED = "closed"
    CANCELLED = "cancelled"


def upcoming_events(now: datetime) -> list[Event]:
    """Published and cancelled events that have not ended, soonest first."""
    query = (
        select(Event)
        .where(
            Event.status.in_([EventStatus.PUBLISHED, EventStatus.CANCELLED]), Event.ends_at >= now
        )
        .order_by(Event.starts_at)
    )
    return list(db.session.scalars(query))


def get_public_event(slug: str) -> Event:
    """A published or cancelled event by slug; drafts are invisible to the public."""
    event = db.session.scalar(select(Event).where(Event.slug == slug))
    if event is None or event.status == EventStatus.DRAFT:
        raise EventNotFound()
    return event


def registration_window(event: Event, now: datetime) -> RegistrationWindow:
    if event.status == EventStatus.CANCELLED:
        return RegistrationWindow.CANCELLED
    if event.registration_opens_at and now < event.registration_opens_at:
        return RegistrationWindow.NOT_YET_OPEN
    closes_at = event.registration_closes_at or event.starts_at
    if now >= closes_at:
        return RegistrationWindow.CLOSED
    return RegistrationWindow.OPEN


def ensure_registration_open(event: Event, now: datetime) -> None:
    window = registration_window(event, now)
    if event.status == EventStatus.DRAFT:
        raise EventNotFound()
    if window == RegistrationWindow.CANCELLED:
        raise EventCancelled()
    if window == RegistrationWindow.NOT_YET_OPEN:
        raise RegistrationNotOpen()
    if window == RegistrationWindow.CLOSED:
        raise RegistrationClosed()


@dataclass(frozen=True)
class Seats:
    """Confirmed seats taken against a limit; limit None means unlimited."""

    taken: int
    limit: int | None

    @property
    def left(self) -> int | None:
        return None if self.limit is None else max(self.limit - self.taken, 0)

    @property
    def full(self) -> bool:
        return self.limit is not None and self.taken >= self.limit


def lock_event(event_id: int) -> Event:
    """Load the event with a row lock, so capacity checks of concurrent sign-ups run one at a time.

    PostgreSQL takes FOR UPDATE; SQLite already holds the database write lock (BEGIN IMMEDIATE).
    """
    event = db.session.scalar(
        select(Event)
        .where(Event.id == event_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if event is None:
        raise EventNotFound()
    return event


@dataclass(frozen=True)
class EventChanges:
    """An organizer's edit; fields left None stay as they are."""

    title: str | None = None
    description: str | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    all_day: bool | None = None
    format: str | None = None
    venue: str | None = None
    meeting_url: str | None = None
    capacity: int | None = None


# A change to any of these moves or renames the calendar entry; the rest (a typo in the
# description, a new meeting URL behind the personal join links) does not need a mail.
CALENDAR_FIELDS = {"title", "starts_at", "ends_at", "all_day", "format", "venue"}


def apply_event_changes(event: Event, changes: EventChanges) -> bool:
    """Apply the edit; returns True when calendars must be told (and raises SEQUENCE)."""
    calendar_changed = False
    for item in fields(changes):
        value = getattr(changes, item.name)
        if value is None or getattr(event, item.name) == value:
            continue
        setattr(event, item.name, value)
        calendar_changed |= item.name in CALENDAR_FIELDS
    if event.ends_at <= event.starts_at:
        raise InvalidSchedule()
    if calendar_changed:
        event.sequence += 1
    db.session.flush()
    return calendar_changed


def mark_event_cancelled(event: Event) -> bool:
    """Cancel the event; returns False when it already was."""
    if event.status == EventStatus.CANCELLED:
        return False
    event.status = EventStatus.CANCELLED
    event.sequence += 1
    db.session.flush()
    return True
