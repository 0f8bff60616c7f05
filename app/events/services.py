"""Reading events and their seats; the rules about when sign-up is open."""

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import select

from app.errors import EventCancelled, EventNotFound, RegistrationClosed, RegistrationNotOpen
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
