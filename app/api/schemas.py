"""Reading what a client sends where no input model does yet: query strings, and the sign-up
and membership bodies handed to their HTML forms. Resources and the event and announcement
bodies are models (resources.py)."""

import math
from datetime import datetime

from flask_babel import gettext as _
from werkzeug.datastructures import MultiDict

from app.events.inputs import MAX_PARTS
from app.events.models import EventStatus
from app.inputs import EARLIEST_YEAR, LATEST_YEAR, MAX_ID, UNUSABLE_TEXT
from app.members.models import ThemeInterest
from app.registrations.models import RegistrationStatus


class Invalid(Exception):
    """The request body or query breaks the API's shape rules; `errors` says where and why."""

    def __init__(self, errors: list[dict]):
        super().__init__(errors)
        self.errors = errors


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
        raise Invalid([{"field": path or "body", "message": str(UNUSABLE_TEXT)}])


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


STATUSES = tuple(status.value for status in RegistrationStatus)
THEMES = tuple(theme.value for theme in ThemeInterest)
EVENT_STATUSES = tuple(status.value for status in EventStatus)
