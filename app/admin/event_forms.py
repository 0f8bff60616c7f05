"""The event form of the console: how an event is typed and shown. It reads what was typed
(dates, times, numbers) into the event's input model (app/events/inputs.py), which holds every
rule, and shows the model's errors, and the service's, beside the fields they name.

Parts, theme tables and questions are repeating rows (FieldList of FormField) with a few blank
rows at the end; blank rows are ignored and a row is removed with its 削除 checkbox. Reminders are
rows too (app/admin/reminder_forms.py), composed into the stored rules.
"""

from datetime import datetime
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
from wtforms.validators import Optional
from wtforms.widgets import HiddenInput

from app.admin.reminder_forms import BLANK_REMINDER_ROWS, ReminderForm, reminder_row
from app.errors import DomainError
from app.events.inputs import MAX_PARTS, MAX_QUESTIONS, MAX_REMINDERS, MAX_TABLES, EventInput
from app.events.models import Event, EventFormat, EventKind, QuestionType
from app.inputs import InvalidInput, parse
from app.reminders.rules import DEFAULT_RULES, ONLINE_RULE, rules_for
from app.text import nfkc

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


def lines(value: str | None) -> list[str]:
    """Non-empty lines, each normalised (full-width ７ｄ＠１０：００ becomes 7d@10:00)."""
    return [line for line in (nfkc(raw) for raw in (value or "").splitlines()) if line]


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
    title = StringField(_l("部の名前"))
    starts_at = ClockTimeField(_l("開始時刻"), validators=[Optional()])
    ends_at = ClockTimeField(_l("終了時刻"), validators=[Optional()])
    capacity = WholeNumberField(_l("定員（空欄なら制限なし）"), validators=[Optional()])
    uses_tables = BooleanField(_l("この部でテーマ別テーブルに分かれる"))
    typed_fields = ("title", "starts_at", "ends_at", "capacity")


class TableForm(_RowForm):
    title = StringField(_l("テーブルの名前"))
    description = StringField(_l("説明"))
    capacity = WholeNumberField(_l("定員（空欄なら制限なし）"), validators=[Optional()])
    typed_fields = ("title", "description", "capacity")


class QuestionForm(_RowForm):
    label = StringField(_l("質問文"))
    type = SelectField(
        _l("回答の形式"), choices=QUESTION_TYPE_CHOICES, default=QuestionType.SHORT_TEXT.value
    )
    required = BooleanField(_l("回答必須"))
    choices = TextAreaField(_l("選択肢（選択式のとき、1行に1つ）"))
    typed_fields = ("label", "choices")


class EventForm(FlaskForm):
    title = StringField(_l("タイトル"))
    kind = SelectField(_l("種類"), choices=KIND_CHOICES, default=EventKind.SEMINAR.value)
    description = TextAreaField(_l("説明"))
    starts_at = LocalDateTimeField(_l("開始日時"), format=DATETIME_FORMATS, validators=[Optional()])
    ends_at = LocalDateTimeField(_l("終了日時"), format=DATETIME_FORMATS, validators=[Optional()])
    all_day = BooleanField(_l("終日の行事（カレンダーには日付だけで登録）"))
    format = RadioField(_l("開催形式"), choices=FORMAT_CHOICES, default=EventFormat.ONLINE.value)
    venue = StringField(_l("会場（会場開催・併用のとき）"))
    meeting_url = URLField(_l("オンライン会議のURL"))
    capacity = WholeNumberField(_l("定員（空欄なら制限なし）"), validators=[Optional()])
    registration_opens_at = LocalDateTimeField(
        _l("受付開始日時（空欄なら公開と同時）"), format=DATETIME_FORMATS, validators=[Optional()]
    )
    registration_closes_at = LocalDateTimeField(
        _l("受付終了日時（空欄なら開始まで）"), format=DATETIME_FORMATS, validators=[Optional()]
    )
    reminders = FieldList(
        FormField(ReminderForm), label=_l("リマインダー"), max_entries=MAX_REMINDERS
    )
    requires_approval = BooleanField(_l("承認制（お申し込みは事務局が承認するまで保留）"))
    slug = StringField(_l("URL名（空欄なら日付と種類から作成）"))
    parts = FieldList(FormField(PartForm), label=_l("部"), max_entries=MAX_PARTS)
    tables = FieldList(FormField(TableForm), label=_l("テーマ別テーブル"), max_entries=MAX_TABLES)
    questions = FieldList(
        FormField(QuestionForm), label=_l("追加の質問"), max_entries=MAX_QUESTIONS
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Errors about a whole row section ("parts can't be removed").
        self.section_errors: dict[str, list[str]] = {name: [] for name in ROW_SECTIONS}
        # Which FieldList entry each row given to the model came from, to place its errors.
        self._rows: dict[str, list[int]] = {name: [] for name in ROW_SECTIONS}
        self._reminder_rows: list[int] = []

    def add_blank_rows(self) -> None:
        for name in ROW_SECTIONS:
            rows = self[name]
            for _ in range(min(BLANK_ROWS, rows.max_entries - len(rows.entries))):
                rows.append_entry()
        reminders = self.reminders
        for _ in range(min(BLANK_REMINDER_ROWS, MAX_REMINDERS - len(reminders.entries))):
            reminders.append_entry()

    def _kept(self, name: str):
        self._rows[name] = []
        for index, entry in enumerate(self[name].entries):
            if not entry.form.skipped:
                self._rows[name].append(index)
                yield entry.form

    def validated_input(self) -> EventInput | None:
        """The event as typed, checked by its input model; None when anything is wrong, with
        every message (what could not be read, and every rule broken) beside its field."""
        readable = self.validate()
        rules = self._reminder_rules()
        readable = readable and rules is not None
        try:
            data = parse(EventInput, self._typed(rules or ()))
        except InvalidInput as invalid:
            for error in invalid.errors:
                self._place(_form_name(error.loc), error.message, skip_if_unreadable=True)
            return None
        return data if readable else None

    def _reminder_rules(self) -> tuple[str, ...] | None:
        """The rules the reminder rows compose; None when a row could not be read."""
        self._reminder_rows = [
            i for i, e in enumerate(self.reminders.entries) if not e.form.skipped
        ]
        rules = [self.reminders.entries[i].form.rule() for i in self._reminder_rows]
        return None if None in rules else tuple(rule for rule in rules if rule)

    def _typed(self, reminder_rules: tuple[str, ...]) -> dict:
        """What was typed, as the input model reads it: times in the app's zone (JST); a field
        that could not be read is left out, its own message already beside it."""
        zone = ZoneInfo(current_app.config["APP_TIMEZONE"])

        def moment(field):
            value = None if field.errors else field.data
            return None if value is None else value.replace(tzinfo=zone)

        starts_at = moment(self.starts_at)

        def on_day(field):
            if starts_at is None or field.errors or field.data is None:
                return None
            return datetime.combine(starts_at.date(), field.data, tzinfo=zone)

        def number(field):
            return None if field.errors else field.data

        data = {
            "title": self.title.data or "",
            "kind": self.kind.data,
            "description": self.description.data or "",
            "all_day": self.all_day.data,
            "format": self.format.data,
            "venue": self.venue.data or "",
            "meeting_url": self.meeting_url.data or "",
            "capacity": number(self.capacity),
            "registration_opens_at": moment(self.registration_opens_at),
            "registration_closes_at": moment(self.registration_closes_at),
            "reminder_rules": reminder_rules,
            "requires_approval": self.requires_approval.data,
            "slug": self.slug.data or "",
            "parts": [
                {
                    "title": row.title.data or "",
                    "starts_at": on_day(row.starts_at),
                    "ends_at": on_day(row.ends_at),
                    "capacity": number(row.capacity),
                    "uses_tables": row.uses_tables.data,
                    "id": number(row.row_id),
                }
                for row in self._kept("parts")
            ],
            "tables": [
                {
                    "title": row.title.data or "",
                    "description": row.description.data or "",
                    "capacity": number(row.capacity),
                    "id": number(row.row_id),
                }
                for row in self._kept("tables")
            ],
            "questions": [
                {
                    "label": row.label.data or "",
                    "type": row.type.data,
                    "required": row.required.data,
                    "choices": tuple(lines(row.choices.data)),
                    "id": number(row.row_id),
                }
                for row in self._kept("questions")
            ],
        }
        for name in ("starts_at", "ends_at"):
            if moment(self[name]) is not None:
                data[name] = moment(self[name])  # left out, the model says it is needed
        return data

    def show_error(self, error: DomainError) -> None:
        """Put a service's message beside the field it names ("ends_at", "parts-0-title")."""
        self._place(error.field or "", error.message)

    def _place(self, name: str, message, skip_if_unreadable: bool = False) -> None:
        section, _, rest = name.partition("-")
        target = None
        if section == "reminder_rules" and rest.isdigit() and int(rest) < len(self._reminder_rows):
            target = self.reminders.entries[self._reminder_rows[int(rest)]].form.count
        elif section in ROW_SECTIONS:
            index, _, field = rest.partition("-")
            if not rest:
                self.section_errors[section].append(message)
                return
            rows = self._rows[section]
            if index.isdigit() and int(index) < len(rows):
                row = self[section].entries[rows[int(index)]].form
                target = row[field] if field in row else None
        elif name in self:
            target = self[name]
        if target is None:
            self.form_errors.append(message)
            return
        if skip_if_unreadable and target.errors:
            return  # "cannot read this" says more than "this is missing"
        target.errors = [*target.errors, message]

    @property
    def has_errors(self) -> bool:
        return bool(self.errors) or any(self.section_errors.values())

    def error_summary(self) -> list[tuple[str, str]]:
        """(field id to link to, "label: message") for every error, rows numbered."""
        items = [("", str(message)) for message in self.form_errors]
        for field in self:
            if field.name == "csrf_token":
                continue
            if field.name in (*ROW_SECTIONS, "reminders"):
                items += [
                    (field.id, f"{field.label.text}: {m}")
                    for m in self.section_errors.get(field.name, [])
                ]
                for number, entry in enumerate(field.entries, 1):
                    for sub in entry.form:
                        label = f"{field.label.text} {number} {sub.label.text}"
                        items += [(sub.id, f"{label}: {m}") for m in sub.errors]
                continue
            items += [(field.id, f"{field.label.text}: {m}") for m in field.errors]
        return items


def _form_name(loc: tuple) -> str:
    """The form's name for a place in the input model: ("parts", 0, "title") -> "parts-0-title";
    a reminder rule's place is its row ("reminder_rules-1"); a row's id its hidden field."""
    if loc and loc[0] == "reminder_rules":
        return "-".join(str(part) for part in loc[:2])
    names = ["row_id" if part == "id" else str(part) for part in loc]
    return "-".join(names)


def default_reminder_rows() -> list[dict]:
    """The defaults of a new (online) event, shown so the organizer sees what will be sent."""
    return [reminder_row(rule) for rule in (*DEFAULT_RULES, ONLINE_RULE)]


def event_form_data(event: Event) -> dict:
    """The event as the form shows it: local (JST) times, one reminder a row."""
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
        "reminders": [reminder_row(rule) for rule in rules_for(event)],
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
