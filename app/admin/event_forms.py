"""The event form of the console: shape only; app/events/services.py checks the rules.

Parts, theme tables and questions are repeating rows (FieldList of FormField) with a few blank
rows at the end; blank rows are ignored and a row is removed with its 削除 checkbox.
"""

from datetime import UTC, datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    FieldList,
    FormField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.fields import URLField
from wtforms.validators import InputRequired, NumberRange, Optional, Regexp, ValidationError
from wtforms.widgets import HiddenInput

from app.errors import DomainError, InvalidSchedule
from app.events.models import Event, EventFormat, EventKind, QuestionType
from app.events.services import (
    CHOICE_TYPES,
    SLUG_MAX,
    SLUG_PATTERN,
    EventInput,
    PartInput,
    QuestionInput,
    TableInput,
)
from app.forms import max_length, nfkc, required, single_line, strip
from app.reminders.rules import DEFAULT_RULES, ONLINE_RULE, is_valid, rules_for

BLANK_ROWS = 3  # empty rows offered under the filled ones
ROW_SECTIONS = ("parts", "tables", "questions")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M"]

KIND_CHOICES = [
    SelectChoice(EventKind.SEMINAR.value, _l("セミナー")),
    SelectChoice(EventKind.SHARING_SESSION.value, _l("定期共有会")),
    SelectChoice(EventKind.EXCHANGE_SESSION.value, _l("情報交換会")),
    SelectChoice(EventKind.JOINT_DECLARATION.value, _l("自治体リスキリング共同宣言")),
]
FORMAT_CHOICES = [
    SelectChoice(EventFormat.ONLINE.value, _l("オンライン開催")),
    SelectChoice(EventFormat.IN_PERSON.value, _l("会場開催")),
    SelectChoice(EventFormat.HYBRID.value, _l("会場・オンライン併用")),
]
QUESTION_TYPE_CHOICES = [
    SelectChoice(QuestionType.SHORT_TEXT.value, _l("記述（1行）")),
    SelectChoice(QuestionType.LONG_TEXT.value, _l("記述（複数行）")),
    SelectChoice(QuestionType.SINGLE_CHOICE.value, _l("選択（1つ）")),
    SelectChoice(QuestionType.MULTIPLE_CHOICE.value, _l("選択（複数可）")),
]
MAX_SEATS = 100_000
NON_NEGATIVE = NumberRange(
    min=0, max=MAX_SEATS, message=_l("0〜%(max)dの整数で入力してください。", max=MAX_SEATS)
)
YEARS = (2000, 2100)  # beyond these a typo, and near year 1 the UTC conversion overflows


class _ParseMessage:
    """Our own words when the typed value cannot be read at all."""

    parse_message = _l("正しい形式で入力してください。")

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(self.parse_message) from None


class LocalDateTimeField(_ParseMessage, DateTimeLocalField):
    parse_message = _l("日時を「2026-09-15 14:00」の形で入力してください。")


class ClockTimeField(_ParseMessage, TimeField):
    parse_message = _l("時刻を「14:00」の形で入力してください。")


class WholeNumberField(_ParseMessage, IntegerField):
    parse_message = _l("整数で入力してください（例: 30）。")


def typed(label):
    """Like required(), but keeps the "cannot read this" message of a date typed wrongly."""
    return InputRequired(message=_l("%(label)sを入力してください。", label=label))


def plausible_year(form, field):
    if field.data and not YEARS[0] <= field.data.year <= YEARS[1]:
        raise ValidationError(
            _l("%(first)d年〜%(last)d年の日時を入力してください。", first=YEARS[0], last=YEARS[1])
        )


def storable(form, field):
    """PostgreSQL cannot store NUL; nobody types one."""
    if field.data and "\x00" in field.data:
        raise ValidationError(_l("使えない文字が含まれています。"))


def lines(value: str | None) -> list[str]:
    """Non-empty lines, each normalised (full-width ７ｄ＠１０：００ becomes 7d@10:00)."""
    return [line for line in (nfkc(raw) for raw in (value or "").splitlines()) if line]


def https_url(form, field):
    if not field.data:
        return
    parts = urlsplit(field.data)
    if parts.scheme != "https" or not parts.netloc or any(ch.isspace() for ch in field.data):
        raise ValidationError(_l("https:// で始まるURLを入力してください。"))


def reminder_rules(form, field):
    bad = [rule for rule in lines(field.data) if not is_valid(rule)]
    if bad:
        raise ValidationError(
            _l(
                "「%(rules)s」は読み取れません。「7d@10:00」（7日前の10:00）や「60m」（60分前）の形で、1行に1つ入力してください。",
                rules="」「".join(bad),
            )
        )


class _RowForm(FlaskForm):
    """One repeating row; rows the organizer left empty are not checked and not saved."""

    class Meta:
        csrf = False

    row_id = WholeNumberField(_l("行"), widget=HiddenInput(), validators=[Optional()])
    remove = BooleanField(_l("この行を削除"))
    typed_fields: tuple[str, ...] = ()

    @property
    def skipped(self) -> bool:
        """Removed, or a new row with nothing typed in it."""
        if self.remove.data:
            return True
        typed = any((self[name].raw_data or [""])[0].strip() for name in self.typed_fields)
        return self.row_id.data is None and not typed

    def validate(self, extra_validators=None):
        if self.skipped:
            return True
        return super().validate(extra_validators)


class PartForm(_RowForm):
    title = StringField(
        _l("部の名前"),
        filters=[strip],
        validators=[required(_l("部の名前")), max_length(200), single_line],
    )
    starts_at = ClockTimeField(_l("開始時刻"), validators=[Optional()])
    ends_at = ClockTimeField(_l("終了時刻"), validators=[Optional()])
    capacity = WholeNumberField(
        _l("定員（空欄なら制限なし）"), validators=[Optional(), NON_NEGATIVE]
    )
    uses_tables = BooleanField(_l("この部でテーマ別テーブルに分かれる"))
    typed_fields = ("title", "starts_at", "ends_at", "capacity")


class TableForm(_RowForm):
    title = StringField(
        _l("テーブルの名前"),
        filters=[strip],
        validators=[required(_l("テーブルの名前")), max_length(200), single_line],
    )
    description = StringField(
        _l("説明"), filters=[strip], validators=[max_length(500), single_line]
    )
    capacity = WholeNumberField(
        _l("定員（空欄なら制限なし）"), validators=[Optional(), NON_NEGATIVE]
    )
    typed_fields = ("title", "description", "capacity")


class QuestionForm(_RowForm):
    label = StringField(
        _l("質問文"),
        filters=[strip],
        validators=[required(_l("質問文")), max_length(200), single_line],
    )
    type = SelectField(
        _l("回答の形式"), choices=QUESTION_TYPE_CHOICES, default=QuestionType.SHORT_TEXT.value
    )
    required = BooleanField(_l("回答必須"))
    choices = TextAreaField(
        _l("選択肢（選択式のとき、1行に1つ）"), validators=[max_length(2000), storable]
    )
    typed_fields = ("label", "choices")

    def validate_choices(self, field):
        if self.type.data in CHOICE_TYPES and not lines(field.data):
            raise ValidationError(_l("選択式の質問には選択肢を1行に1つずつ入力してください。"))


class EventForm(FlaskForm):
    title = StringField(
        _l("タイトル"),
        filters=[strip],
        validators=[required(_l("タイトル")), max_length(200), single_line],
    )
    kind = SelectField(_l("種類"), choices=KIND_CHOICES, default=EventKind.SEMINAR.value)
    description = TextAreaField(_l("説明"), validators=[max_length(10_000), storable])
    starts_at = LocalDateTimeField(
        _l("開始日時"), format=DATETIME_FORMATS, validators=[typed(_l("開始日時")), plausible_year]
    )
    ends_at = LocalDateTimeField(
        _l("終了日時"), format=DATETIME_FORMATS, validators=[typed(_l("終了日時")), plausible_year]
    )
    all_day = BooleanField(_l("終日の行事（カレンダーには日付だけで登録）"))
    format = RadioField(_l("開催形式"), choices=FORMAT_CHOICES, default=EventFormat.ONLINE.value)
    venue = StringField(
        _l("会場（会場開催・併用のとき）"),
        filters=[strip],
        validators=[max_length(300), single_line],
    )
    meeting_url = URLField(
        _l("オンライン会議のURL"),
        filters=[strip],
        validators=[Optional(), max_length(500), single_line, https_url],
    )
    capacity = WholeNumberField(
        _l("定員（空欄なら制限なし）"), validators=[Optional(), NON_NEGATIVE]
    )
    registration_opens_at = LocalDateTimeField(
        _l("受付開始日時（空欄なら公開と同時）"),
        format=DATETIME_FORMATS,
        validators=[Optional(), plausible_year],
    )
    registration_closes_at = LocalDateTimeField(
        _l("受付終了日時（空欄なら開始まで）"),
        format=DATETIME_FORMATS,
        validators=[Optional(), plausible_year],
    )
    reminder_rules = TextAreaField(_l("リマインダー"), validators=[reminder_rules])
    requires_approval = BooleanField(_l("承認制（お申し込みは事務局が承認するまで保留）"))
    slug = StringField(
        _l("URL名（空欄なら日付と種類から作成）"),
        filters=[nfkc, lambda value: value.lower() if isinstance(value, str) else value],
        validators=[
            Optional(),
            max_length(SLUG_MAX),
            Regexp(
                SLUG_PATTERN,
                message=_l("英小文字・数字・ハイフンで入力してください（例: seminar-20260915）。"),
            ),
        ],
    )
    parts = FieldList(FormField(PartForm), label=_l("部"), max_entries=10)
    tables = FieldList(FormField(TableForm), label=_l("テーマ別テーブル"), max_entries=20)
    questions = FieldList(FormField(QuestionForm), label=_l("追加の質問"), max_entries=30)

    def validate_ends_at(self, field):
        # Also a rule of the service; checked here too so it shows with the other mistakes.
        if field.data and self.starts_at.data and field.data <= self.starts_at.data:
            raise ValidationError(InvalidSchedule.message)

    def validate_registration_closes_at(self, field):
        opens = self.registration_opens_at.data
        if field.data and opens and field.data <= opens:
            raise ValidationError(_l("受付終了日時は受付開始日時より後にしてください。"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Errors the service gives about a whole row section ("parts can't be removed").
        self.section_errors: dict[str, list[str]] = {name: [] for name in ROW_SECTIONS}
        # Which FieldList entry each row given to the service came from, to place its errors.
        self._rows: dict[str, list[int]] = {name: [] for name in ROW_SECTIONS}

    def add_blank_rows(self) -> None:
        for name in ROW_SECTIONS:
            rows = self[name]
            for _ in range(min(BLANK_ROWS, rows.max_entries - len(rows.entries))):
                rows.append_entry()

    def _kept(self, name: str):
        self._rows[name] = []
        for index, entry in enumerate(self[name].entries):
            if not entry.form.skipped:
                self._rows[name].append(index)
                yield entry.form

    def to_input(self) -> EventInput:
        """The typed event for the service, times read in the app's zone (JST) and kept in UTC."""
        zone = ZoneInfo(current_app.config["APP_TIMEZONE"])

        def utc(moment: datetime | None) -> datetime | None:
            return None if moment is None else moment.replace(tzinfo=zone).astimezone(UTC)

        day = self.starts_at.data.date()

        def on_day(clock_time):
            return None if clock_time is None else utc(datetime.combine(day, clock_time))

        parts = tuple(
            PartInput(
                title=row.title.data,
                starts_at=on_day(row.starts_at.data),
                ends_at=on_day(row.ends_at.data),
                capacity=row.capacity.data,
                uses_tables=row.uses_tables.data,
                id=row.row_id.data,
            )
            for row in self._kept("parts")
        )
        tables = tuple(
            TableInput(
                title=row.title.data,
                description=row.description.data,
                capacity=row.capacity.data,
                id=row.row_id.data,
            )
            for row in self._kept("tables")
        )
        questions = tuple(
            QuestionInput(
                label=row.label.data,
                type=row.type.data,
                required=row.required.data,
                choices=tuple(lines(row.choices.data)),
                id=row.row_id.data,
            )
            for row in self._kept("questions")
        )
        return EventInput(
            title=self.title.data,
            kind=self.kind.data,
            description=(self.description.data or "").strip(),
            starts_at=utc(self.starts_at.data),
            ends_at=utc(self.ends_at.data),
            all_day=self.all_day.data,
            format=self.format.data,
            venue=self.venue.data or "",
            meeting_url=self.meeting_url.data or "",
            capacity=self.capacity.data,
            registration_opens_at=utc(self.registration_opens_at.data),
            registration_closes_at=utc(self.registration_closes_at.data),
            reminder_rules=tuple(lines(self.reminder_rules.data)),
            requires_approval=self.requires_approval.data,
            slug=self.slug.data or "",
            parts=parts,
            tables=tables,
            questions=questions,
        )

    def show_error(self, error: DomainError) -> None:
        """Put a service's message beside the field it names ("ends_at", "parts-0-title")."""
        name = error.field or ""
        section, _, rest = name.partition("-")
        target = None
        if section in ROW_SECTIONS:
            index, _, field = rest.partition("-")
            if not rest:
                self.section_errors[section].append(error.message)
                return
            rows = self._rows[section]
            if index.isdigit() and int(index) < len(rows):
                row = self[section].entries[rows[int(index)]].form
                target = row[field] if field in row else None
        elif name in self:
            target = self[name]
        if target is None:
            self.form_errors.append(error.message)
            return
        target.errors = [*target.errors, error.message]

    @property
    def has_errors(self) -> bool:
        return bool(self.errors) or any(self.section_errors.values())

    def error_summary(self) -> list[tuple[str, str]]:
        """(field id to link to, "label: message") for every error, rows numbered."""
        items = [("", str(message)) for message in self.form_errors]
        for field in self:
            if field.name == "csrf_token":
                continue
            if field.name in ROW_SECTIONS:
                items += [
                    (field.id, f"{field.label.text}: {m}") for m in self.section_errors[field.name]
                ]
                for number, entry in enumerate(field.entries, 1):
                    for sub in entry.form:
                        label = f"{field.label.text} {number} {sub.label.text}"
                        items += [(sub.id, f"{label}: {m}") for m in sub.errors]
                continue
            items += [(field.id, f"{field.label.text}: {m}") for m in field.errors]
        return items


def default_reminder_text() -> str:
    """The defaults of a new (online) event, shown so the organizer sees what will be sent."""
    return "\n".join([*DEFAULT_RULES, ONLINE_RULE])


def event_form_data(event: Event) -> dict:
    """The event as the form shows it: local (JST) times, one reminder rule a line."""
    zone = ZoneInfo(current_app.config["APP_TIMEZONE"])

    def local(moment: datetime | None):
        return None if moment is None else moment.astimezone(zone).replace(tzinfo=None)

    def clock_time(moment: datetime | None):
        return None if moment is None else local(moment).time()

    return {
        "title": event.title,
        "kind": event.kind,
        "description": event.description,
        "starts_at": local(event.starts_at),
        "ends_at": local(event.ends_at),
        "all_day": event.all_day,
        "format": event.format,
        "venue": event.venue,
        "meeting_url": event.meeting_url,
        "capacity": event.capacity,
        "registration_opens_at": local(event.registration_opens_at),
        "registration_closes_at": local(event.registration_closes_at),
        "reminder_rules": "\n".join(rules_for(event)),
        "requires_approval": event.requires_approval,
        "slug": event.slug,
        "parts": [
            {
                "row_id": part.id,
                "title": part.title,
                "starts_at": clock_time(part.starts_at),
                "ends_at": clock_time(part.ends_at),
                "capacity": part.capacity,
                "uses_tables": part.uses_tables,
            }
            for part in event.parts
        ],
        "tables": [
            {
                "row_id": table.id,
                "title": table.title,
                "description": table.description,
                "capacity": table.capacity,
            }
            for table in event.tables
        ],
        "questions": [
            {
                "row_id": question.id,
                "label": question.label,
                "type": question.type,
                "required": question.required,
                "choices": "\n".join(question.choices),
            }
            for question in event.questions
        ],
    }
