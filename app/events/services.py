"""Events: reading them and their seats, the rules about when sign-up is open, and what the
console does with them (create, edit, publish, unpublish, duplicate)."""

import re
from calendar import monthrange
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app import clock
from app.errors import (
    DomainError,
    EventCancelled,
    EventNotFound,
    InvalidSchedule,
    RegistrationClosed,
    RegistrationNotOpen,
)
from app.events.inputs import EventInput
from app.events.models import (
    Event,
    EventKind,
    EventPart,
    EventStatus,
    Question,
    ThemeTable,
)
from app.extensions import db
from app.reminders.rules import rules_for


class RegistrationWindow(StrEnum):
    NOT_YET_OPEN = "not_yet_open"
    OPEN = "open"
    CLOSED = "closed"
    CANCELLED = "cancelled"


def upcoming_events(now: datetime) -> list[Event]:
    """Published and cancelled events that have not ended, soonest first."""
    query = (
        select(Event)
        .where(
            Event.status.in_([EventStatus.PUBLISHED, EventStatus.CANCELLED]), Event.ends_at >= now
        )
        .order_by(Event.starts_at)
    )
    return list(db.session.scalars(query))


def get_public_event(slug: str) -> Event:
    """A published or cancelled event by slug; drafts are invisible to the public."""
    event = db.session.scalar(select(Event).where(Event.slug == slug))
    if event is None or event.status == EventStatus.DRAFT:
        raise EventNotFound()
    return event


def registration_window(event: Event, now: datetime) -> RegistrationWindow:
    if event.status == EventStatus.CANCELLED:
        return RegistrationWindow.CANCELLED
    if event.registration_opens_at and now < event.registration_opens_at:
        return RegistrationWindow.NOT_YET_OPEN
    closes_at = event.registration_closes_at or event.starts_at
    if now >= closes_at:
        return RegistrationWindow.CLOSED
    return RegistrationWindow.OPEN


def ensure_registration_open(event: Event, now: datetime) -> None:
    window = registration_window(event, now)
    if event.status == EventStatus.DRAFT:
        raise EventNotFound()
    if window == RegistrationWindow.CANCELLED:
        raise EventCancelled()
    if window == RegistrationWindow.NOT_YET_OPEN:
        raise RegistrationNotOpen()
    if window == RegistrationWindow.CLOSED:
        raise RegistrationClosed()


@dataclass(frozen=True)
class Seats:
    """Confirmed seats taken against a limit; limit None means unlimited."""

    taken: int
    limit: int | None

    @property
    def left(self) -> int | None:
        return None if self.limit is None else max(self.limit - self.taken, 0)

    @property
    def full(self) -> bool:
        return self.limit is not None and self.taken >= self.limit


def lock_event(event_id: int) -> Event:
    """Load the event with a row lock, so capacity checks of concurrent sign-ups run one at a time.

    PostgreSQL takes FOR UPDATE; SQLite already holds the database write lock (BEGIN IMMEDIATE).
    """
    event = db.session.scalar(
        select(Event)
        .where(Event.id == event_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    if event is None:
        raise EventNotFound()
    return event


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


# --- the console: creating, editing, publishing and duplicating events ----------------------

KIND_SLUGS = {
    EventKind.SEMINAR: "seminar",
    EventKind.SHARING_SESSION: "sharing",
    EventKind.EXCHANGE_SESSION: "exchange",
    EventKind.JOINT_DECLARATION: "declaration",
}
# 2026年度上期 / 令和8年度下期 in the title of a 定期共有会; a copy gets the next half-year's name.
HALF_YEAR = re.compile(
    r"(?:(?P<western>\d{4})|令和(?P<reiwa>\d{1,2}|元))年度(?P<half>上半期|下半期|上期|下期)"
)
REIWA_OFFSET = 2018  # 令和元年度 = fiscal 2019


class InvalidEvent(DomainError):
    """The event as typed breaks a rule; `field` names the form field (rows: "parts-0-title")."""

    message = _l("入力内容をご確認ください。")


class SlugTaken(DomainError):
    message = _l("このURL名は他のイベントで使われています。別の名前にしてください。")
    field = "slug"


class EventInUse(DomainError):
    """The change would take away something people have already signed up for."""

    message = _l("お申し込みがあるため、この変更はできません。")


class EventStatusError(DomainError):
    """The event's state does not allow this step (publishing a cancelled event, ...)."""


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


def get_event(event_id: int) -> Event:
    if not 0 < event_id < 2**63:  # an id from a URL; the database cannot even compare larger ones
        raise EventNotFound()
    event = db.session.get(Event, event_id)
    if event is None:
        raise EventNotFound()
    return event


def console_events(now: datetime) -> tuple[list[Event], list[Event]]:
    """Every event, drafts included: (not yet ended, soonest first), (ended, latest first)."""
    upcoming = select(Event).where(Event.ends_at >= now).order_by(Event.starts_at, Event.id)
    past = select(Event).where(Event.ends_at < now).order_by(Event.starts_at.desc(), Event.id)
    return list(db.session.scalars(upcoming)), list(db.session.scalars(past))


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["APP_TIMEZONE"])


def _unique_slug(base: str) -> str:
    """`base`, or `base-2`, `base-3`... whichever no event uses yet."""
    taken = set(db.session.scalars(select(Event.slug).where(Event.slug.like(f"{base}%"))))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def _generated_slug(kind: str, starts_at: datetime) -> str:
    return _unique_slug(f"{KIND_SLUGS[EventKind(kind)]}-{starts_at.astimezone(_zone()):%Y%m%d}")


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


def _check_input(data: EventInput, event: Event | None = None, signed_up: int = 0) -> None:
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


def _apply_details(event: Event, data: EventInput) -> None:
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


def create_event(data: EventInput, now: datetime | None = None) -> Event:
    """A new event with its parts, tables and questions: a draft, or published at once when the
    input says so (checked as publish_event checks it)."""
    _check_input(data)
    event = Event(status=EventStatus.DRAFT)
    for name in CHANGE_FIELDS:
        setattr(event, name, getattr(data, name))
    _apply_details(event, data)
    event.slug = data.slug or _generated_slug(data.kind, data.starts_at)
    db.session.add(event)
    db.session.flush()
    if data.status == EventStatus.PUBLISHED:
        _publish(event, now or clock.now())
    return event


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
    _check_input(data, event, signed_up)
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
    registrations.services.change_event (it mails the attendees)."""
    event = lock_event(event_id)
    review = review_event_update(event, data, signed_up)
    _apply_details(event, data)
    db.session.flush()
    return EventChanges(
        **{name: getattr(data, name) for name in CHANGE_FIELDS},
        parts_rescheduled=any(change.name == "part_times" for change in review),
    )


def publish_event(event_id: int, now: datetime) -> Event:
    """Open a draft to the public (its page, the feeds, sign-up within the window)."""
    return _publish(get_event(event_id), now)


def _publish(event: Event, now: datetime) -> Event:
    if event.status == EventStatus.PUBLISHED:
        raise EventStatusError(_l("このイベントは既に公開されています。"))
    if event.status == EventStatus.CANCELLED:
        raise EventStatusError(
            _l("中止したイベントは公開できません。「複製」から新しいイベントを作成してください。")
        )
    if event.ends_at <= now:
        raise EventStatusError(_l("終了したイベントは公開できません。"))
    event.status = EventStatus.PUBLISHED
    db.session.flush()
    return event


def unpublish_event(event_id: int, signed_up: int) -> Event:
    """Take a published event back to draft; only while nobody has signed up."""
    event = get_event(event_id)
    if event.status != EventStatus.PUBLISHED:
        raise EventStatusError(_l("公開中のイベントではありません。"))
    if signed_up:
        raise EventInUse(
            _l("お申し込みがあるため非公開にできません。開催しない場合は「中止」してください。")
        )
    event.status = EventStatus.DRAFT
    db.session.flush()
    return event


def _add_months(moment: datetime, months: int) -> datetime:
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    return moment.replace(year=year, month=month, day=min(moment.day, monthrange(year, month)[1]))


def _copy_shift(event: Event, now: datetime) -> timedelta:
    """How far a copy moves: a 定期共有会 by half-years, anything else by whole weeks (same
    weekday and time), as few steps as put the copy's start after `now`."""
    start = event.starts_at.astimezone(_zone())
    step = 1
    while True:
        if event.kind == EventKind.SHARING_SESSION:
            moved = _add_months(start, 6 * step)
        else:
            moved = start + timedelta(weeks=step)
        if moved > now:
            return moved - start
        step += 1


def half_year_title(title: str, starts_at: datetime) -> str:
    """The title with its 年度上期/下期 (fiscal half-year, April–September and October–March)
    replaced by the half-year `starts_at` falls in, in the same style (2026年度 or 令和8年度)."""
    local = starts_at.astimezone(_zone())
    fiscal_year = local.year if local.month >= 4 else local.year - 1
    first_half = 4 <= local.month <= 9

    def replace(match: re.Match) -> str:
        if match["western"]:
            year = str(fiscal_year)
        else:
            reiwa = fiscal_year - REIWA_OFFSET
            year = "令和" + ("元" if reiwa == 1 else str(reiwa))
        if "半" in match["half"]:
            half = "上半期" if first_half else "下半期"
        else:
            half = "上期" if first_half else "下期"
        return f"{year}年度{half}"

    return HALF_YEAR.sub(replace, title, count=1)


def duplicate_event(event_id: int, now: datetime) -> Event:
    """A new draft copied from an event (parts, tables, questions, reminders), moved to its
    next date (see _copy_shift). The meeting URL is left blank: a reused link would send the
    new attendees to the old meeting."""
    source = get_event(event_id)
    shift = _copy_shift(source, now)
    starts_at = source.starts_at + shift
    title = source.title
    if source.kind == EventKind.SHARING_SESSION:
        title = half_year_title(title, starts_at)

    def moved(moment: datetime | None) -> datetime | None:
        return None if moment is None else moment + shift

    copy = Event(
        slug=_generated_slug(source.kind, starts_at),
        title=title,
        kind=source.kind,
        description=source.description,
        starts_at=starts_at,
        ends_at=source.ends_at + shift,
        all_day=source.all_day,
        format=source.format,
        venue=source.venue,
        meeting_url="",
        capacity=source.capacity,
        registration_opens_at=moved(source.registration_opens_at),
        registration_closes_at=moved(source.registration_closes_at),
        status=EventStatus.DRAFT,
        reminder_rules=None if source.reminder_rules is None else list(source.reminder_rules),
        requires_approval=source.requires_approval,
        parts=[
            EventPart(
                position=i,
                title=part.title,
                starts_at=moved(part.starts_at),
                ends_at=moved(part.ends_at),
                capacity=part.capacity,
                uses_tables=part.uses_tables,
            )
            for i, part in enumerate(source.parts)
        ],
        tables=[
            ThemeTable(
                position=i,
                title=table.title,
                description=table.description,
                capacity=table.capacity,
            )
            for i, table in enumerate(source.tables)
        ],
        questions=[
            Question(
                position=i,
                label=question.label,
                type=question.type,
                required=question.required,
                choices=list(question.choices),
            )
            for i, question in enumerate(source.questions)
        ],
    )
    db.session.add(copy)
    db.session.flush()
    return copy
