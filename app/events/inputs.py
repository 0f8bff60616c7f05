"""The input model of an event: everything an organizer types for one, with every rule that needs
nothing but the input itself. The console's form and the JSON API translate into it; the
services add the rules that need the database (a slug in use, rows people signed up for)."""

import re
from typing import Annotated, Literal
from urllib.parse import urlsplit

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from pydantic import AfterValidator, Field, ValidationInfo, field_validator, model_validator

from app.errors import InvalidSchedule
from app.events.models import EventFormat, EventKind, QuestionType
from app.inputs import Code, Count, Flag, Id, InputModel, Line, Moment, Text, located, rule
from app.reminders.rules import is_valid

TITLE_MAX = 200
DESCRIPTION_MAX = 10_000
VENUE_MAX = 300
URL_MAX = 500
TABLE_DESCRIPTION_MAX = 500
SLUG_MAX = 80
MAX_SEATS = 100_000
MAX_PARTS, MAX_TABLES, MAX_QUESTIONS = 10, 20, 30
MAX_CHOICES = 100
MAX_REMINDERS = 20
SLUG_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
CHOICE_TYPES = {QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE}

Seats = Annotated[int, Count(MAX_SEATS)]


def _https(url: str) -> str:
    if not url:
        return url
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.netloc or any(ch.isspace() for ch in url):
        raise rule(_("https:// で始まるURLを入力してください。"))
    return url


def _slug(slug: str) -> str:
    slug = slug.lower()
    if slug and not SLUG_PATTERN.match(slug):
        raise rule(_("英小文字・数字・ハイフンで入力してください（例: seminar-20260915）。"))
    return slug


def _reminder(value: str) -> str:
    if not is_valid(value):
        raise rule(
            _(
                "「%(rule)s」は読み取れません。「7d@10:00」（7日前の10:00）や「60m」（60分前）の形で指定してください。",
                rule=value,
            )
        )
    return value


MeetingUrl = Annotated[str, Line(URL_MAX), AfterValidator(_https)]
Slug = Annotated[str, Code(SLUG_MAX), AfterValidator(_slug)]
ReminderRule = Annotated[str, Code(20, required=True), AfterValidator(_reminder)]


class PartInput(InputModel):
    """A part (第一部・第二部); `id` names the existing part it edits, none adds one."""

    title: Annotated[str, Line(TITLE_MAX, required=True)]
    starts_at: Moment | None = None
    ends_at: Moment | None = Field(None, validate_default=True)
    capacity: Seats | None = None
    """Seats of this part; none means no limit of its own."""
    uses_tables: Flag = False
    """In this part attendees sit at theme tables (the exchange session)."""
    id: Id | None = None

    @field_validator("ends_at")
    @classmethod
    def _after_start(cls, ends_at, info: ValidationInfo):
        starts_at = info.data.get("starts_at")
        if "starts_at" in info.data and (starts_at is None) != (ends_at is None):
            raise rule(_("開始と終了の両方を入力するか、両方とも空欄にしてください。"))
        if starts_at and ends_at and ends_at <= starts_at:
            raise rule(_("終了時刻は開始時刻より後にしてください。"))
        return ends_at


class TableInput(InputModel):
    """A theme table (企業・市民向け事業 ...) with its own seats."""

    title: Annotated[str, Line(TITLE_MAX, required=True)]
    description: Annotated[str, Line(TABLE_DESCRIPTION_MAX)] = ""
    capacity: Seats | None = None
    id: Id | None = None


class QuestionInput(InputModel):
    """A question of the sign-up form; choices belong to choice questions only."""

    label: Annotated[str, Line(TITLE_MAX, required=True)]
    type: QuestionType = QuestionType.SHORT_TEXT
    required: Flag = False
    choices: Annotated[
        tuple[Annotated[str, Line(TITLE_MAX, required=True)], ...], Field(max_length=MAX_CHOICES)
    ] = Field((), validate_default=True)
    """The options of a choice question, in order; ignored (stored empty) for text questions."""
    id: Id | None = None

    @field_validator("choices")
    @classmethod
    def _choices_fit_type(cls, choices, info: ValidationInfo):
        kind = info.data.get("type")
        if kind is None:
            return choices
        if kind not in CHOICE_TYPES:
            return ()
        if not choices:
            raise rule(_("選択式の質問には選択肢を1行に1つずつ入力してください。"))
        if len(set(choices)) != len(choices):
            raise rule(_("同じ選択肢が2回入力されています。"))
        return choices


class EventDetails(InputModel):
    """What every door says the same way about an event: its fields, parts, theme tables and
    questions. Rows are in display order; given on an edit, they replace the event's rows (rows
    kept carry their id)."""

    labels = {
        "title": _l("タイトル"),
        "starts_at": _l("開始日時"),
        "ends_at": _l("終了日時"),
        "parts.title": _l("部の名前"),
        "tables.title": _l("テーブルの名前"),
        "questions.label": _l("質問文"),
        "questions.choices": _l("選択肢"),
    }

    title: Annotated[str, Line(TITLE_MAX, required=True)]
    kind: EventKind = EventKind.SEMINAR
    description: Annotated[str, Text(DESCRIPTION_MAX)] = ""
    starts_at: Moment
    ends_at: Moment
    all_day: Flag = False
    """Dated, not timed, in calendars (a declaration day)."""
    format: EventFormat = EventFormat.ONLINE
    venue: Annotated[str, Line(VENUE_MAX)] = ""
    meeting_url: MeetingUrl = ""
    """https only. Shown to nobody: attendees get personal join links that lead here."""
    capacity: Seats | None = None
    """Seats of the whole event; none means no limit."""
    registration_opens_at: Moment | None = None
    """None: sign-up opens when the event is published."""
    registration_closes_at: Moment | None = None
    """None: sign-up closes when the event starts."""
    requires_approval: Flag = False
    """Sign-ups wait as pending until an organizer approves or declines them."""
    status: Literal["draft", "published"] = "draft"
    """At creation: a draft, or published at once."""
    parts: Annotated[tuple[PartInput, ...], Field(max_length=MAX_PARTS)] = ()
    tables: Annotated[tuple[TableInput, ...], Field(max_length=MAX_TABLES)] = ()
    questions: Annotated[tuple[QuestionInput, ...], Field(max_length=MAX_QUESTIONS)] = ()

    @field_validator("ends_at")
    @classmethod
    def _ends_after_start(cls, ends_at, info: ValidationInfo):
        starts_at = info.data.get("starts_at")
        if starts_at is not None and ends_at <= starts_at:
            raise rule(InvalidSchedule.message)
        return ends_at

    @field_validator("registration_opens_at")
    @classmethod
    def _opens_before_end(cls, opens_at, info: ValidationInfo):
        ends_at = info.data.get("ends_at")
        if opens_at is not None and ends_at is not None and opens_at >= ends_at:
            raise rule(_("受付開始日時はイベントの終了より前にしてください。"))
        return opens_at

    @field_validator("registration_closes_at")
    @classmethod
    def _closes_after_opening(cls, closes_at, info: ValidationInfo):
        if closes_at is None:
            return closes_at
        opens_at, ends_at = info.data.get("registration_opens_at"), info.data.get("ends_at")
        if opens_at is not None and closes_at <= opens_at:
            raise rule(_("受付終了日時は受付開始日時より後にしてください。"))
        if ends_at is not None and closes_at > ends_at:
            raise rule(_("受付終了日時はイベントの終了日時までにしてください。"))
        return closes_at

    @model_validator(mode="after")
    def _parts_within_event(self):
        errors = []
        for index, part in enumerate(self.parts):
            if part.starts_at is None or part.ends_at is None:
                continue  # both or neither: the part's own check says so
            if part.starts_at < self.starts_at or part.ends_at > self.ends_at:
                errors.append(
                    (
                        ("parts", index, "starts_at"),
                        _("部の時間はイベントの開始から終了までの間にしてください。"),
                    )
                )
        if errors:
            raise located(errors)
        return self


class EventInput(EventDetails):
    """An event as the services take it: the details, its address and its reminder rules."""

    slug: Slug = ""
    """The event's address (/events/<slug>); blank makes one from the date and kind."""
    reminder_rules: Annotated[tuple[ReminderRule, ...], Field(max_length=MAX_REMINDERS)] | None = (
        None
    )
    """"7d@10:00" (days before, at a local time) or "60m" (minutes before); None: the defaults."""
