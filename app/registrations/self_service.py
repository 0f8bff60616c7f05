"""The attendee changing their own registration from the management page: other parts, another
theme table, other answers. A confirmed seat is kept when the new choice fits; when it does not,
the registration goes back to the waitlist, and `preview_change` says so before anything is saved.
Services flush; the door commits once."""

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any

from flask_babel import lazy_gettext as _l

from app.audit.actor import Actor
from app.audit.services import record
from app.errors import AlreadyCancelled, DomainError, EventCancelled
from app.events.lookup import lock_event
from app.events.models import EventPart, EventStatus, ThemeTable
from app.events.public import ensure_registration_open
from app.extensions import db
from app.registrations import notifications
from app.registrations.answers import clean_answers, validate_choices
from app.registrations.inputs import ChoiceChange
from app.registrations.models import Registration, RegistrationStatus
from app.registrations.seats import part_seats, promote_waitlisted, table_seats
from app.registrations.signup import find_by_token

ATTENDEE = Actor("attendee")
"""The person themselves, by their management link."""


class ChangeOutcome(StrEnum):
    UNCHANGED = "unchanged"
    KEEPS_SEAT = "keeps_seat"
    """Confirmed, and the new choice fits: the seat stays."""
    REQUEUED = "requeued"
    """Confirmed, but a newly chosen part or table is full: back to the waitlist from now."""
    STAYS_IN_LINE = "stays_in_line"
    """Waitlisted or pending: the place in line stays."""


@dataclass(frozen=True)
class ChangePreview:
    """What a change would do, shown before it is saved."""

    outcome: ChangeOutcome
    parts: list[EventPart]
    table: ThemeTable | None
    answers: dict[str, Any]
    changed: list[str] = field(default_factory=list)
    """Which of "parts", "table", "answers" differ from the registration now."""
    full: list[str] = field(default_factory=list)
    """Titles of the newly chosen parts and table that have no seat free."""


class OutcomeChanged(DomainError):
    """Between the confirmation page and saving, seats changed: the person must see it again."""

    message = _l(
        "確認画面を表示した後に空席状況が変わりました。変更後の結果をご確認のうえ、もう一度確定してください。"
    )

    def __init__(self, preview: ChangePreview):
        super().__init__()
        self.preview = preview


def _no_room(
    registration: Registration, parts: list[EventPart], table: ThemeTable | None
) -> list[str]:
    """Newly chosen parts and table without a free seat (seats already held stay the person's)."""
    held = {part.id for part in registration.parts}
    full = [part.title for part in parts if part.id not in held and part_seats(part).full]
    if table is not None and table.id != registration.table_id and table_seats(table).full:
        full.append(table.title)
    return full


def preview_change(registration: Registration, data: ChoiceChange) -> ChangePreview:
    """What saving `data` would do; writes nothing (the confirmation page shows it)."""
    event = registration.event
    parts, table = validate_choices(event, data.part_ids, data.table_id)
    answers = clean_answers(event.questions, data.answers)
    changed = [
        name
        for name, before, after in (
            ("parts", {part.id for part in registration.parts}, {part.id for part in parts}),
            ("table", registration.table_id, table.id if table else None),
            ("answers", registration.answers or {}, answers),
        )
        if before != after
    ]
    full: list[str] = []
    if not changed:
        outcome = ChangeOutcome.UNCHANGED
    elif registration.status == RegistrationStatus.CONFIRMED:
        full = _no_room(registration, parts, table)
        outcome = ChangeOutcome.REQUEUED if full else ChangeOutcome.KEEPS_SEAT
    else:
        outcome = ChangeOutcome.STAYS_IN_LINE
    return ChangePreview(outcome, parts, table, answers, changed, full)


def ensure_changeable(registration: Registration, now: datetime) -> None:
    """Changes are taken while sign-up is open, for a registration not cancelled."""
    if registration.status == RegistrationStatus.CANCELLED:
        raise AlreadyCancelled()
    if registration.event.status == EventStatus.CANCELLED:
        raise EventCancelled()
    ensure_registration_open(registration.event, now)


def change_registration(
    token: str, data: ChoiceChange, now: datetime, expected: ChangeOutcome
) -> ChangePreview:
    """Save the attendee's change under the event's lock, if it still does what they were shown
    (`expected`; else OutcomeChanged with the new preview). A seat left behind goes to the first
    in line; the person gets a mail saying what changed, with an updated invite (same UID,
    SEQUENCE+1) when a held seat moved, or the invite withdrawn when it was given up."""
    registration = find_by_token(token)
    event = lock_event(registration.event_id)
    db.session.refresh(registration)
    ensure_changeable(registration, now)
    preview = preview_change(registration, data)
    if preview.outcome != expected:
        raise OutcomeChanged(preview)
    if preview.outcome == ChangeOutcome.UNCHANGED:
        return preview
    had_seat = registration.status == RegistrationStatus.CONFIRMED
    seat_moved = had_seat and bool({"parts", "table"} & set(preview.changed))
    registration.parts = preview.parts
    registration.table = preview.table
    registration.answers = preview.answers
    if preview.outcome == ChangeOutcome.REQUEUED:
        registration.status = RegistrationStatus.WAITLISTED
        registration.queued_at = now
    db.session.flush()
    notifications.notify_changed_by_attendee(
        registration,
        changed=preview.changed,
        requeued=preview.outcome == ChangeOutcome.REQUEUED,
        with_invite=seat_moved,
    )
    if seat_moved or registration.status == RegistrationStatus.WAITLISTED:
        promote_waitlisted(event)  # a seat left behind, or a new choice that now fits
    record(
        ATTENDEE,
        "registration.self_change",
        f"registration:{registration.id}",
        fields=preview.changed,
        outcome=str(preview.outcome),
    )
    return preview
