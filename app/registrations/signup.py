"""The applicant's self-service: signing up, finding a registration by its management link,
cancelling it, and having the confirmation sent again. Services flush; the caller commits once."""

from datetime import datetime

from sqlalchemy import select

from app.errors import AlreadyCancelled, AlreadyRegistered, RegistrationNotFound
from app.events.lookup import lock_event
from app.events.models import EventStatus
from app.events.public import ensure_registration_open
from app.extensions import db
from app.mail import throttle
from app.organizations.services import resolve_organization
from app.registrations import notifications
from app.registrations.answers import clean_answers, validate_choices
from app.registrations.inputs import RegistrationInput
from app.registrations.models import MANAGE_PURPOSE, Registration, RegistrationStatus
from app.registrations.seats import promote_waitlisted, take_seat_or_queue
from app.tokens import find_signed, new_nonce


def set_details(registration, data, organization, parts, table, answers) -> None:
    """What the attendee told us, from a sign-up or an organizer's correction of one."""
    registration.name = data.name
    registration.furigana = data.furigana
    registration.organization_code = organization.code
    registration.organization_name = organization.name
    registration.department = data.department
    registration.position = data.position
    registration.parts = parts
    registration.table = table
    registration.answers = answers


def register_attendee(event_id: int, data: RegistrationInput, now: datetime) -> Registration:
    """Sign a person up: confirmed if a seat is free, else waitlisted; for an event in approval
    mode, pending until an organizer decides (no seat is taken yet).

    The mail saying which of these it is is queued in the same transaction.
    """
    event = lock_event(event_id)
    ensure_registration_open(event, now)
    parts, table = validate_choices(event, data.part_ids, data.table_id)
    answers = clean_answers(event.questions, data.answers)

    # One statement: an earlier sign-up of this address, and the mail it was sent lately.
    limit = throttle.budget("SIGNUP_MAIL_LIMIT")
    earlier, sent, oldest = db.session.execute(
        select(
            select(Registration.id)
            .where(Registration.event_id == event.id, Registration.email == data.email)
            .scalar_subquery(),
            *throttle.usage(data.email, throttle.REGISTRATION_MAIL, limit, now),
        )
    ).one()
    registration = db.session.get(Registration, earlier) if earlier is not None else None
    if registration is not None and registration.status != RegistrationStatus.CANCELLED:
        raise AlreadyRegistered()
    # However many doors and processes the sign-ups came through, one address gets so many mails.
    wait = throttle.wait_seconds(sent, oldest, limit, now)
    if wait:
        raise throttle.MailLimitReached(wait)
    if registration is None:
        registration = Registration(event=event, email=data.email)
        db.session.add(registration)

    set_details(registration, data, resolve_organization(data.organization), parts, table, answers)
    registration.locale = data.locale
    registration.token_nonce = new_nonce()
    registration.cancelled_at = None
    registration.checked_in_at = None
    if event.requires_approval:
        registration.status = RegistrationStatus.PENDING
        registration.queued_at = now
        db.session.flush()
    else:
        take_seat_or_queue(event, registration, now)
    notifications.notify_registration_received(registration)
    return registration


def find_by_token(token: str) -> Registration:
    """The registration a management link points to; any other token raises RegistrationNotFound."""
    registration = find_signed(Registration, token, MANAGE_PURPOSE, "token_nonce")
    if registration is None:
        raise RegistrationNotFound()
    return registration


def withdraw(registration: Registration, now: datetime) -> bool:
    """Mark the registration cancelled; returns whether it held a seat."""
    if registration.status == RegistrationStatus.CANCELLED:
        raise AlreadyCancelled()
    had_seat = registration.status == RegistrationStatus.CONFIRMED
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = now
    db.session.flush()
    return had_seat


def cancel_registration(token: str, now: datetime) -> Registration:
    """Cancel by the attendee's own link; the freed seat goes to the first in line who fits."""
    registration = find_by_token(token)
    event = lock_event(registration.event_id)
    db.session.refresh(registration)
    had_seat = withdraw(registration, now)
    notifications.notify_registration_cancelled(registration, had_seat=had_seat)
    if had_seat:
        promote_waitlisted(event)
    return registration


def resend_confirmation(event_id: int, email: str, throttle_at: datetime | None = None) -> bool:
    """Mail the registration's details and management link again.

    With `throttle_at` (a visitor asked, not an organizer), nothing is sent when the address had
    its share of sign-up mail (REQUESTED_MAIL_LIMIT) in the window before that moment. Returns
    False when nothing was sent; the public caller shows the same message either way.
    """
    registration = db.session.scalar(
        select(Registration).where(Registration.event_id == event_id, Registration.email == email)
    )
    if registration is None or registration.status == RegistrationStatus.CANCELLED:
        return False
    if registration.event.status == EventStatus.CANCELLED:
        return False  # its last mail was the cancellation; a "confirmed" copy would mislead
    if throttle_at is not None and not throttle.may_send(
        email, throttle.REGISTRATION_MAIL, "REQUESTED_MAIL_LIMIT", throttle_at
    ):
        return False
    notifications.notify_registration_received(registration, resent=True)
    return True
