"""Signing up, cancelling and the waitlist. Services flush; the caller commits once."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.calendar.entries import calendar_settings, public_entry
from app.calendar.ics import build_calendar
from app.errors import (
    AlreadyCancelled,
    AlreadyRegistered,
    InvalidChoice,
    RegistrationNotFound,
)
from app.events.models import Event, EventStatus
from app.events.services import (
    EventChanges,
    Seats,
    apply_event_changes,
    ensure_registration_open,
    lock_event,
    mark_event_cancelled,
)
from app.extensions import db
from app.mail.compose import public_url
from app.members.models import Member
from app.organizations.services import resolve_organization
from app.registrations import invites, notifications
from app.registrations.models import (
    JOIN_PURPOSE,
    MANAGE_PURPOSE,
    Registration,
    RegistrationStatus,
    registration_parts,
)
from app.tokens import find_signed, new_nonce


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
    registration = find_signed(Registration, token, MANAGE_PURPOSE, "token_nonce")
    if registration is None:
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
    notifications.notify_registration_cancelled(registration, had_seat=was_confirmed)
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
    if registration.event.status == EventStatus.CANCELLED:
        return False  # its last mail was the cancellation; a "confirmed" copy would mislead
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


def _registrations(event_id: int, *statuses: str) -> list[Registration]:
    query = (
        select(Registration)
        .where(Registration.event_id == event_id, Registration.status.in_(statuses))
        .order_by(Registration.id)
    )
    return list(db.session.scalars(query))


def change_event(event_id: int, changes: EventChanges, notify: bool = True) -> int:
    """Apply an organizer's edit. When the time or place moved and `notify` is set, every
    confirmed attendee is mailed an updated invite; returns how many were mailed."""
    event = lock_event(event_id)
    if not apply_event_changes(event, changes) or not notify:
        return 0
    attendees = _registrations(event.id, RegistrationStatus.CONFIRMED)
    for registration in attendees:
        notifications.notify_event_changed(registration)
    return len(attendees)


def cancel_event(event_id: int) -> int:
    """Call the event off: confirmed attendees get a CANCEL for their calendar entry and the
    waitlist a notice. Returns how many were mailed."""
    event = lock_event(event_id)
    if not mark_event_cancelled(event):
        return 0
    people = _registrations(event.id, RegistrationStatus.CONFIRMED, RegistrationStatus.WAITLISTED)
    for registration in people:
        notifications.notify_event_cancelled(registration)
    return len(people)


def find_by_join_token(token: str) -> Registration:
    registration = find_signed(Registration, token, JOIN_PURPOSE, "join_nonce")
    if registration is None:
        raise RegistrationNotFound()
    return registration


def revoke_join_link(registration: Registration) -> None:
    """Stop a personal join link that was forwarded; the attendee's next mail carries the new one."""
    registration.join_nonce = new_nonce()
    db.session.flush()


class JoinState(StrEnum):
    NOT_YET = "not_yet"
    OPEN = "open"
    ENDED = "ended"
    NO_URL = "no_url"
    NOT_CONFIRMED = "not_confirmed"
    EVENT_CANCELLED = "event_cancelled"


# States in which the link is refused outright (403) rather than "not now".
REFUSED_JOIN_STATES = frozenset({JoinState.NOT_CONFIRMED, JoinState.EVENT_CANCELLED})

# The join link keeps working a little after the end, for someone reconnecting.
JOIN_GRACE_AFTER_END = timedelta(hours=1)


def join_state(registration: Registration, now: datetime) -> JoinState:
    """Whether the personal join link may redirect now, and if not, why."""
    event = registration.event
    if event.status == EventStatus.CANCELLED:
        return JoinState.EVENT_CANCELLED
    if registration.status != RegistrationStatus.CONFIRMED:
        return JoinState.NOT_CONFIRMED
    if now < invites.join_opens_at(registration):
        return JoinState.NOT_YET
    if now > event.ends_at + JOIN_GRACE_AFTER_END:
        return JoinState.ENDED
    if not event.meeting_url:
        return JoinState.NO_URL
    return JoinState.OPEN


def record_join(registration: Registration, now: datetime) -> None:
    """Count the click, so organizers can see who joined and trace a forwarded link."""
    registration.join_count += 1
    registration.last_joined_at = now
    db.session.flush()


def _member_registrations(member: Member) -> list[Registration]:
    query = select(Registration).where(
        Registration.email == member.email, Registration.status == RegistrationStatus.CONFIRMED
    )
    return list(db.session.scalars(query))


def personal_feed_version(member: Member) -> tuple[str, datetime | None]:
    """A cheap fingerprint of the member's feed (events and their registrations), and its age."""
    events = db.session.execute(
        select(func.count(), func.max(Event.updated_at), func.sum(Event.sequence)).where(
            Event.status.in_([EventStatus.PUBLISHED, EventStatus.CANCELLED])
        )
    ).one()
    registrations = db.session.execute(
        select(func.count(), func.max(Registration.updated_at)).where(
            Registration.email == member.email
        )
    ).one()
    moments = [m for m in (events[1], registrations[1]) if m is not None]
    version = f"member:{member.id}:{member.feed_nonce}:{tuple(events)}:{tuple(registrations)}"
    return version, max(moments) if moments else None


def personal_feed(member: Member) -> bytes:
    """Published events, where the member holds a seat replaced by their own entry and join link."""
    settings = calendar_settings()
    mine = {r.event_id: r for r in _member_registrations(member)}
    entries = []
    events = db.session.scalars(
        select(Event)
        .where(Event.status.in_([EventStatus.PUBLISHED, EventStatus.CANCELLED]))
        .options(selectinload(Event.parts))
        .order_by(Event.starts_at)
    )
    for event in events:
        if event.id in mine:
            registration = mine[event.id]
            sequence = registration.calendar_sequence or 0
            cancelled = event.status == EventStatus.CANCELLED
            entries += invites.attendee_entries(registration, sequence, cancelled=cancelled)
        else:
            entries.append(
                public_entry(event, public_url("events.detail", slug=event.slug), settings)
            )
    return build_calendar(entries, settings, "PUBLISH")
