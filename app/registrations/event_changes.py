"""Changing an event people may have signed up for, in one place for the console and the API:
what the edit changes, applying it, the updated invites to confirmed attendees when the time or
place moved, the waitlist promoted into new seats, and the audit entry; or calling the event off.

Reminders follow by themselves (they are computed from the event's start when due), and webhooks
are written by the session listeners (app.webhooks.listeners) from the rows that changed.
Services flush; the caller commits once.
"""

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.audit.actor import Actor
from app.audit.services import record
from app.errors import InvalidSchedule
from app.events.details import (
    COMPARED_FIELDS,
    PART_FIELDS,
    PART_SCHEDULE_FIELDS,
    QUESTION_FIELDS,
    TABLE_FIELDS,
    FieldChange,
    apply_details,
    check_event_input,
    rows_changed,
    stored_rules,
)
from app.events.errors import EventStatusError
from app.events.inputs import EventInput
from app.events.lookup import lock_event
from app.events.models import Event, EventStatus
from app.extensions import db
from app.registrations import notifications
from app.registrations.lists import sign_ups
from app.registrations.models import Registration, RegistrationStatus
from app.registrations.seats import promote_waitlisted


@dataclass(frozen=True)
class EventChange:
    """What an edit did: the fields it changed, how many attendees were mailed an updated
    invite, and who came off the waitlist into new seats."""

    changes: list[FieldChange] = field(default_factory=list)
    mailed: int = 0
    promoted: list[Registration] = field(default_factory=list)

    @property
    def moves_calendar(self) -> bool:
        return any(change.moves_calendar for change in self.changes)


def _target(event_id: int) -> str:
    return f"event:{event_id}"


def _registrations(event_id: int, *statuses: str) -> list[Registration]:
    query = (
        select(Registration)
        .where(Registration.event_id == event_id, Registration.status.in_(statuses))
        .order_by(Registration.id)
    )
    return list(db.session.scalars(query))


def review_event_change(event: Event, data: EventInput, signed_up: int) -> list[FieldChange]:
    """What an edit would change, checked against every rule but not applied (the console shows
    the calendar moves before saving).

    `signed_up` counts the people holding or awaiting a seat; with any, parts and tables stay.
    """
    if event.status == EventStatus.CANCELLED:
        raise EventStatusError(_l("中止したイベントは変更できません。"))
    check_event_input(data, event, signed_up)
    changes = [
        FieldChange(name, getattr(event, name), getattr(data, name))
        for name in COMPARED_FIELDS
        if getattr(event, name) != getattr(data, name)
    ]
    rules = stored_rules(data.reminder_rules, data.format, event)
    if rules != event.reminder_rules:
        changes.append(FieldChange("reminder_rules", event.reminder_rules, rules))
    if data.slug and data.slug != event.slug:
        changes.append(FieldChange("slug", event.slug, data.slug))
    for name, inputs, names in (
        ("parts", data.parts, PART_FIELDS),
        ("tables", data.tables, TABLE_FIELDS),
        ("questions", data.questions, QUESTION_FIELDS),
    ):
        if rows_changed(getattr(event, name), inputs, names):
            changes.append(FieldChange(name))
    if rows_changed(event.parts, data.parts, PART_SCHEDULE_FIELDS):
        changes.append(FieldChange("part_times"))
    return changes


def change_event(
    event_id: int, data: EventInput, *, actor: Actor, notify: bool = True
) -> EventChange:
    """An organizer's edit, from the console or the API. When the time, place, title or the
    parts' times moved, SEQUENCE goes up and (unless `notify` is off) every confirmed attendee is
    mailed an updated invite; seats the edit adds go to the waitlist, in order."""
    counts = sign_ups(event_id)
    event = lock_event(event_id)
    changes = review_event_change(event, data, counts.active)
    apply_details(event, data)
    if event.ends_at <= event.starts_at:
        raise InvalidSchedule()
    result = EventChange(changes)
    if result.moves_calendar:
        event.sequence += 1
    db.session.flush()

    mailed = 0
    if result.moves_calendar and notify:
        attendees = _registrations(event.id, RegistrationStatus.CONFIRMED)
        for registration in attendees:
            notifications.notify_event_changed(registration)
        mailed = len(attendees)
    promoted = promote_waitlisted(event) if counts.waitlisted else []
    record(
        actor,
        "event.update",
        _target(event.id),
        changed=[change.name for change in changes],
        notified=notify,
        mailed=mailed,
        promoted=[registration.id for registration in promoted],
    )
    return EventChange(changes, mailed, promoted)


def cancel_event(event_id: int, *, actor: Actor) -> int:
    """Call the event off: confirmed attendees get a CANCEL for their calendar entry, the
    waitlisted and those awaiting approval a notice. Returns how many were mailed; an event
    already cancelled stays as it is (nothing mailed; the request is still audited)."""
    event = lock_event(event_id)
    if event.status == EventStatus.CANCELLED:
        record(actor, "event.cancel", _target(event.id), mailed=0)
        return 0
    event.status = EventStatus.CANCELLED
    event.sequence += 1
    db.session.flush()
    people = _registrations(
        event.id,
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.WAITLISTED,
        RegistrationStatus.PENDING,
    )
    for registration in people:
        notifications.notify_event_cancelled(registration)
    record(actor, "event.cancel", _target(event.id), mailed=len(people))
    return len(people)
