"""Events as the public sees them: the upcoming list, one event by its address, and whether
sign-up is open now."""

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
