"""JSON in and out: resources as the API shows them, and request bodies read into the services'
input types. Plain functions; the OpenAPI document (openapi.py) describes the same shapes."""

import math
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from app.announcements.models import Announcement
from app.announcements.services import AUDIENCE_KINDS
from app.events.models import Event, EventFormat, EventKind, EventStatus, QuestionType
from app.events.services import EventInput, PartInput, QuestionInput, TableInput
from app.members.models import Member, ThemeInterest
from app.registrations.models import Registration, RegistrationStatus
from app.reminders.rules import from_minutes, rules_for, to_minutes

# Ids are 32-bit integers in the database: anything larger names nothing.
MAX_ID = 2**31 - 1
MAX_CAPACITY = 100_000
MAX_REMINDER_MINUTES = 999_999  # what a "60m" rule can say
# Events are dated within this range; outside it a typo (year 20266) is more likely than a plan.
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100
MAX_PARTS, MAX_TABLES, MAX_QUESTIONS = 10, 20, 30  # as many rows as the console's form takes


class Invalid(Exception):
    """The request body or query breaks the API's shape rules; `errors` says where and why."""

    def __init__(self, errors: list[dict]):
        super().__init__(errors)
        self.errors = errors


# --- out ------------------------------------------------------------------------------------


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 in the app's zone with its offset: 2026-09-15T14:00:00+09:00."""
    if moment is None:
        return None
    return moment.astimezone(ZoneInfo(current_app.config["APP_TIMEZONE"])).isoformat()


def event_json(event: Event, organizer: bool) -> dict:
    """An event; the meeting URL only for organizers (attendees get personal join links)."""
    rules = rules_for(event)
    timezone = current_app.config["APP_TIMEZONE"]
    data = {
        "id": event.id,
        "slug": event.slug,
        "title": event.title,
        "kind": event.kind,
        "description": event.description,
        "starts_at": iso(event.starts_at),
        "ends_at": iso(event.ends_at),
        "all_day": event.all_day,
        "format": event.format,
        "venue": event.venue,
        "capacity": event.capacity,
        "registration_opens_at": iso(event.registration_opens_at),
        "registration_closes_at": iso(event.registration_closes_at),
        "requires_approval": event.requires_approval,
        "status": event.status,
        "parts": [
            {
                "id": part.id,
                "title": part.title,
                "starts_at": iso(part.starts_at),
                "ends_at": iso(part.ends_at),
                "capacity": part.capacity,
                "uses_tables": part.uses_tables,
            }
            for part in event.parts
        ],
        "tables": [
            {
                "id": table.id,
                "title": table.title,
                "description": table.description,
                "capacity": table.capacity,
            }
            for table in event.tables
        ],
        "questions": [
            {
                "id": question.id,
                "label": question.label,
                "type": question.type,
                "required": question.required,
                "choices": list(question.choices or []),
            }
            for question in event.questions
        ],
        "reminder_offsets_minutes": to_minutes(rules, event.starts_at, timezone),
    }
    if organizer:
        data["meeting_url"] = event.meeting_url
    return data


def registration_json(registration: Registration) -> dict:
    return {
        "id": registration.id,
        "event_id": registration.event_id,
        "name": registration.name,
        "furigana": registration.furigana,
        "email": registration.email,
        "organization": registration.organization_name,
        "organization_code": registration.organization_code,
        "department": registration.department,
        "position": registration.position,
        "parts": [part.id for part in registration.parts],
        "table": registration.table_id,
        "answers": dict(registration.answers or {}),
        "status": registration.status,
        "checked_in": registration.checked_in_at is not None,
        "checked_in_at": iso(registration.checked_in_at),
        "created_at": iso(registration.created_at),
    }


def member_json(member: Member) -> dict:
    return {
        "id": member.id,
        "name": member.name,
        "email": member.email,
        "organization": member.organization_name,
        "organization_code": member.organization_code,
        "department": member.department,
        "theme_interests": list(member.theme_interests or []),
        "listed_publicly": member.listed_publicly,
        "status": member.status,
        "consent_at": iso(member.consent_at),
        "consent_version": member.consent_version,
        "confirmed_at": iso(member.confirmed_at),
        "created_at": iso(member.created_at),
    }


def announcement_json(announcement: Announcement, progress: dict) -> dict:
    return {
        "id": announcement.id,
        "subject": announcement.subject,
        "body": announcement.body,
        "audience": announcement.audience,
        "status": announcement.status,
        "send_at": iso(announcement.send_at),
        "queued_at": iso(announcement.queued_at),
        "created_at": iso(announcement.created_at),
        "progress": {
            "recipients": announcement.recipients,
            "queued": progress["queued"],
            "sent": progress["sent"],
            "failed": progress["failed"],
            "total": progress["total"],
            "failures": [{"email": email, "error": error} for email, error in progress["failures"]],
        },
    }


# --- in -------------------------------------------------------------------------------------


def _bad_text(value: str) -> bool:
    """NUL and unpaired surrogates cannot be stored (PostgreSQL refuses NUL, UTF-8 the rest)."""
    return "\x00" in value or any(0xD800 <= ord(ch) <= 0xDFFF for ch in value)


def check_text(value, path: str = "") -> None:
    """Refuse, anywhere in a parsed JSON body, text the database cannot hold."""
    if isinstance(value, dict):
        for key, item in value.items():
            check_text(str(key), path)  # a bad key is reported at its object
            check_text(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            check_text(item, f"{path}[{index}]")
    elif isinstance(value, str) and _bad_text(value):
        raise Invalid(
            [{"field": path or "body", "message": _("使用できない文字が含まれています。")}]
        )


def parse_time(text: str) -> datetime | None:
    """An ISO 8601 date-time with an offset, or None when it is not one."""
    try:
        moment = datetime.fromisoformat(text.strip().upper())
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else None


class Reader:
    """Reads one JSON object field by field, collecting every error as {field, message}."""

    def __init__(self, data, prefix: str = "", known: tuple[str, ...] = ()):
        self.data = data if isinstance(data, dict) else {}
        self.prefix = prefix
        self.errors: list[dict] = []
        if not isinstance(data, dict):
            self.error("", _("JSONオブジェクトで指定してください。"))
            if not prefix:
                self.done()  # nothing else can be read from the body
        elif known:
            for name in data:
                if name not in known:
                    self.error(name, _("この項目はありません。"))

    def name(self, field: str) -> str:
        if not field:
            return self.prefix or "body"
        return f"{self.prefix}.{field}" if self.prefix else field

    def error(self, field: str, message: str) -> None:
        self.errors.append({"field": self.name(field), "message": str(message)})

    def has(self, field: str) -> bool:
        return field in self.data

    def _given(self, field: str, required: bool, nullable: bool, default):
        """(False, value) when the field holds a value to check, else (True, what to return)."""
        if field not in self.data:
            if required:
                self.error(field, _("この項目は必須です。"))
            return True, default
        if self.data[field] is None:
            if nullable:
                return True, None
            self.error(
                field, _("この項目は必須です。") if required else _("null は指定できません。")
            )
            return True, default
        return False, self.data[field]

    def string(self, field, required=False, max_length=None, single_line=True, default=""):
        done, value = self._given(field, required, False, default)
        if done:
            return value
        if not isinstance(value, str):
            self.error(field, _("文字列で指定してください。"))
            return default
        if required and not value.strip():
            self.error(field, _("この項目は必須です。"))
        if single_line and any(ch in "\r\n" for ch in value):
            self.error(field, _("改行を含めずに入力してください。"))
        if max_length is not None and len(value) > max_length:
            self.error(field, _("%(max)d文字以内で入力してください。", max=max_length))
        return value

    def integer(self, field, required=False, minimum=0, maximum=MAX_ID, default=None):
        """A whole number; null means "none" (an unlimited capacity, a new row)."""
        done, value = self._given(field, required, True, default)
        if done:
            return value
        number = as_int(value)
        if number is None:
            self.error(field, _("整数で指定してください。"))
            return default
        if not minimum <= number <= maximum:
            self.error(
                field,
                _("%(min)dから%(max)dまでの整数で指定してください。", min=minimum, max=maximum),
            )
            return default
        return number

    def boolean(self, field, default=False):
        done, value = self._given(field, False, False, default)
        if done:
            return value
        if not isinstance(value, bool):
            self.error(field, _("true か false で指定してください。"))
            return default
        return value

    def choice(self, field, options, required=False, default=None):
        done, value = self._given(field, required, False, default)
        if done:
            return value
        if value not in options:
            self.error(
                field, _("次のいずれかで指定してください: %(options)s", options=", ".join(options))
            )
            return default
        return value

    def time(self, field, required=False, nullable=True, default=None):
        """An ISO 8601 date-time with an offset (any offset; naive times are refused)."""
        done, value = self._given(field, required, nullable and not required, default)
        if done:
            return value
        moment = parse_time(value) if isinstance(value, str) else None
        if moment is None:
            self.error(
                field,
                _("時差を含むISO 8601の日時で指定してください（例: 2026-09-15T14:00:00+09:00）。"),
            )
            return default
        if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
            self.error(
                field,
                _(
                    "%(first)d年から%(last)d年までの日時で指定してください。",
                    first=EARLIEST_YEAR,
                    last=LATEST_YEAR,
                ),
            )
            return default
        return moment

    def array(self, field, max_items, required=False):
        """The list at `field` ([] when absent), or None when it is not a list."""
        done, value = self._given(field, required, True, [])
        if done:
            return value if value is not None else []
        if not isinstance(value, list):
            self.error(field, _("配列で指定してください。"))
            return None
        if len(value) > max_items:
            self.error(field, _("%(max)d件以内で指定してください。", max=max_items))
            return None
        return value

    def nested(self, field: str, index: int, known: tuple[str, ...]) -> "Reader":
        item = self.data[field][index]
        return Reader(item, f"{self.name(field)}[{index}]", known)

    def done(self) -> None:
        if self.errors:
            raise Invalid(self.errors)


def as_int(value) -> int | None:
    """A JSON number that is a whole number (3 or 3.0), else None; true and false are not."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    return None


EVENT_FIELDS = (
    "slug",
    "title",
    "kind",
    "description",
    "starts_at",
    "ends_at",
    "all_day",
    "format",
    "venue",
    "meeting_url",
    "capacity",
    "registration_opens_at",
    "registration_closes_at",
    "requires_approval",
    "parts",
    "tables",
    "questions",
    "reminder_offsets_minutes",
)
PART_FIELDS = ("id", "title", "starts_at", "ends_at", "capacity", "uses_tables")
TABLE_FIELDS = ("id", "title", "description", "capacity")
QUESTION_FIELDS = ("id", "label", "type", "required", "choices")


def _parts(reader: Reader) -> tuple[PartInput, ...]:
    rows = reader.array("parts", MAX_PARTS) or []
    parts = []
    for index in range(len(rows)):
        row = reader.nested("parts", index, PART_FIELDS)
        parts.append(
            PartInput(
                id=row.integer("id", minimum=1),
                title=row.string("title", required=True, max_length=200).strip(),
                starts_at=row.time("starts_at"),
                ends_at=row.time("ends_at"),
                capacity=row.integer("capacity", maximum=MAX_CAPACITY),
                uses_tables=row.boolean("uses_tables"),
            )
        )
        reader.errors += row.errors
    return tuple(parts)


def _tables(reader: Reader) -> tuple[TableInput, ...]:
    rows = reader.array("tables", MAX_TABLES) or []
    tables = []
    for index in range(len(rows)):
        row = reader.nested("tables", index, TABLE_FIELDS)
        tables.append(
            TableInput(
                id=row.integer("id", minimum=1),
                title=row.string("title", required=True, max_length=200).strip(),
                description=row.string("description", max_length=500).strip(),
                capacity=row.integer("capacity", maximum=MAX_CAPACITY),
            )
        )
        reader.errors += row.errors
    return tuple(tables)


def _questions(reader: Reader) -> tuple[QuestionInput, ...]:
    rows = reader.array("questions", MAX_QUESTIONS) or []
    questions = []
    for index in range(len(rows)):
        row = reader.nested("questions", index, QUESTION_FIELDS)
        choices = row.array("choices", 100) or []
        if not all(isinstance(choice, str) and choice.strip() for choice in choices):
            row.error("choices", _("空でない文字列の配列で指定してください。"))
            choices = []
        elif any(len(choice) > 200 or "\n" in choice for choice in choices):
            row.error("choices", _("選択肢はそれぞれ1行・200文字以内で指定してください。"))
        questions.append(
            QuestionInput(
                id=row.integer("id", minimum=1),
                label=row.string("label", required=True, max_length=200).strip(),
                type=row.choice("type", [t.value for t in QuestionType], required=True),
                required=row.boolean("required"),
                choices=tuple(choice.strip() for choice in choices),
            )
        )
        reader.errors += row.errors
    return tuple(questions)


def _reminders(reader: Reader, default):
    if not reader.has("reminder_offsets_minutes"):
        return default
    offsets = reader.data["reminder_offsets_minutes"]
    if offsets is None:
        return None  # back to the defaults
    values = reader.array("reminder_offsets_minutes", 20)
    if values is None:
        return default
    numbers = [as_int(value) for value in values]
    if any(n is None or not 0 <= n <= MAX_REMINDER_MINUTES for n in numbers):
        reader.error(
            "reminder_offsets_minutes",
            _(
                "開始の何分前かを0から%(max)dまでの整数で指定してください。",
                max=MAX_REMINDER_MINUTES,
            ),
        )
        return default
    return tuple(from_minutes(numbers))


def _meeting_url(reader: Reader, default: str) -> str:
    url = reader.string("meeting_url", max_length=500, default=default).strip()
    if url and (not url.startswith("https://") or len(url) <= len("https://") or " " in url):
        reader.error("meeting_url", _("https:// で始まるURLを指定してください。"))
    return url


def read_event(data, current: Event | None = None) -> EventInput:
    """The body of POST /events, or of PATCH /events/{id} over `current` (omitted fields stay).

    Times must carry an offset; rows (parts, tables, questions) are given whole, each with the
    `id` of the row it keeps, and replace the event's rows when present.
    """
    reader = Reader(data, known=EVENT_FIELDS)
    creating = current is None

    def keep(name):
        return None if creating else getattr(current, name)

    title = reader.string("title", required=creating, max_length=200, default=keep("title"))
    kind = reader.choice(
        "kind", [k.value for k in EventKind], default=keep("kind") or EventKind.SEMINAR
    )
    starts_at = reader.time(
        "starts_at", required=creating, nullable=False, default=keep("starts_at")
    )
    ends_at = reader.time("ends_at", required=creating, nullable=False, default=keep("ends_at"))
    slug = reader.string("slug", max_length=80)  # blank: made up, or kept on an edit
    fields = {
        "title": (title or "").strip(),
        "kind": kind,
        "description": reader.string(
            "description", single_line=False, max_length=10_000, default=keep("description") or ""
        ).strip(),
        "starts_at": starts_at,
        "ends_at": ends_at,
        "all_day": reader.boolean("all_day", default=keep("all_day") or False),
        "format": reader.choice(
            "format", [f.value for f in EventFormat], default=keep("format") or EventFormat.ONLINE
        ),
        "venue": reader.string("venue", max_length=300, default=keep("venue") or "").strip(),
        "meeting_url": _meeting_url(reader, keep("meeting_url") or ""),
        "capacity": reader.integer("capacity", maximum=MAX_CAPACITY, default=keep("capacity")),
        "registration_opens_at": reader.time(
            "registration_opens_at", default=keep("registration_opens_at")
        ),
        "registration_closes_at": reader.time(
            "registration_closes_at", default=keep("registration_closes_at")
        ),
        "requires_approval": reader.boolean(
            "requires_approval", default=keep("requires_approval") or False
        ),
        "slug": slug.strip().lower(),
        "reminder_rules": _reminders(
            reader, None if creating else _tuple_or_none(current.reminder_rules)
        ),
    }
    for name, read, existing in (
        ("parts", _parts, _current_parts),
        ("tables", _tables, _current_tables),
        ("questions", _questions, _current_questions),
    ):
        fields[name] = read(reader) if creating or reader.has(name) else existing(current)
    reader.done()
    return EventInput(**fields)


def _tuple_or_none(rules):
    return None if rules is None else tuple(rules)


def _current_parts(event: Event) -> tuple[PartInput, ...]:
    return tuple(
        PartInput(p.title, p.starts_at, p.ends_at, p.capacity, p.uses_tables, p.id)
        for p in event.parts
    )


def _current_tables(event: Event) -> tuple[TableInput, ...]:
    return tuple(TableInput(t.title, t.description, t.capacity, t.id) for t in event.tables)


def _current_questions(event: Event) -> tuple[QuestionInput, ...]:
    return tuple(
        QuestionInput(q.label, q.type, q.required, tuple(q.choices or ()), q.id)
        for q in event.questions
    )


TEXT, FLAG, TEXTS = "text", "flag", "texts"


def form_data(reader: Reader, fields: dict[str, str]) -> MultiDict:
    """The body as the HTML form would have posted it, so the form's own checks apply.

    `fields` says what each field holds: TEXT (a string), FLAG (true or false, a ticked box) or
    TEXTS (a list of strings, several boxes); a value of another type is refused here.
    """
    form = MultiDict()
    for name, kind in fields.items():
        value = reader.data.get(name)
        if value is None:
            continue
        if kind == TEXT and isinstance(value, str):
            form.add(name, value)
        elif kind == FLAG and isinstance(value, bool):
            if value:
                form.add(name, "y")
        elif kind == TEXTS and isinstance(value, list) and all(isinstance(v, str) for v in value):
            for item in value:
                form.add(name, item)
        else:
            message = {
                TEXT: _("文字列で指定してください。"),
                FLAG: _("true か false で指定してください。"),
                TEXTS: _("文字列の配列で指定してください。"),
            }[kind]
            reader.error(name, message)
    return form


# What the sign-up form checks; parts, table and answers are checked by the service.
REGISTRATION_FORM_FIELDS = {
    "name": TEXT,
    "furigana": TEXT,
    "email": TEXT,
    "organization": TEXT,
    "department": TEXT,
    "position": TEXT,
    "privacy": FLAG,
}
REGISTRATION_FIELDS = (*REGISTRATION_FORM_FIELDS, "parts", "table", "answers")
MEMBER_FIELDS = {
    "name": TEXT,
    "email": TEXT,
    "organization": TEXT,
    "department": TEXT,
    "theme_interests": TEXTS,
    "listed_publicly": FLAG,
    "consent": FLAG,
    "privacy": FLAG,
}


def form_errors(form) -> list[dict]:
    """A validated WTForms form's errors as {field, message}."""
    return [
        {"field": name, "message": str(message)}
        for name, messages in form.errors.items()
        for message in messages
    ]


def read_answers(reader: Reader) -> dict:
    answers = reader.data.get("answers")
    if answers is None:
        return {}
    if not isinstance(answers, dict):
        reader.error("answers", _("質問IDをキーとするオブジェクトで指定してください。"))
        return {}
    return answers


def read_ids(reader: Reader, field: str) -> list[int]:
    values = reader.data.get(field) or []
    if not isinstance(values, list):
        reader.error(field, _("配列で指定してください。"))
        return []
    ids = [as_int(value) for value in values]
    if any(n is None or not 1 <= n <= MAX_ID for n in ids) or len(ids) > MAX_PARTS:
        reader.error(field, _("IDの配列で指定してください。"))
        return []
    return ids


ANNOUNCEMENT_FIELDS = ("subject", "body", "audience", "send_at")
AUDIENCE_FIELDS = ("kind", "event_id", "statuses", "table_id", "themes")


def read_announcement(data) -> tuple[str, str, dict, datetime | None]:
    """(subject, body, audience, send_at) of POST /announcements; the service checks the rules."""
    reader = Reader(data, known=ANNOUNCEMENT_FIELDS)
    subject = reader.string("subject", required=True, max_length=200)
    body = reader.string("body", required=True, single_line=False, max_length=100_000)
    send_at = reader.time("send_at")
    audience = reader.data.get("audience")
    if "audience" not in reader.data:
        reader.error("audience", _("この項目は必須です。"))
    elif not isinstance(audience, dict):
        reader.error("audience", _("JSONオブジェクトで指定してください。"))
    else:
        inner = Reader(audience, "audience", AUDIENCE_FIELDS)
        inner.choice("kind", AUDIENCE_KINDS, required=True)
        inner.integer("event_id", minimum=1)
        inner.integer("table_id", minimum=1)
        for name, options in (("statuses", STATUSES), ("themes", THEMES)):
            values = inner.array(name, len(options))
            if values and any(value not in options for value in values):
                inner.error(
                    name,
                    _("次の値の配列で指定してください: %(options)s", options=", ".join(options)),
                )
        reader.errors += inner.errors
    reader.done()
    return subject, body, audience, send_at


STATUSES = tuple(status.value for status in RegistrationStatus)
THEMES = tuple(theme.value for theme in ThemeInterest)
EVENT_STATUSES = tuple(status.value for status in EventStatus)
