"""Changing an event that people signed up for: the edit, then the invites updated, the waitlist
promoted into new seats; or the event called off."""

from sqlalchemy import select

from app.events.details import EventChanges, apply_event_changes, mark_event_cancelled, update_event
from app.events.inputs import EventInput
from app.events.lookup import get_event, lock_event
from app.extensions import db
from app.registrations import notifications
from app.registrations.lists import sign_ups
from app.registrations.models import Registration, RegistrationStatus
from app.registrations.seats import promote_waitlisted


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


def edit_event(event_id: int, data: EventInput, notify: bool = True) -> tuple[int, list]:
    """An organizer's edit, from the console or the API: the details, then updated invites to
    confirmed attendees when the time or place moved (unless `notify` is off), then the waitlist
    into any new seats. Returns (how many were mailed, who was promoted)."""
    counts = sign_ups(event_id)
    mailed = change_event(event_id, update_event(event_id, data, counts.active), notify=notify)
    promoted = promote_waitlisted(get_event(event_id)) if counts.waitlisted else []
    return mailed, promoted


def cancel_event(event_id: int) -> int:
    """Call the event off: confirmed attendees get a CANCEL for their calendar entry, the
    waitlisted and those awaiting approval a notice. Returns how many were mailed."""
    event = lock_event(event_id)
    if not mark_event_cancelled(event):
        return 0
    people = _registrations(
        event.id,
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.WAITLISTED,
        RegistrationStatus.PENDING,
    )
    for registration in people:
        notifications.notify_event_cancelled(registration)
    return len(people)
