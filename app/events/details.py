"""An event's details from an EventInput: the rules that need the database (a free slug, rows
that exist, nothing taken away that people signed up for), what an edit would change, and
writing it. Services flush; the caller commits once."""

from dataclasses import dataclass, fields
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.errors import InvalidSchedule
from app.events.errors import EventInUse, EventStatusError, InvalidEvent, SlugTaken
from app.events.inputs import EventInput
from app.events.lookup import lock_event
from app.events.models import Event, EventPart, EventStatus, Question, ThemeTable
from app.extensions import db
from app.reminders.rules import rules_for


@dataclass(frozen=True)
class EventChanges:
    """An organizer's edit; fields left None stay as they are."""

    title: str | None = None
    description: str | None = None
    starts_at: datetime | None = None
    ends_at: datetime | None = None
    all_day: bool | None = None
    format: str | None = None
    venue: str | None = None
    meeting_url: str | None = None
    capacity: int | None = None
    # Set when the parts' names or times changed (they were already saved): invites list them.
    parts_rescheduled: bool = False


# A change to any of these moves or renames the calendar entry; the rest (a typo in the
# description, a new meeting URL behind the personal join links) does not need a mail.
CALENDAR_FIELDS = {"title", "starts_at", "ends_at", "all_day", "format", "venue"}
# The event's own columns an EventChanges may set.
EVENT_CHANGE_FIELDS = tuple(f.name for f in fields(EventChanges) if f.name != "parts_rescheduled")


def apply_event_changes(event: Event, changes: EventChanges) -> bool:
    """Apply the edit; returns True when calendars must be told (and raises SEQUENCE)."""
    calendar_changed = changes.parts_rescheduled
    for name in EVENT_CHANGE_FIELDS:
        value = getattr(changes, name)
        if value is None or getattr(event, name) == value:
            continue
        setattr(event, name, value)
        calendar_changed |= name in CALENDAR_FIELDS
    if event.ends_at <= event.starts_at:
        raise InvalidSchedule()
    if calendar_changed:
        event.sequence += 1
    db.session.flush()
    return calendar_changed


def mark_event_cancelled(event: Event) -> bool:
    """Cancel the event; returns False when it already was."""
    if event.status == EventStatus.CANCELLED:
        return False
    event.status = EventStatus.CANCELLED
    event.sequence += 1
    db.session.flush()
    return True


@dataclass(frozen=True)
class FieldChange:
    """One field an edit changes; rows ("parts", "tables", "questions") carry no values."""

    name: str
    old: object = None
    new: object = None

    @property
    def moves_calendar(self) -> bool:
        return self.name in CALENDAR_FIELDS or self.name == "part_times"


# Plain fields an edit compares one by one, in the order the confirmation page lists them.
COMPARED_FIELDS = (
    "title",
    "starts_at",
    "ends_at",
    "all_day",
    "format",
    "venue",
    "meeting_url",
    "kind",
    "description",
    "capacity",
    "registration_opens_at",
    "registration_closes_at",
    "requires_approval",
)
# What change_event applies; capacity is set directly, as EventChanges cannot say "unlimited".
CHANGE_FIELDS = tuple(name for name in EVENT_CHANGE_FIELDS if name != "capacity")
PART_FIELDS = ("title", "starts_at", "ends_at", "capacity", "uses_tables")
# What of a part an invite shows: a change here is a calendar update for the attendees.
PART_SCHEDULE_FIELDS = ("title", "starts_at", "ends_at")
TABLE_FIELDS = ("title", "description", "capacity")
QUESTION_FIELDS = ("label", "type", "required", "choices")


def _stored_rules(rules: tuple[str, ...] | None, format: str, event: Event) -> list[str] | None:
    """None (keep following the defaults) when the organizer left the defaults as shown: those
    of the new format, or those of the old one when only the format changed."""
    if rules is None:
        return None
    rules = list(dict.fromkeys(rules))
    if rules == rules_for(Event(format=format)):
        return None
    if event.reminder_rules is None and rules == rules_for(event):
        return None
    return rules


def _check_rows(rows, existing, name: str) -> None:
    known = {row.id for row in existing}
    for i, row in enumerate(rows):
        if row.id is not None and row.id not in known:
            raise InvalidEvent(
                _l("この行は見つかりません。ページを読み込み直してください。"),
                field=f"{name}-{i}-{'label' if name == 'questions' else 'title'}",
            )


def _check_question_types(data: EventInput, event: Event, signed_up: int) -> None:
    """Answers already given are text or a list depending on the type: it stays."""
    old_types = {q.id: q.type for q in event.questions}
    for i, question in enumerate(data.questions):
        if signed_up and question.id in old_types and old_types[question.id] != question.type:
            raise EventInUse(
                _l("お申し込みがあるため、回答の形式は変更できません。"),
                field=f"questions-{i}-type",
            )


def check_event_input(data: EventInput, event: Event | None = None, signed_up: int = 0) -> None:
    """The rules of an event that need the database (the input model checked the rest): a
    free slug, rows that exist, nothing taken away that people signed up for."""
    if data.slug and (event is None or data.slug != event.slug):
        if event is not None and event.status != EventStatus.DRAFT:
            raise EventStatusError(
                _l("公開後はURL名を変更できません（お送りしたメールのリンクが切れるため）。"),
                field="slug",
            )
        if db.session.scalar(select(Event.id).where(Event.slug == data.slug)) is not None:
            raise SlugTaken()
    _check_rows(data.parts, event.parts if event else [], "parts")
    _check_rows(data.tables, event.tables if event else [], "tables")
    _check_rows(data.questions, event.questions if event else [], "questions")
    if event is not None:
        _check_question_types(data, event, signed_up)
    if event is not None and signed_up:
        for name in ("parts", "tables"):
            kept = {row.id for row in getattr(data, name)}
            if any(row.id not in kept for row in getattr(event, name)):
                raise EventInUse(
                    _l("お申し込みがあるため、部やテーブルは削除できません。"), field=name
                )


def _synced_rows(existing: list, inputs: tuple, model, names: tuple[str, ...]) -> list:
    """The rows as typed: existing ones edited in place (ids kept), new ones added, in order."""
    by_id = {row.id: row for row in existing}
    rows = []
    for position, item in enumerate(inputs):
        row = by_id.get(item.id) or model()
        for name in names:
            setattr(row, name, getattr(item, name))
        row.position = position
        rows.append(row)
    return rows


def apply_details(event: Event, data: EventInput) -> None:
    """Set what an edit changes without touching calendars (see EventChanges for the rest)."""
    event.kind = data.kind
    event.capacity = data.capacity
    event.registration_opens_at = data.registration_opens_at
    event.registration_closes_at = data.registration_closes_at
    event.reminder_rules = _stored_rules(data.reminder_rules, data.format, event)
    event.requires_approval = data.requires_approval
    if data.slug:
        event.slug = data.slug
    event.parts = _synced_rows(event.parts, data.parts, EventPart, PART_FIELDS)
    event.tables = _synced_rows(event.tables, data.tables, ThemeTable, TABLE_FIELDS)
    event.questions = _synced_rows(event.questions, data.questions, Question, QUESTION_FIELDS)
    for question in event.questions:
        question.choices = list(question.choices)


def _rows_changed(existing: list, inputs: tuple, names: tuple[str, ...]) -> bool:
    def values(row):
        return (
            row.id,
            *(list(getattr(row, n)) if n == "choices" else getattr(row, n) for n in names),
        )

    return [values(row) for row in existing] != [values(row) for row in inputs]


def review_event_update(event: Event, data: EventInput, signed_up: int) -> list[FieldChange]:
    """What an edit would change, checked against every rule but not applied.

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
    rules = _stored_rules(data.reminder_rules, data.format, event)
    if rules != event.reminder_rules:
        changes.append(FieldChange("reminder_rules", event.reminder_rules, rules))
    if data.slug and data.slug != event.slug:
        changes.append(FieldChange("slug", event.slug, data.slug))
    for name, inputs, names in (
        ("parts", data.parts, PART_FIELDS),
        ("tables", data.tables, TABLE_FIELDS),
        ("questions", data.questions, QUESTION_FIELDS),
    ):
        if _rows_changed(getattr(event, name), inputs, names):
            changes.append(FieldChange(name))
    if _rows_changed(event.parts, data.parts, PART_SCHEDULE_FIELDS):
        changes.append(FieldChange("part_times"))
    return changes


def update_event(event_id: int, data: EventInput, signed_up: int) -> EventChanges:
    """Apply an edit except what moves calendars, which comes back as EventChanges for
    registrations.event_changes.change_event (it mails the attendees)."""
    event = lock_event(event_id)
    review = review_event_update(event, data, signed_up)
    apply_details(event, data)
    db.session.flush()
    return EventChanges(
        **{name: getattr(data, name) for name in CHANGE_FIELDS},
        parts_rescheduled=any(change.name == "part_times" for change in review),
    )
