"""The console's survey form: the settings and the questions as repeating rows (as on the event
form, blank rows at the end, 削除 to remove one), read into the survey's input model
(app/surveys/inputs.py), whose errors are shown beside the fields they name."""

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    FieldList,
    FormField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import Optional

from app.admin.event_forms import (
    BLANK_ROWS,
    DATETIME_FORMATS,
    QUESTION_TYPE_CHOICES,
    LocalDateTimeField,
    WholeNumberField,
    _RowForm,
    lines,
)
from app.errors import DomainError
from app.events.inputs import MAX_QUESTIONS
from app.inputs import InvalidInput, parse
from app.surveys.inputs import SurveyInput
from app.surveys.models import Survey, SurveyQuestionKind

KIND_CHOICES = [
    *QUESTION_TYPE_CHOICES,
    SelectChoice(SurveyQuestionKind.RATING.value, _l("5段階評価（1〜5）")),
    SelectChoice(SurveyQuestionKind.COMMENT.value, _l("自由記述（ご意見・ご感想）")),
]


class SurveyQuestionForm(_RowForm):
    label = StringField(_l("質問文"))
    type = SelectField(_l("回答の形式"), choices=KIND_CHOICES, default=SurveyQuestionKind.RATING)
    required = BooleanField(_l("回答必須"))
    choices = TextAreaField(_l("選択肢（選択式のとき、1行に1つ）"))
    typed_fields = ("label", "choices")


class SurveyForm(FlaskForm):
    intro = TextAreaField(_l("はじめに表示する文"))
    anonymous = BooleanField(_l("匿名で回答を受け付ける（結果とダウンロードに氏名を出さない）"))
    send_after_minutes = WholeNumberField(
        _l("終了後、何分後に依頼メールを送るか"), validators=[Optional()]
    )
    reminder_after_days = WholeNumberField(
        _l("未回答の方へのリマインド（依頼の何日後、0なら送らない）"), validators=[Optional()]
    )
    closes_at = LocalDateTimeField(
        _l("回答の締切（空欄なら終了の14日後）"), format=DATETIME_FORMATS, validators=[Optional()]
    )
    questions = FieldList(
        FormField(SurveyQuestionForm), label=_l("質問"), max_entries=MAX_QUESTIONS
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.question_errors: list[str] = []
        self._rows: list[int] = []

    def add_blank_rows(self) -> None:
        for _ in range(min(BLANK_ROWS, MAX_QUESTIONS - len(self.questions.entries))):
            self.questions.append_entry()

    def _typed(self) -> dict[str, Any]:
        zone = ZoneInfo(current_app.config["APP_TIMEZONE"])
        self._rows = []
        questions = []
        for index, entry in enumerate(self.questions.entries):
            row = entry.form
            if row.skipped:
                continue
            self._rows.append(index)
            questions.append(
                {
                    "label": row.label.data or "",
                    "type": row.type.data,
                    "required": row.required.data,
                    "choices": tuple(lines(row.choices.data)),
                    "id": None if row.row_id.errors else row.row_id.data,
                }
            )
        data: dict[str, Any] = {
            "intro": self.intro.data or "",
            "anonymous": self.anonymous.data,
            "questions": tuple(questions),
        }
        for name in ("send_after_minutes", "reminder_after_days"):
            if self[name].data is not None and not self[name].errors:
                data[name] = self[name].data
        if self.closes_at.data is not None and not self.closes_at.errors:
            data["closes_at"] = self.closes_at.data.replace(tzinfo=zone)
        return data

    def validated_input(self) -> SurveyInput | None:
        """The survey as typed, checked by its model; None with every message placed."""
        readable = self.validate()
        try:
            data = parse(SurveyInput, self._typed())
        except InvalidInput as invalid:
            for error in invalid.errors:
                self.place(error.loc, error.message)
            return None
        return data if readable else None

    def place(self, loc: tuple[str | int, ...], message: object) -> None:
        target = None
        if loc and loc[0] == "questions":
            if len(loc) == 1:
                self.question_errors.append(str(message))
                return
            index, name = loc[1], ("row_id" if loc[-1] == "id" else str(loc[-1]))
            if isinstance(index, int) and index < len(self._rows):
                row = self.questions.entries[self._rows[index]].form
                target = row[name] if name in row else None
        elif loc and str(loc[0]) in self:
            target = self[str(loc[0])]
        if target is None:
            self.form_errors.append(str(message))
        elif message not in target.errors:
            target.errors = [*target.errors, message]

    def show_error(self, error: DomainError) -> None:
        name = error.field or ""
        parts = name.split("-")
        loc: tuple[str | int, ...] = (
            (parts[0], int(parts[1]), parts[2]) if len(parts) == 3 else (name,)
        )
        self.place(loc, error.message)

    def error_summary(self) -> list[tuple[str, str]]:
        items = [("", str(m)) for m in self.form_errors]
        items += [
            (self.questions.id, f"{self.questions.label.text}: {m}") for m in self.question_errors
        ]
        for field in self:
            if field.name == "csrf_token":
                continue
            if field.name == "questions":
                for number, entry in enumerate(field.entries, 1):
                    for sub in entry.form:
                        label = f"{field.label.text} {number} {sub.label.text}"
                        items += [(sub.id, f"{label}: {m}") for m in sub.errors]
                continue
            items += [(field.id, f"{field.label.text}: {m}") for m in field.errors]
        return items


def survey_form_data(survey: Survey | None) -> dict[str, Any]:
    """The survey as the form shows it (local times); a new survey starts with two questions."""
    if survey is None:
        return {
            "send_after_minutes": 60,
            "reminder_after_days": 3,
            "questions": [
                {
                    "label": _l("本日のイベントの満足度をお聞かせください。"),
                    "type": "rating",
                    "required": True,
                },
                {"label": _l("ご意見・ご感想をご自由にお書きください。"), "type": "comment"},
            ],
        }
    zone = ZoneInfo(current_app.config["APP_TIMEZONE"])
    closes_at: datetime = survey.closes_at.astimezone(zone).replace(tzinfo=None)
    return {
        "intro": survey.intro,
        "anonymous": survey.anonymous,
        "send_after_minutes": survey.send_after_minutes,
        "reminder_after_days": survey.reminder_after_days,
        "closes_at": closes_at,
        "questions": [
            {
                "row_id": q.id,
                "label": q.label,
                "type": q.type,
                "required": q.required,
                "choices": "\n".join(q.choices),
            }
            for q in survey.questions
        ],
    }
