"""The sign-up form. It checks shape only; seats, windows and duplicates are the service's rules."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectChoice, StringField
from wtforms.validators import DataRequired, Optional

from app.forms import (
    HoneypotForm,
    MultiCheckboxField,
    email_field,
    max_length,
    nfkc,
    required,
    single_line,
    strip,
)


class RegistrationForm(HoneypotForm):
    name = StringField(
        _l("お名前"),
        filters=[strip],
        validators=[required(_l("お名前")), max_length(100), single_line],
        render_kw={"autocomplete": "name"},
    )
    furigana = StringField(
        _l("ふりがな"), filters=[strip], validators=[Optional(), max_length(100), single_line]
    )
    email = email_field(_l("メールアドレス"))
    organization = StringField(
        _l("所属団体（自治体名）"),
        filters=[nfkc],
        validators=[required(_l("所属団体")), max_length(100), single_line],
        render_kw={"list": "local-governments", "autocomplete": "organization"},
    )
    department = StringField(
        _l("部署名"), filters=[strip], validators=[Optional(), max_length(200), single_line]
    )
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


class ResendForm(FlaskForm):
    email = email_field(_l("メールアドレス"))


class CancelForm(FlaskForm):
    """Only the CSRF token: cancelling is a POST from the management page."""
