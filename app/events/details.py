"""An event's details from an EventInput: the rules that need the database (a free slug, rows
that exist, nothing taken away that people signed up for), the pieces an edit is compared by,
and writing the input onto the event."""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.events.errors import EventInUse, EventStatusError, InvalidEvent, SlugTaken
from app.events.inputs import EventInput
from app.events.models import Event, EventPart, EventStatus, Question, ThemeTable
from app.extensions import db
from app.reminders.rules import rules_for

# A change to any of these moves or renames the calendar entry; the rest (a typo in the
# description, a new meeting URL behind the personal join links) does not need a mail.
CALENDAR_FIELDS = {"title", "starts_at", "ends_at", "all_day", "format", "venue"}


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
# The event's own columns an input sets as they are.
EVENT_FIELDS = (
    "title",
    "description",
    "starts_at",
    "ends_at",
    "all_day",
    "format",
    "venue",
    "meeting_url",
    "kind",
    "capacity",
    "registration_opens_at",
    "registration_closes_at",
    "requires_approval",
)
PART_FIELDS = ("title", "starts_at", "ends_at", "capacity", "uses_tables")
# What of a part an invite shows: a change here is a calendar update for the attendees.
PART_SCHEDULE_FIELDS = ("title", "starts_at", "ends_at")
TABLE_FIELDS = ("title", "description", "capacity")
QUESTION_FIELDS = ("label", "type", "required", "choices")


def stored_rules(rules: tuple[str, ...] | None, format: str, event: Event) -> list[str] | None:
    """None (keep following the defaults) when the organizer left the defaults as shown: those
    of the new format, or those of the old one when only the format changed."""
    if rules is None:
        return None
    unique = list(dict.fromkeys(rules))
    if unique == rules_for(Event(format=format)):
        return None
    if event.reminder_rules is None and unique == rules_for(event):
        return None
    return unique


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
    """Write the input onto the event: its columns, reminder rules, slug and rows. SEQUENCE and
    status are left to the caller (registrations.event_changes raises SEQUENCE for calendars)."""
    # The rules first: "the defaults as shown" are those of the format the event had.
    event.reminder_rules = stored_rules(data.reminder_rules, data.format, event)
    for name in EVENT_FIELDS:
        setattr(event, name, getattr(data, name))
    if data.slug:
        event.slug = data.slug
    event.parts = _synced_rows(event.parts, data.parts, EventPart, PART_FIELDS)
    event.tables = _synced_rows(event.tables, data.tables, ThemeTable, TABLE_FIELDS)
    event.questions = _synced_rows(event.questions, data.questions, Question, QUESTION_FIELDS)
    for question in event.questions:
        question.choices = list(question.choices)


def rows_changed(existing: list, inputs: tuple, names: tuple[str, ...]) -> bool:
    def values(row):
        return (
            row.id,
            *(list(getattr(row, n)) if n == "choices" else getattr(row, n) for n in names),
        )

    return [values(row) for row in existing] != [values(row) for row in inputs]
