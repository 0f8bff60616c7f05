"""Finding an event by id: plainly, or under a row lock for the seat counts of a sign-up."""

from sqlalchemy import select

from app.database import holds_write_lock
from app.errors import EventNotFound
from app.events.models import Event
from app.extensions import db

# session.info key: (the transaction, ids of the events it holds the row lock of).
_LOCKS = "event_locks"


def _locks_held() -> set[int]:
    transaction = db.session().get_transaction()
    held = db.session.info.get(_LOCKS)
    if held is None or held[0] is not transaction:
        held = (transaction, set())
        db.session.info[_LOCKS] = held
    return held[1]


def _read_under_lock(event_id: int) -> bool:
    """Whether everything this transaction read of the event was read under its lock: SQLite
    took the database's write lock at BEGIN (so nobody has committed since), or the event's row
    lock was taken before anything of it was loaded (lock_event_by_slug, an earlier lock_event)."""
    return holds_write_lock(db.session.connection()) or event_id in _locks_held()


def lock_event(event_id: int) -> Event:
    """Load the event with a row lock, so capacity checks of concurrent sign-ups run one at a time.

    PostgreSQL takes FOR UPDATE; SQLite already holds the database write lock (BEGIN IMMEDIATE).
    What was loaded before the lock (the event, its parts, tables and questions) is read again
    under it, unless it was loaded under the lock already: then no statement at all.
    """
    if _read_under_lock(event_id):
        event = db.session.get(Event, event_id)
    else:
        event = db.session.scalar(
            select(Event)
            .where(Event.id == event_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    if event is None:
        raise EventNotFound()
    _locks_held().add(event.id)
    return event


def lock_event_by_slug(slug: str) -> None:
    """Take the row lock of the event at `slug` before anything of it is read, so a sign-up that
    loads it next (the form, then register_attendee's lock_event) reads it once, already under
    the lock. Nothing to do on SQLite, whose writers hold the write lock from BEGIN."""
    if holds_write_lock(db.session.connection()):
        return
    event_id = db.session.scalar(select(Event.id).where(Event.slug == slug).with_for_update())
    if event_id is not None:
        _locks_held().add(event_id)


def get_event(event_id: int) -> Event:
    if not 0 < event_id < 2**63:  # an id from a URL; the database cannot even compare larger ones
        raise EventNotFound()
    event = db.session.get(Event, event_id)
    if event is None:
        raise EventNotFound()
    return event
