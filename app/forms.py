"""Form pieces shared by every public form: input clean-up and single-line checks."""

import unicodedata

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectMultipleField, StringField
from wtforms.fields import EmailField
from wtforms.validators import DataRequired, Email, Length, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from app.text import breaks_header


def strip(value):
    return value.strip() if isinstance(value, str) else value


def nfkc(value):
    """Full-width letters, digits and spaces become their plain forms (ＤＸ推進課 -> DX推進課), so
    length limits apply to what is stored and names match the official list."""
    return unicodedata.normalize("NFKC", value).strip() if isinstance(value, str) else value


def normalize_email(value):
    """Full-width letters and digits (ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ) become ASCII; case is folded."""
    if not isinstance(value, str):
        return value
    return unicodedata.normalize("NFKC", value).strip().lower()


def single_line(form, field):
    """Anything that may reach a mail header must not carry line breaks."""
    if field.data and breaks_header(field.data):
        raise ValidationError(_l("改行を含めずに入力してください。"))


def required(label):
    return DataRequired(message=_l("%(label)sを入力してください。", label=label))


def max_length(limit: int):
    return Length(max=limit, message=_l("%(max)d文字以内で入力してください。", max=limit))


def email_field(label):
    return EmailField(
        label,
        filters=[normalize_email],
        validators=[
            required(label),
            max_length(254),
            Email(
                message=_l(
                    "メールアドレスの形式が正しくありません（例: taro@city.example.lg.jp）。"
                ),
                allow_smtputf8=False,
            ),
        ],
        render_kw={"autocomplete": "email", "inputmode": "email"},
    )


# A person's details read the same on every form that asks for them.
def name_field() -> StringField:
    label = _l("お名前")
    return StringField(
        label,
        filters=[strip],
        validators=[required(label), max_length(100), single_line],
        render_kw={"autocomplete": "name"},
    )


def organization_field() -> StringField:
    """Typed with the official list offered (<datalist id="local-governments">)."""
    return StringField(
        _l("所属団体（自治体名）"),
        filters=[nfkc],
        validators=[required(_l("所属団体")), max_length(100), single_line],
        render_kw={"list": "local-governments", "autocomplete": "organization"},
    )


def department_field() -> StringField:
    return StringField(
        _l("部署名"), filters=[strip], validators=[Optional(), max_length(200), single_line]
    )


class MultiCheckboxField(SelectMultipleField):
    """Several checkboxes for one multiple choice."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class HoneypotForm(FlaskForm):
    """A field people never see (hidden by CSS, skipped by Tab) that spam robots fill in."""

    website = StringField(
        _l("この欄は空のままにしてください"),
        render_kw={"tabindex": "-1", "autocomplete": "off"},
    )

    def is_spam(self) -> bool:
        return bool(self.website.data)
