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


def _confirmed(condition) -> int:
    query = (
        select(func.count())
        .select_from(Registration)
        .where(Registration.status == RegistrationStatus.CONFIRMED, condition)
    )
    return db.session.scalar(query)


def event_seats(event: Event) -> Seats:
    return Seats(_confirmed(Registration.event_id == event.id), event.capacity)


def part_seats(part) -> Seats:
    taken = _confirmed(
        Registration.id.in_(
            select(registration_parts.c.registration_id).where(
                registration_parts.c.part_id == part.id
            )
        )
    )
    return Seats(taken, part.capacity)


def table_seats(table) -> Seats:
    return Seats(_confirmed(Registration.table_id == table.id), table.capacity)


def fits(event: Event, registration: Registration) -> bool:
    """Whether a confirmed seat is free for this registration at the event, its parts and table."""
    if event_seats(event).full:
        return False
    if any(part_seats(part).full for part in registration.parts):
        return False
    return not (registration.table and table_seats(registration.table).full)


def take_seat_or_queue(event: Event, registration: Registration, now: datetime) -> None:
    """Confirmed if a seat is free for the registration, else waitlisted from now on."""
    registration.queued_at = now
    registration.status = RegistrationStatus.WAITLISTED
    db.session.flush()
    if fits(event, registration):
        registration.status = RegistrationStatus.CONFIRMED
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
    return SeatSummary(
        event=event_seats(event),
        parts={part.id: part_seats(part) for part in event.parts},
        tables={table.id: table_seats(table) for table in event.tables},
    )
