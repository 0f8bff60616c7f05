"""Signing up, cancelling and the waitlist. Services flush; the caller commits once."""

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.errors import (
    AlreadyCancelled,
    AlreadyRegistered,
    InvalidChoice,
    RegistrationNotFound,
)
from app.events.models import Event
from app.events.services import Seats, ensure_registration_open, lock_event
from app.extensions import db
from app.organizations.services import resolve_organization
from app.registrations import notifications
from app.registrations.models import (
    MANAGE_PURPOSE,
    Registration,
    RegistrationStatus,
    registration_parts,
)
from app.tokens import new_nonce, token_matches, token_row_id


@dataclass
class RegistrationInput:
    """What a person typed into the sign-up form, already shape-checked."""

    name: str
    email: str
    organization: str
    furigana: str = ""
    department: str = ""
    position: str = ""
    part_ids: list[int] = field(default_factory=list)
    table_id: int | None = None
    locale: str = "ja"


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


def _fits(event: Event, registration: Registration) -> bool:
    """Whether a confirmed seat is free for this registration at the event, its parts and table."""
    if event_seats(event).full:
        return False
    if any(part_seats(part).full for part in registration.parts):
        return False
    return not (registration.table and table_seats(registration.table).full)


def _validate_choices(event: Event, data: RegistrationInput):
    parts_by_id = {part.id: part for part in event.parts}
    if event.parts and not data.part_ids:
        raise InvalidChoice(_l("参加する部を選んでください。"), field="parts")
    if any(part_id not in parts_by_id for part_id in data.part_ids):
        raise InvalidChoice(field="parts")
    parts = [parts_by_id[part_id] for part_id in sorted(set(data.part_ids))]

    tables_by_id = {table.id: table for table in event.tables}
    needs_table = bool(event.tables) and (not event.parts or any(p.uses_tables for p in parts))
    if data.table_id is not None and data.table_id not in tables_by_id:
        raise InvalidChoice(field="table")
    if needs_table and data.table_id is None:
        raise InvalidChoice(
            _l("情報交換会に参加される方は、テーブルを選んでください。"), field="table"
        )
    table = tables_by_id.get(data.table_id) if needs_table else None
    return parts, table


def register_attendee(event_id: int, data: RegistrationInput, now: datetime) -> Registration:
    """Sign a person up: confirmed if a seat is free, else waitlisted.

    The confirmation mail is queued in the same transaction.
    """
    event = lock_event(event_id)
    ensure_registration_open(event, now)
    parts, table = _validate_choices(event, data)

    registration = db.session.scalar(
        select(Registration).where(
            Registration.event_id == event.id, Registration.email == data.email
        )
    )
    if registration is not None and registration.status != RegistrationStatus.CANCELLED:
        raise AlreadyRegistered()
    if registration is None:
        registration = Registration(event=event, email=data.email)
        db.session.add(registration)

    organization = resolve_organization(data.organization)
    registration.name = data.name
    registration.furigana = data.furigana
    registration.organization_code = organization.code
    registration.organization_name = organization.name
    registration.department = data.department
    registration.position = data.position
    registration.locale = data.locale
    registration.parts = parts
    registration.table = table
    registration.token_nonce = new_nonce()
    registration.queued_at = now
    registration.cancelled_at = None
    registration.status = RegistrationStatus.WAITLISTED
    db.session.flush()
    if _fits(event, registration):
        registration.status = RegistrationStatus.CONFIRMED
    db.session.flush()
    notifications.notify_registration_received(registration)
    return registration


def find_by_token(token: str) -> Registration:
    """The registration a management link points to; any other token raises RegistrationNotFound."""
    row_id = token_row_id(token)
    registration = db.session.get(Registration, row_id) if row_id is not None else None
    if registration is None or not token_matches(
        token, MANAGE_PURPOSE, registration.id, registration.token_nonce
    ):
        raise RegistrationNotFound()
    return registration


def cancel_registration(token: str, now: datetime) -> Registration:
    """Cancel by the attendee's own link; the freed seat goes to the first in line who fits."""
    registration = find_by_token(token)
    event = lock_event(registration.event_id)
    db.session.refresh(registration)
    if registration.status == RegistrationStatus.CANCELLED:
        raise AlreadyCancelled()
    was_confirmed = registration.status == RegistrationStatus.CONFIRMED
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = now
    db.session.flush()
    notifications.notify_registration_cancelled(registration)
    if was_confirmed:
        promote_waitlisted(event)
    return registration


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
        if _fits(event, registration):
            registration.status = RegistrationStatus.CONFIRMED
            db.session.flush()
            notifications.notify_promoted(registration)
            promoted.append(registration)
    return promoted


def resend_confirmation(event_id: int, email: str) -> bool:
    """Mail the registration's details and management link again.

    Returns False when there is nothing to resend; the caller shows the same message either way.
    """
    registration = db.session.scalar(
        select(Registration).where(Registration.event_id == event_id, Registration.email == email)
    )
    if registration is None or registration.status == RegistrationStatus.CANCELLED:
        return False
    notifications.notify_registration_received(registration, resent=True)
    return True


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
