"""Forms of the console's registrant pages: correcting a registration, declining one, and
uploading a meeting tool's participant list."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import RadioField, SelectChoice, TextAreaField
from wtforms.validators import Optional

from app.forms import MultiCheckboxField, max_length, read_into
from app.registrations.forms import (
    RegistrationForm,
    answer_fields,
    event_problems,
    with_questions,
)
from app.registrations.inputs import RegistrantDetails


class RegistrantForm(FlaskForm):
    """The fields an organizer may correct; the address is the person's identity and stays."""

    # The same fields and checks as on the sign-up form.
    name = RegistrationForm.name
    furigana = RegistrationForm.furigana
    organization = RegistrationForm.organization
    department = RegistrationForm.department
    position = RegistrationForm.position
    parts = MultiCheckboxField(_l("参加する部"), coerce=int, validate_choice=False)
    table = RadioField(
        _l("情報交換会のテーブル"), coerce=int, validators=[Optional()], validate_choice=False
    )

    def set_event(self, event) -> None:
        self.parts.choices = [SelectChoice(part.id, part.title) for part in event.parts]
        self.table.choices = [SelectChoice(table.id, table.title) for table in event.tables]

    typed = RegistrationForm.typed

    def validated_input(self, event) -> RegistrantDetails | None:
        """The correction as typed, checked by the registration's input model and the event's
        questions (organizers may leave a required question blank: they often do not know)."""
        readable = self.validate()
        typed = {key: value for key, value in self.typed(event.questions).items() if key != "email"}
        data = read_into(self, RegistrantDetails, typed)
        problems = event_problems(self, event, typed, require_answers=False)
        return data if readable and not problems else None


def registrant_form(registration) -> RegistrantForm:
    """The correction form of this registration, filled with what it holds now. Organizers may
    leave a required question blank: they often do not know the answer."""
    event = registration.event
    form_class = with_questions(RegistrantForm, event.questions, mark_required=False)
    form = form_class(
        data={
            "name": registration.name,
            "furigana": registration.furigana,
            "organization": registration.organization_name,
            "department": registration.department,
            "position": registration.position,
            "parts": [part.id for part in registration.parts],
            "table": registration.table_id,
            **answer_fields(registration, event.questions),
        }
    )
    form.set_event(event)
    return form


class DeclineForm(FlaskForm):
    reason = TextAreaField(
        _l("お断りの理由"),
        validators=[Optional(), max_length(1000)],
    )


class AttendanceImportForm(FlaskForm):
    file = FileField(
        _l("参加者リスト（CSV）"),
        validators=[
            FileRequired(message=_l("参加者リストのファイルを選んでください。")),
            FileAllowed(
                ["csv", "txt", "tsv"],
                message=_l(
                    "CSV ファイル（.csv）を選んでください。Excel 形式（.xlsx）は読み込めません。"
                ),
            ),
        ],
    )
