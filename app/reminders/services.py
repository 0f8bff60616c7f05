"""Send each due reminder to each confirmed attendee exactly once.

The sweep runs every minute. A ReminderDelivery row (unique per registration and rule) is written in
the same transaction as the mail it records, so restarts, reschedules and a second sweep can never
send a reminder twice. After downtime only the latest due reminder goes out; older ones are recorded
as skipped. Someone who signed up after a reminder's time never gets that stale one.
"""

from datetime import datetime

from flask import current_app
from sqlalchemy import select

from app.events.models import Event, EventStatus
from app.extensions import db
from app.registrations.models import Registration, RegistrationStatus
from app.reminders import notifications
from app.reminders.models import ReminderDelivery
from app.reminders.rules import due_at, rules_for


def _due_rules(event: Event, now: datetime) -> list[tuple[str, datetime]]:
    timezone = current_app.config["APP_TIMEZONE"]
    due = [(rule, due_at(rule, event.starts_at, timezone)) for rule in rules_for(event)]
    return sorted(((rule, at) for rule, at in due if at <= now), key=lambda item: item[1])


def events_with_due_reminders(now: datetime) -> list[int]:
    """The ids of the upcoming published events that have a reminder due at `now`."""
    events = db.session.scalars(
        select(Event).where(Event.status == EventStatus.PUBLISHED, Event.starts_at > now)
    ).all()
    return [event.id for event in events if _may_be_due(event, now)]


def _may_be_due(event: Event, now: datetime) -> bool:
    """Whether the event has a reminder due; an event whose rules cannot be read is listed too,
    so that its failure is met, and recorded, in its own item's boundary."""
    try:
        return bool(_due_rules(event, now))
    except Exception:  # noqa: BLE001 - remind_event raises it again, inside the boundary
        return True


def remind_event(event_id: int, now: datetime) -> int:
    """Queue the event's due reminders not yet recorded (the caller commits); returns how many."""
    event = db.session.get(Event, event_id)
    if event is None or event.status != EventStatus.PUBLISHED or event.starts_at <= now:
        return 0
    due = _due_rules(event, now)
    return _remind_attendees(event, due) if due else 0


def _remind_attendees(event: Event, due: list[tuple[str, datetime]]) -> int:
    attendees = db.session.scalars(
        select(Registration).where(
            Registration.event_id == event.id, Registration.status == RegistrationStatus.CONFIRMED
        )
    ).all()
    recorded = {
        (registration_id, rule)
        for registration_id, rule in db.session.execute(
            select(ReminderDelivery.registration_id, ReminderDelivery.rule).where(
                ReminderDelivery.registration_id.in_([r.id for r in attendees])
            )
        )
    }
    queued = 0
    latest_rule, _ = due[-1]
    for registration in attendees:
        for rule, at in due:
            if (registration.id, rule) in recorded:
                continue
            # Only the latest due reminder is worth sending, and only to people already signed up.
            send = rule == latest_rule and registration.queued_at <= at
            db.session.add(ReminderDelivery(registration_id=registration.id, rule=rule, sent=send))
            if send:
                notifications.notify_reminder(registration, rule)
                queued += 1
    db.session.flush()
    return queued
