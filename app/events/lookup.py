"""Finding an event by id: plainly, or under a row lock for the seat counts of a sign-up."""

from sqlalchemy import select

from app.errors import EventNotFound
from app.events.models import Event
from app.extensions import db


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


def get_event(event_id: int) -> Event:
    if not 0 < event_id < 2**63:  # an id from a URL; the database cannot even compare larger ones
        raise EventNotFound()
    event = db.session.get(Event, event_id)
    if event is None:
        raise EventNotFound()
    return event
