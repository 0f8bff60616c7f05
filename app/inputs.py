"""What every input model is built from: the base model, the text, number and time types with
their limits and hygiene, and the translation of a model's errors into one message per field.

Each write has one input model in the domain that owns it (app/events/inputs.py, ...). The
console's forms, the public forms and the JSON API translate what they receive into that model
and show its errors beside their own fields; the OpenAPI document is generated from the same
models. A rule is written here or in the model, never in a door.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, ClassVar, TypeVar

from annotated_types import GroupedMetadata
from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    ValidationError,
    model_validator,
)
from pydantic_core import PydanticCustomError

from app.errors import DomainError
from app.text import UnusableText, clean_line, clean_text, nfkc

# Ids are 32-bit integers in the database: anything larger names nothing.
MAX_ID = 2**31 - 1
# Dates outside these years are typos (20266) more likely than plans; near year 1 the conversion
# to UTC overflows.
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100


class InputModel(BaseModel):
    """An input model: immutable once validated; unknown fields are refused, not ignored.

    `labels` names fields for messages that need the field's name ("タイトルを入力してください。"),
    keyed by the path without row numbers ("title", "parts.title").
    """

    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)
    labels: ClassVar[dict] = {}

    @model_validator(mode="before")
    @classmethod
    def _null_means_none(cls, data):
        """null for a field that cannot hold it means "none": the field's default ("" or ()),
        or, for a field that must be given, a field not given."""
        if not isinstance(data, dict):
            return data
        return {
            name: value
            for name, value in data.items()
            if not (
                value is None
                and name in cls.model_fields
                and cls.model_fields[name].default is not None
            )
        }


@dataclass(frozen=True)
class FieldError:
    """One broken rule: where (the model's path, rows numbered from 0) and what to do."""

    loc: tuple
    message: str

    @property
    def api_field(self) -> str:
        """parts[0].title, as the JSON API names it."""
        name = ""
        for part in self.loc:
            if isinstance(part, int):
                name += f"[{part}]"
            else:
                name += f".{part}" if name else str(part)
        return name or "body"


class InvalidInput(DomainError):
    """An input broke its model's rules; `errors` holds every broken rule at once."""

    message = _l("入力内容をご確認ください。")

    def __init__(self, errors: list[FieldError]):
        super().__init__()
        self.errors = errors


def rule(message) -> PydanticCustomError:
    """A broken rule of a model, with its own message (raised inside a validator)."""
    return PydanticCustomError("rule", "{message}", {"message": str(message)})


def located(errors: list[tuple[tuple, object]]) -> InvalidInput:
    """Errors a model's cross-row check found, placed at the rows' fields."""
    return InvalidInput([FieldError(loc, str(message)) for loc, message in errors])


# --- types ----------------------------------------------------------------------------------


def _hygiene(cleaner: Callable[[str], str]) -> BeforeValidator:
    def clean(value: object) -> object:
        if not isinstance(value, str):
            return value  # the type check says what is wrong
        try:
            return cleaner(value)
        except UnusableText:
            raise PydanticCustomError("unusable_text", "unusable character") from None

    return BeforeValidator(clean)


@dataclass(frozen=True)
class _CleanText(GroupedMetadata):
    """The rules of a text field, written `Annotated[str, Line(100)]`: cleaned by `cleaner` before
    its length is counted."""

    cleaner: Callable[[str], str]
    max_length: int
    required: bool

    def __iter__(self) -> Iterator[object]:
        yield _hygiene(self.cleaner)
        yield Field(min_length=1 if self.required else 0, max_length=self.max_length)


def Line(max_length: int, required: bool = False) -> _CleanText:  # noqa: N802 - read as a type
    """One line of text, cleaned (app/text.py clean_line) before its length is counted."""
    return _CleanText(clean_line, max_length, required)


def Text(max_length: int, required: bool = False) -> _CleanText:  # noqa: N802
    """Multi-line text (a description, a mail body), cleaned by app/text.py clean_text."""
    return _CleanText(clean_text, max_length, required)


def Code(max_length: int, required: bool = False) -> _CleanText:  # noqa: N802
    """Text compared as a code or address: NFKC (full-width ＡＢＣ１２３ as ABC123)."""
    return _CleanText(nfkc, max_length, required)


def _plausible(moment: datetime) -> datetime:
    if not EARLIEST_YEAR <= moment.year <= LATEST_YEAR:
        raise rule(
            _(
                "%(first)d年〜%(last)d年の日時を入力してください。",
                first=EARLIEST_YEAR,
                last=LATEST_YEAR,
            )
        )
    return moment.astimezone(UTC)


EMAIL_MAX = 254
EMAIL_EXAMPLE = "taro@city.example.lg.jp"


def email_address(value: str) -> str:
    """An address as we store and send to it: full-width letters and digits made ASCII
    (ｔａｒｏ＠… from a Japanese keyboard), case folded, and the shape checked (our SMTP path
    speaks no SMTPUTF8, so the address must be ASCII)."""
    try:
        value = nfkc(value).lower()
        validate_email(value, check_deliverability=False, allow_smtputf8=False)
    except (EmailNotValidError, UnusableText):
        raise rule(
            _("メールアドレスの形式が正しくありません（例: %(example)s）。", example=EMAIL_EXAMPLE)
        ) from None
    return value


def _email(value):
    return email_address(value) if isinstance(value, str) and value.strip() else value


EmailAddress = Annotated[
    str,
    Code(EMAIL_MAX, required=True),
    AfterValidator(_email),
    Field(json_schema_extra={"format": "email", "examples": [EMAIL_EXAMPLE]}),
]
"""An e-mail address, normalised (NFKC, lower case) and checked."""

Moment = Annotated[AwareDatetime, AfterValidator(_plausible)]
"""A date and time with its offset (a time without one is refused), kept in UTC."""

Id = Annotated[int, Strict(), Field(ge=1, le=MAX_ID)]
Flag = Annotated[bool, Strict()]


@dataclass(frozen=True)
class Count(GroupedMetadata):
    """A whole number from 0 to `maximum` (seats, minutes): `Annotated[int, Count(500)]`."""

    maximum: int

    def __iter__(self) -> Iterator[object]:
        maximum = self.maximum

        def within(value: object) -> object:
            if isinstance(value, int) and not isinstance(value, bool) and not 0 <= value <= maximum:
                raise rule(_("0〜%(max)dの整数で入力してください。", max=maximum))
            return value

        # The range is checked first for its message; Field keeps it in the JSON Schema.
        yield BeforeValidator(within)
        yield Strict()
        yield Field(ge=0, le=maximum)


# --- errors ---------------------------------------------------------------------------------

UNUSABLE_TEXT = _l("使えない文字（制御文字など）が含まれています。削除してください。")
_TIME = _l("時差を含むISO 8601の日時で指定してください（例: 2026-09-15T14:00:00+09:00）。")
_INTEGER = _l("整数で指定してください。")
_MESSAGES = {
    "missing": _l("この項目は必須です。"),
    "string_type": _l("文字列で指定してください。"),
    "unusable_text": UNUSABLE_TEXT,
    "int_type": _INTEGER,
    "int_parsing": _INTEGER,
    "int_from_float": _INTEGER,
    "bool_type": _l("true か false で指定してください。"),
    "bool_parsing": _l("true か false で指定してください。"),
    "datetime_type": _TIME,
    "datetime_parsing": _TIME,
    "datetime_from_date_parsing": _TIME,
    "timezone_aware": _TIME,
    "list_type": _l("配列で指定してください。"),
    "tuple_type": _l("配列で指定してください。"),
    "extra_forbidden": _l("この項目はありません。"),
    "model_type": _l("JSONオブジェクトで指定してください。"),
    "model_attributes_type": _l("JSONオブジェクトで指定してください。"),
    "dict_type": _l("JSONオブジェクトで指定してください。"),
}


def _label(model: type[InputModel], loc: tuple) -> str | None:
    key = ".".join(str(part) for part in loc if not isinstance(part, int))
    label = model.labels.get(key)
    return None if label is None else str(label)


def _message(model: type[InputModel], error: dict) -> str:
    kind, ctx, loc = error["type"], error.get("ctx") or {}, error["loc"]
    if kind == "rule":
        return ctx["message"]
    text = isinstance(error.get("input"), str)
    if (kind == "too_short" and text) or (kind == "missing" and _label(model, loc)):
        label = _label(model, loc)
        if label:
            return _("%(label)sを入力してください。", label=label)
        return _("入力してください。")
    if kind == "too_long":
        if text:
            return _("%(max)d文字以内で入力してください。", max=ctx["max_length"])
        return _("%(max)d件以内で指定してください。", max=ctx["max_length"])
    if kind in ("greater_than_equal", "less_than_equal"):
        return _range_message(ctx)
    if kind in ("enum", "literal_error"):
        return _("選択肢の中から選んでください（%(options)s）。", options=ctx.get("expected", ""))
    if kind in _MESSAGES:
        return str(_MESSAGES[kind])
    return _("値が正しくありません。")


def _range_message(ctx: dict) -> str:
    if "ge" in ctx:
        return _("%(min)d以上の整数で指定してください。", min=ctx["ge"])
    return _("%(max)d以下の整数で指定してください。", max=ctx["le"])


def field_errors(model: type[InputModel], error: ValidationError) -> list[FieldError]:
    """A model's validation errors, one message per field, in the order the model lists them."""
    found: list[FieldError] = []
    for item in error.errors(include_url=False):
        loc = tuple(item["loc"])
        if any(existing.loc == loc for existing in found):
            continue
        found.append(FieldError(loc, _message(model, dict(item))))
    return found


M = TypeVar("M", bound=InputModel)


def parse(model: type[M], data, context: dict | None = None) -> M:
    """`data` checked against `model`: the validated input, or InvalidInput with every error."""
    try:
        return model.model_validate(data, context=context)
    except ValidationError as error:
        raise InvalidInput(field_errors(model, error)) from None
