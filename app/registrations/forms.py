"""The sign-up form: how a sign-up is typed and shown. What was typed is read into the sign-up's
input model (app/registrations/inputs.py), and the answers are checked against the event's
questions by the service's own rule, so that every mistake shows at once beside its field;
seats, windows and duplicates stay the service's."""

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    RadioField,
    SelectChoice,
    StringField,
    TextAreaField,
)
from wtforms.validators import Optional

from app.events.models import Question, QuestionType
from app.forms import (
    HoneypotForm,
    MultiCheckboxField,
    department_field,
    email_field,
    name_field,
    place_error,
    read_into,
)
from app.members.inputs import ORGANIZATION_MAX
from app.registrations.answers import ANSWER_LIMITS, answer_problems, choice_problems
from app.registrations.inputs import FURIGANA_MAX, POSITION_MAX, ChoiceChange, SignUpInput


def optional_id(value):
    """A chosen id, or None for the 「選択しない」 option (an empty value)."""
    if value in ("", None):
        return None
    return int(value)


def parts_field() -> MultiCheckboxField:
    return MultiCheckboxField(_l("参加する部"), coerce=int, validate_choice=False)


def table_field() -> RadioField:
    return RadioField(
        _l("情報交換会のテーブル"),
        coerce=optional_id,
        validators=[Optional()],
        validate_choice=False,
    )


class RegistrationForm(HoneypotForm):
    name = name_field()
    furigana = StringField(_l("ふりがな"), render_kw={"maxlength": FURIGANA_MAX})
    email = email_field(_l("メールアドレス"), checked=False)
    # A plain text field the server resolves; the picker's script adds the type-ahead (no
    # <datalist> of 1,788 names in every page).
    organization = StringField(
        _l("所属団体（自治体名）"),
        render_kw={"autocomplete": "organization", "maxlength": ORGANIZATION_MAX},
    )
    department = department_field()
    position = StringField(_l("役職"), render_kw={"maxlength": POSITION_MAX})
    parts = parts_field()
    table = table_field()
    privacy = BooleanField(_l("「個人情報の取り扱いについて」に同意します"))

    def typed(self, questions) -> dict:
        """What was typed, as the input model reads it (a field that could not be read is
        left out; its own message is already beside it)."""
        return {
            "name": self.name.data or "",
            "furigana": self.furigana.data or "",
            "email": self.email.data or "" if "email" in self else "",
            "organization": self.organization.data or "",
            "department": self.department.data or "",
            "position": self.position.data or "",
            "parts": [] if self.parts.errors else list(self.parts.data or []),
            "table": None if self.table.errors else self.table.data,
            "answers": collect_answers(self, questions),
        }

    def validated_input(self, event, locale: str) -> SignUpInput | None:
        """The sign-up as typed, checked by its input model and the event's questions; None
        with every mistake beside its field, in one round."""
        readable = self.validate()
        typed = self.typed(event.questions)
        data = read_into(
            self, SignUpInput, {**typed, "privacy": bool(self.privacy.data), "locale": locale}
        )
        problems = event_problems(self, event, typed, require_answers=True)
        return data if readable and not problems else None

    def set_event(self, event) -> None:
        """Offer the event's own parts and tables as choices."""
        offer_choices(self, event)
        if len(event.parts) == 1 and not self.is_submitted():
            self.parts.data = [event.parts[0].id]


def offer_choices(form, event) -> None:
    """The event's own parts and tables as the form's choices."""
    form.parts.choices = [SelectChoice(part.id, part.title) for part in event.parts]
    form.table.choices = [SelectChoice(table.id, table.title) for table in event.tables]


class ChangeForm(FlaskForm):
    """The attendee's change of parts, table and answers on the management page; `expected` is
    the outcome the confirmation page showed, sent back with `confirm` to save it."""

    parts = parts_field()
    table = table_field()
    expected = HiddenField()
    confirm = HiddenField()

    def typed(self, questions) -> dict:
        return {
            "parts": [] if self.parts.errors else list(self.parts.data or []),
            "table": None if self.table.errors else self.table.data,
            "answers": collect_answers(self, questions),
        }

    def validated_input(self, event) -> ChoiceChange | None:
        """The change as typed, checked by its input model and the event's rules, in one round."""
        readable = self.validate()
        typed = self.typed(event.questions)
        data = read_into(self, ChoiceChange, typed)
        problems = event_problems(self, event, typed, require_answers=True)
        return data if readable and not problems else None


def change_form(event, registration=None) -> ChangeForm:
    """The change form of this event, filled with the registration's choices until submitted."""
    data = None
    if registration is not None:
        data = {
            "parts": [part.id for part in registration.parts],
            "table": registration.table_id,
            **answer_fields(registration, event.questions),
        }
    form = with_questions(ChangeForm, event.questions)(data=data)
    offer_choices(form, event)
    return form


def change_errors(form, event) -> list[tuple[str | None, str, str]]:
    questions = [f"question_{question.id}" for question in event.questions]
    return error_items(form, ["parts", "table", *questions])


def event_problems(form, event, typed: dict, require_answers: bool) -> list:
    """The event's own rules for the parts, table and answers typed (the service's rules, the
    same it applies again when saving), each placed beside its field; returns them."""
    problems = choice_problems(event, typed["parts"], typed["table"])[2]
    problems += answer_problems(event.questions, typed["answers"], require_answers)[1]
    for problem in problems:
        if not (problem.field in form and form[problem.field].errors):
            place_error(form, problem.field, problem.message)
    return problems


def _question_field(question: Question, mark_required: bool):
    """One custom question as a form field; its answer is checked by the service's rule."""
    choices = [SelectChoice(choice, choice) for choice in question.choices]
    marks = {"required": True} if question.required and mark_required else {}
    if question.type == QuestionType.SINGLE_CHOICE:
        return RadioField(
            question.label,
            choices=choices,
            validators=[Optional()],
            validate_choice=False,
            render_kw=marks,
        )
    if question.type == QuestionType.MULTIPLE_CHOICE:
        return MultiCheckboxField(question.label, choices=choices, validate_choice=False)
    limit = {"maxlength": ANSWER_LIMITS[QuestionType(question.type)], **marks}
    if question.type == QuestionType.LONG_TEXT:
        return TextAreaField(question.label, render_kw=limit)
    return StringField(question.label, render_kw=limit)


def with_questions(form_class, questions: list[Question], mark_required: bool = True):
    """A subclass of `form_class` with a field `question_<id>` per custom question; required
    ones are marked so unless an organizer corrects a registration (they may leave it blank)."""
    fields = {
        f"question_{question.id}": _question_field(question, mark_required)
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
    form.organization.render_kw = {
        **form.organization.render_kw,
        "data-organization-search": url_for("organizations.search_view"),
        "data-picker-label": _("所属団体の候補"),
    }
    return form


def sign_up_errors(form, event) -> list[tuple[str | None, str, str]]:
    """The sign-up form's error summary, in the order of the page."""
    questions = [f"question_{question.id}" for question in event.questions]
    return error_items(form, [*SIGN_UP_ORDER, *questions, "privacy"])


class ResendForm(FlaskForm):
    email = email_field(_l("メールアドレス"))


class CancelForm(FlaskForm):
    """Only the CSRF token: cancelling is a POST from the management page."""


def _anchor(field) -> str:
    """Where a summary's link lands: the field, or the first option of a list of choices."""
    if isinstance(field, RadioField | MultiCheckboxField) and field.choices:
        return f"{field.id}-0"
    return field.id


def error_items(form, field_order: list[str]) -> list[tuple[str | None, str, str]]:
    """The error summary's lines in the order of the page: (anchor or None, label, messages);
    messages without a field (form_errors) come first, unlinked."""
    items: list[tuple[str | None, str, str]] = [
        (None, "", str(message)) for message in form.form_errors
    ]
    names = [name for name in field_order if name in form]
    names += [
        name
        for name in form.errors
        if name and name in form and name not in names and name != "csrf_token"
    ]
    for name in names:
        field = form[name]
        if name and field.errors:
            messages = " ".join(str(error) for error in field.errors)
            items.append((_anchor(field), str(field.label.text), messages))
    return items


SIGN_UP_ORDER = [
    "name",
    "furigana",
    "email",
    "organization",
    "department",
    "position",
    "parts",
    "table",
]
