"""The answer page's form: one field per question of the survey (named question_<id>), read into
the answers input model; the survey's rules (app/surveys/answering.py) say what is wrong."""

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import Field, RadioField, SelectChoice, StringField, TextAreaField

from app.events.models import QuestionType
from app.forms import MultiCheckboxField
from app.registrations.answers import ANSWER_LIMITS
from app.surveys.inputs import RATING_MAX, RATING_MIN
from app.surveys.models import Survey, SurveyQuestion, SurveyQuestionKind

RATING_WORDS = {1: _l("不満"), 3: _l("ふつう"), 5: _l("満足")}


def rating_choices() -> list[SelectChoice]:
    choices = []
    for value in range(RATING_MIN, RATING_MAX + 1):
        word = RATING_WORDS.get(value)
        label = f"{value}（{word}）" if word else str(value)
        choices.append(SelectChoice(str(value), label))
    return choices


class AnswerForm(FlaskForm):
    """Only the CSRF token until the survey's questions are added (see answer_form)."""


def _field(question: SurveyQuestion) -> Field:
    marks = {"required": True} if question.required else {}
    if question.type == SurveyQuestionKind.RATING:
        return RadioField(question.label, choices=rating_choices(), validate_choice=False)
    choices = [SelectChoice(choice, choice) for choice in question.choices]
    if question.type == SurveyQuestionKind.SINGLE_CHOICE:
        return RadioField(question.label, choices=choices, validate_choice=False)
    if question.type == SurveyQuestionKind.MULTIPLE_CHOICE:
        return MultiCheckboxField(question.label, choices=choices, validate_choice=False)
    if question.type in (SurveyQuestionKind.LONG_TEXT, SurveyQuestionKind.COMMENT):
        limit = ANSWER_LIMITS[QuestionType.LONG_TEXT]
        return TextAreaField(question.label, render_kw={"maxlength": limit, "rows": 5, **marks})
    limit = ANSWER_LIMITS[QuestionType.SHORT_TEXT]
    return StringField(question.label, render_kw={"maxlength": limit, **marks})


def answer_form(survey: Survey, answers: dict[str, Any] | None = None) -> AnswerForm:
    """The form of this survey; `answers` (a response's) fill it when nothing was posted."""
    fields = {f"question_{q.id}": _field(q) for q in survey.questions}
    form_class = type("SurveyAnswerForm", (AnswerForm,), fields)
    data = {}
    for question in survey.questions:
        value = (answers or {}).get(str(question.id))
        data[f"question_{question.id}"] = str(value) if isinstance(value, int) else value
    form: AnswerForm = form_class(data=data)
    return form


def typed_answers(form: AnswerForm, survey: Survey) -> dict[str, Any]:
    """What was typed, as the answers input takes it: ratings as numbers, blanks as None."""
    answers: dict[str, Any] = {}
    for question in survey.questions:
        value = form[f"question_{question.id}"].data
        if question.type == SurveyQuestionKind.RATING:
            text = (value or "").strip()
            value = int(text) if text.isdigit() and len(text) == 1 else (text or None)
        answers[str(question.id)] = value if value not in ("", []) else None
    return answers
