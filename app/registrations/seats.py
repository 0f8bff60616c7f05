"""Seats: counting confirmed seats at an event, its parts and tables, whether a registration
fits, taking a seat or joining the waitlist, and promoting the waitlist into free seats."""

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

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


def _confirmed(condition):
    return (
        select(func.count())
        .select_from(Registration)
        .where(Registration.status == RegistrationStatus.CONFIRMED, condition)
        .scalar_subquery()
    )


def _at_event(event: Event):
    return _confirmed(Registration.event_id == event.id)


def _at_part(part):
    return _confirmed(
        Registration.id.in_(
            select(registration_parts.c.registration_id).where(
                registration_parts.c.part_id == part.id
            )
        )
    )


def _at_table(table):
    return _confirmed(Registration.table_id == table.id)


def _counted(places: list) -> list[Seats]:
    """Seats at each (kind, place) of `places` ("event", "part" or "table"), counted in one
    statement however many there are."""
    if not places:
        return []
    counts = {"event": _at_event, "part": _at_part, "table": _at_table}
    # Not autoflushed: a sign-up counts the seats before its own row is written.
    with db.session.no_autoflush:
        row = db.session.execute(select(*(counts[kind](place) for kind, place in places))).one()
    return [Seats(taken, place.capacity) for taken, (_kind, place) in zip(row, places, strict=True)]


def event_seats(event: Event) -> Seats:
    return _counted([("event", event)])[0]


def part_seats(part) -> Seats:
    return _counted([("part", part)])[0]


def table_seats(table) -> Seats:
    return _counted([("table", table)])[0]


def fits(event: Event, registration: Registration) -> bool:
    """Whether a confirmed seat is free for this registration at the event, its parts and table
    (counted in one statement)."""
    places = [("event", event), *(("part", part) for part in registration.parts)]
    if registration.table:
        places.append(("table", registration.table))
    # Only places with a limit are counted; with none at all, no statement.
    limited = [(kind, place) for kind, place in places if place.capacity is not None]
    return not any(seats.full for seats in _counted(limited))


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
    parts, tables = list(event.parts), list(event.tables)
    seats = _counted(
        [("event", event), *(("part", p) for p in parts), *(("table", t) for t in tables)]
    )
    return SeatSummary(
        event=seats[0],
        parts={part.id: s for part, s in zip(parts, seats[1 : 1 + len(parts)], strict=True)},
        tables={table.id: s for table, s in zip(tables, seats[1 + len(parts) :], strict=True)},
    )
