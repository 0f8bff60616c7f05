"""The sign-up form. It checks shape only; seats, windows and duplicates are the service's rules."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectChoice, StringField, TextAreaField
from wtforms.validators import DataRequired, Optional

from app.events.models import Question, QuestionType
from app.forms import (
    HoneypotForm,
    MultiCheckboxField,
    department_field,
    email_field,
    max_length,
    name_field,
    organization_field,
    single_line,
    strip,
)
from app.registrations.services import ANSWER_LIMITS


class RegistrationForm(HoneypotForm):
    name = name_field()
    furigana = StringField(
        _l("ふりがな"), filters=[strip], validators=[Optional(), max_length(100), single_line]
    )
    email = email_field(_l("メールアドレス"))
    organization = organization_field()
    department = department_field()
    position = StringField(
        _l("役職"), filters=[strip], validators=[Optional(), max_length(100), single_line]
    )
    parts = MultiCheckboxField(_l("参加する部"), coerce=int, validate_choice=False)
    table = RadioField(
        _l("情報交換会のテーブル"), coerce=int, validators=[Optional()], validate_choice=False
    )
    privacy = BooleanField(
        _l("「個人情報の取り扱いについて」に同意します"),
        validators=[
            DataRequired(message=_l("お申し込みには個人情報の取り扱いへの同意が必要です。"))
        ],
    )

    def set_event(self, event) -> None:
        """Offer the event's own parts and tables as choices."""
        self.parts.choices = [SelectChoice(part.id, part.title) for part in event.parts]
        self.table.choices = [SelectChoice(table.id, table.title) for table in event.tables]
        if len(event.parts) == 1 and not self.is_submitted():
            self.parts.data = [event.parts[0].id]


def _question_field(question: Question, enforce_required: bool):
    """One custom question as a form field; the service checks the answer again (choices too)."""
    presence = (
        DataRequired(message=_l("「%(label)s」に回答してください。", label=question.label))
        if question.required and enforce_required
        else Optional()
    )
    choices = [SelectChoice(choice, choice) for choice in question.choices]
    if question.type == QuestionType.SINGLE_CHOICE:
        return RadioField(
            question.label, choices=choices, validators=[presence], validate_choice=False
        )
    if question.type == QuestionType.MULTIPLE_CHOICE:
        return MultiCheckboxField(
            question.label, choices=choices, validators=[presence], validate_choice=False
        )
    if question.type == QuestionType.LONG_TEXT:
        limit = ANSWER_LIMITS[QuestionType.LONG_TEXT]
        return TextAreaField(
            question.label, filters=[strip], validators=[presence, max_length(limit)]
        )
    limit = ANSWER_LIMITS[QuestionType.SHORT_TEXT]
    return StringField(
        question.label, filters=[strip], validators=[presence, max_length(limit), single_line]
    )


def with_questions(form_class, questions: list[Question], enforce_required: bool = True):
    """A subclass of `form_class` with a field `question_<id>` per custom question."""
    fields = {
        f"question_{question.id}": _question_field(question, enforce_required)
        for question in questions
    }
    return type(form_class.__name__, (form_class,), fields) if fields else form_class


def collect_answers(form, questions: list[Question]) -> dict:
    """The answers as the service takes them: {question id as text: text or list}."""
    return {str(question.id): form[f"question_{question.id}"].data for question in questions}


def answer_fields(registration, questions: list[Question]) -> dict:
    """A registration's answers as form data, to fill in a form with its questions."""
    answers = registration.answers or {}
    return {f"question_{question.id}": answers.get(str(question.id)) for question in questions}


def registration_form(event) -> RegistrationForm:
    """The sign-up form of this event: the fixed fields, its parts and tables, its questions."""
    form = with_questions(RegistrationForm, event.questions)()
    form.set_event(event)
    return form


class ResendForm(FlaskForm):
    email = email_field(_l("メールアドレス"))


class CancelForm(FlaskForm):
    """Only the CSRF token: cancelling is a POST from the management page."""
