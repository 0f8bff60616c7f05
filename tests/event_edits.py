"""An organizer's edit of a stored event, for tests that change events through the one entry
point (app.registrations.event_changes.change_event)."""

from app.events.inputs import EventInput, PartInput, QuestionInput, TableInput
from app.events.models import Event


def as_input(event: Event, **fields) -> EventInput:
    """The stored event as the form would give it back unchanged, with `fields` changed."""
    values = {
        "title": event.title,
        "kind": event.kind,
        "starts_at": event.starts_at,
        "ends_at": event.ends_at,
        "description": event.description,
        "all_day": event.all_day,
        "format": event.format,
        "venue": event.venue,
        "meeting_url": event.meeting_url,
        "capacity": event.capacity,
        "registration_opens_at": event.registration_opens_at,
        "registration_closes_at": event.registration_closes_at,
        "reminder_rules": None if event.reminder_rules is None else tuple(event.reminder_rules),
        "requires_approval": event.requires_approval,
        "parts": tuple(
            PartInput(
                title=p.title,
                starts_at=p.starts_at,
                ends_at=p.ends_at,
                capacity=p.capacity,
                uses_tables=p.uses_tables,
                id=p.id,
            )
            for p in event.parts
        ),
        "tables": tuple(
            TableInput(title=t.title, description=t.description, capacity=t.capacity, id=t.id)
            for t in event.tables
        ),
        "questions": tuple(
            QuestionInput(
                label=q.label, type=q.type, required=q.required, choices=tuple(q.choices), id=q.id
            )
            for q in event.questions
        ),
    }
    values.update(fields)
    return EventInput(**values)
