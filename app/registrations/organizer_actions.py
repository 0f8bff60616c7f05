"""What organizers do to one registration: approve, decline, cancel, promote, correct it, and
check the person in on the day (or undo it). Services flush; the caller commits once."""

from datetime import datetime

from flask_babel import lazy_gettext as _l

from app.audit.actor import Actor
from app.audit.services import record
from app.errors import DomainError, EventCancelled, RegistrationNotFound
from app.events.lookup import lock_event
from app.events.models import Event, EventStatus
from app.extensions import db
from app.organizations.services import resolve_organization
from app.registrations import notifications
from app.registrations.answers import clean_answers, validate_choices
from app.registrations.inputs import RegistrantDetails
from app.registrations.models import Registration, RegistrationStatus
from app.registrations.seats import (
    NoSeatFree,
    fits,
    part_seats,
    promote_waitlisted,
    table_seats,
    take_seat_or_queue,
)
from app.registrations.signup import resend_confirmation, set_details, withdraw


class WrongStatus(DomainError):
    """The action does not apply to the registration in its present state."""

    message = _l("このお申し込みの状態では、この操作はできません。")


def get_registration(registration_id: int) -> Registration:
    registration = db.session.get(Registration, registration_id)
    if registration is None:
        raise RegistrationNotFound()
    return registration


def _lock_registration(registration_id: int) -> tuple[Registration, Event]:
    """The registration, re-read under its event's lock so seat counts stay exact."""
    registration = get_registration(registration_id)
    event = lock_event(registration.event_id)
    db.session.refresh(registration)
    if registration.anonymised_at is not None:
        raise WrongStatus(_l("個人情報を削除済みのお申し込みは操作できません。"))
    return registration, event


def _target(registration: Registration) -> str:
    return f"registration:{registration.id}"


def _require_status(registration: Registration, status: str, message) -> None:
    if registration.status != status:
        raise WrongStatus(message)


def _ensure_event_not_cancelled(event: Event) -> None:
    if event.status == EventStatus.CANCELLED:
        raise EventCancelled(_l("このイベントは中止されているため、この操作はできません。"))


def approve_registration(registration_id: int, now: datetime, *, actor: Actor) -> Registration:
    """An organizer accepts a pending sign-up: confirmed if a seat is free, else waitlisted, and
    mailed as a normal sign-up would be (with the calendar invite when confirmed)."""
    registration, event = _lock_registration(registration_id)
    _require_status(
        registration, RegistrationStatus.PENDING, _l("承認待ちのお申し込みではありません。")
    )
    _ensure_event_not_cancelled(event)
    take_seat_or_queue(event, registration, now)
    notifications.notify_approved(registration)
    record(actor, "registration.approve", _target(registration), status=registration.status)
    return registration


def decline_registration(
    registration_id: int, now: datetime, reason: str = "", *, actor: Actor
) -> Registration:
    """An organizer turns a pending sign-up down; the mail gives the reason when there is one."""
    registration, _event = _lock_registration(registration_id)
    _require_status(
        registration, RegistrationStatus.PENDING, _l("承認待ちのお申し込みではありません。")
    )
    withdraw(registration, now)
    notifications.notify_declined(registration, reason.strip())
    record(actor, "registration.decline", _target(registration))
    return registration


def admin_cancel_registration(
    registration_id: int, now: datetime, *, actor: Actor
) -> list[Registration]:
    """An organizer cancels someone's registration; the person is mailed and a freed seat goes
    to the waitlist as when they cancel themselves. Returns the people promoted."""
    registration, event = _lock_registration(registration_id)
    had_seat = withdraw(registration, now)
    notifications.notify_cancelled_by_organizer(registration, had_seat=had_seat)
    promoted = promote_waitlisted(event) if had_seat else []
    record(actor, "registration.cancel", _target(registration), promoted=[r.id for r in promoted])
    return promoted


def promote_registration(registration_id: int, *, actor: Actor) -> Registration:
    """An organizer moves one person off the waitlist ahead of the queue. Only into a free seat:
    capacity stays a promise to those already confirmed."""
    registration, event = _lock_registration(registration_id)
    _require_status(
        registration,
        RegistrationStatus.WAITLISTED,
        _l("キャンセル待ちのお申し込みではありません。"),
    )
    _ensure_event_not_cancelled(event)
    if not fits(event, registration):
        raise NoSeatFree()
    registration.status = RegistrationStatus.CONFIRMED
    db.session.flush()
    notifications.notify_promoted(registration)
    record(actor, "registration.promote", _target(registration))
    return registration


def _overbooked(registration: Registration, old_parts: set[int], old_table: int | None):
    """The form field whose newly chosen part or table this confirmed registration overfills."""
    for part in registration.parts:
        seats = part_seats(part)
        if part.id not in old_parts and seats.limit is not None and seats.taken > seats.limit:
            return "parts"
    table = registration.table
    if table is not None and table.id != old_table:
        seats = table_seats(table)
        if seats.limit is not None and seats.taken > seats.limit:
            return "table"
    return None


def update_registration(
    registration_id: int, changes: RegistrantDetails, *, actor: Actor
) -> list[str]:
    """Apply an organizer's correction and mail the person what it now says (with an updated
    invite when a confirmed seat moved). Returns the changed fields; nothing changed, no mail."""
    registration, event = _lock_registration(registration_id)
    if registration.status == RegistrationStatus.CANCELLED:
        raise WrongStatus(_l("キャンセル済みのお申し込みは変更できません。"))
    parts, table = validate_choices(event, changes.part_ids, changes.table_id)
    answers = clean_answers(event.questions, changes.answers, require=False)
    organization = resolve_organization(changes.organization)
    values = {
        "name": changes.name,
        "furigana": changes.furigana,
        "organization": (organization.code, organization.name),
        "department": changes.department,
        "position": changes.position,
        "parts": {part.id for part in parts},
        "table": table.id if table else None,
        "answers": answers,
    }
    old_parts = {part.id for part in registration.parts}
    old_table = registration.table_id
    current = {
        "name": registration.name,
        "furigana": registration.furigana,
        "organization": (registration.organization_code, registration.organization_name),
        "department": registration.department,
        "position": registration.position,
        "parts": old_parts,
        "table": old_table,
        "answers": registration.answers or {},
    }
    changed = [key for key, value in values.items() if current[key] != value]
    if not changed:
        return []

    set_details(registration, changes, organization, parts, table, answers)
    db.session.flush()
    seat_moved = registration.status == RegistrationStatus.CONFIRMED and bool(
        {"parts", "table"} & set(changed)
    )
    if seat_moved:
        full_field = _overbooked(registration, old_parts, old_table)
        if full_field:
            raise NoSeatFree(_l("選んだ部またはテーブルは満席です。"), field=full_field)
    notifications.notify_registration_updated(registration, with_invite=seat_moved)
    if seat_moved:
        promote_waitlisted(event)  # the seat left behind goes to the first in line
    record(actor, "registration.update", _target(registration), fields=changed)
    return changed


def check_in(registration_id: int, now: datetime, *, actor: Actor) -> bool:
    """Record the person as present (受付); False when they already were. No mail."""
    registration = get_registration(registration_id)
    if registration.status == RegistrationStatus.CANCELLED:
        raise WrongStatus(_l("キャンセル済みのお申し込みは受付できません。"))
    if registration.checked_in_at is not None:
        return False
    registration.checked_in_at = now
    db.session.flush()
    record(actor, "registration.check_in", _target(registration))
    return True


def undo_check_in(registration_id: int, *, actor: Actor) -> bool:
    """Clear a check-in made by mistake; False when there was none."""
    registration = get_registration(registration_id)
    if registration.checked_in_at is None:
        return False
    registration.checked_in_at = None
    db.session.flush()
    record(actor, "registration.undo_check_in", _target(registration))
    return True


def resend_to_registrant(registration_id: int, *, actor: Actor) -> Registration:
    """An organizer has the confirmation mailed again (no throttle: they asked for it)."""
    registration = get_registration(registration_id)
    if not resend_confirmation(registration.event_id, registration.email):
        raise WrongStatus(
            _l("キャンセル済みのお申し込み、または中止したイベントには再送できません。")
        )
    record(actor, "registration.resend", _target(registration))
    return registration
