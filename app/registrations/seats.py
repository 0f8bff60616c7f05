"""Seats: counting confirmed seats at an event, its parts and tables, whether a registration
fits, taking a seat or joining the waitlist, and promoting the waitlist into free seats."""

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, func, literal_column, select, union_all

from app.errors import DomainError
from app.events.models import Event
from app.extensions import db
from app.registrations import notifications
from app.registrations.models import Registration, RegistrationStatus, registration_parts


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


class NoSeatFree(DomainError):
    message = _l(
        "空席がないため参加確定にできません。イベント・参加する部・テーブルのいずれかが満席です。"
    )


_registrations = Registration.__table__
_confirmed_at = (
    _registrations.c.event_id == bindparam("event_id"),
    _registrations.c.status == RegistrationStatus.CONFIRMED.value,
)
# Every confirmed seat at one event, its parts and its tables, in one statement built once (so
# SQLAlchemy compiles it once): rows of (kind, place id, seats taken).
_EVENT, _PART, _TABLE = 0, 1, 2
_SEATS_TAKEN = union_all(
    select(literal_column(str(_EVENT)), _registrations.c.event_id, func.count())
    .where(*_confirmed_at)
    .group_by(_registrations.c.event_id),
    select(literal_column(str(_PART)), registration_parts.c.part_id, func.count())
    .join(_registrations, _registrations.c.id == registration_parts.c.registration_id)
    .where(*_confirmed_at)
    .group_by(registration_parts.c.part_id),
    select(literal_column(str(_TABLE)), _registrations.c.table_id, func.count())
    .where(*_confirmed_at, _registrations.c.table_id.is_not(None))
    .group_by(_registrations.c.table_id),
)


def _taken(event_id: int) -> dict[tuple[int, int], int]:
    """{(kind, place id): confirmed seats} at the event; places with none are absent."""
    # Not autoflushed: a sign-up counts the seats before its own row is written.
    with db.session.no_autoflush:
        rows = db.session.execute(_SEATS_TAKEN, {"event_id": event_id})
    return {(kind, place): taken for kind, place, taken in rows}


def event_seats(event: Event) -> Seats:
    return Seats(_taken(event.id).get((_EVENT, event.id), 0), event.capacity)


def part_seats(part) -> Seats:
    return Seats(_taken(part.event_id).get((_PART, part.id), 0), part.capacity)


def table_seats(table) -> Seats:
    return Seats(_taken(table.event_id).get((_TABLE, table.id), 0), table.capacity)


def fits(event: Event, registration: Registration) -> bool:
    """Whether a confirmed seat is free for this registration at the event, its parts and table
    (counted in one statement, none when none of them has a limit)."""
    places = [(_EVENT, event), *((_PART, part) for part in registration.parts)]
    if registration.table:
        places.append((_TABLE, registration.table))
    limited = [(kind, place) for kind, place in places if place.capacity is not None]
    if not limited:
        return True
    taken = _taken(event.id)
    return all(taken.get((kind, place.id), 0) < place.capacity for kind, place in limited)


def take_seat_or_queue(event: Event, registration: Registration, now: datetime) -> None:
    """Confirmed if a seat is free for the registration, else waitlisted from now on.

    The seats are counted before the registration is written, so a new one is inserted once,
    with its status; the caller holds the event's lock (lock_event), so the count stays true
    until the commit."""
    registration.queued_at = now
    confirmed = fits(event, registration)
    registration.status = (
        RegistrationStatus.CONFIRMED if confirmed else RegistrationStatus.WAITLISTED
    )
    db.session.flush()


def promote_waitlisted(event: Event) -> list[Registration]:
    """Confirm waitlisted people, in the order they joined, for as long as seats allow."""
    waiting = db.session.scalars(
        select(Registration)
        .where(
            Registration.event_id == event.id, Registration.status == RegistrationStatus.WAITLISTED
        )
        .order_by(Registration.queued_at, Registration.id)
    ).all()
    promoted = []
    for registration in waiting:
        if event_seats(event).full:
            break
        if fits(event, registration):
            registration.status = RegistrationStatus.CONFIRMED
            db.session.flush()
            notifications.notify_promoted(registration)
            promoted.append(registration)
    return promoted


@dataclass(frozen=True)
class SeatSummary:
    """Seats of an event, its parts and its tables, for showing who would be waitlisted."""

    event: Seats
    parts: dict[int, Seats]
    tables: dict[int, Seats]


def seat_summary(event: Event) -> SeatSummary:
    """Every count the sign-up form shows, in one statement."""
    taken = _taken(event.id)
    return SeatSummary(
        event=Seats(taken.get((_EVENT, event.id), 0), event.capacity),
        parts={p.id: Seats(taken.get((_PART, p.id), 0), p.capacity) for p in event.parts},
        tables={t.id: Seats(taken.get((_TABLE, t.id), 0), t.capacity) for t in event.tables},
    )
