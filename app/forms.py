"""Form pieces shared by the HTML forms: the person fields as they are shown, reading a form into
its input model with each error placed beside its field, and the clean-up and checks of the
smaller forms that have no input model yet (sign-in, inquiries, materials)."""

import unicodedata

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from pydantic_core import PydanticCustomError
from wtforms import SelectMultipleField, StringField
from wtforms.fields import EmailField
from wtforms.validators import DataRequired, Length, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from app.inputs import EMAIL_MAX, InvalidInput, email_address, parse
from app.members.inputs import DEPARTMENT_MAX, NAME_MAX, ORGANIZATION_MAX
from app.text import UnusableText, breaks_header
from app.text import nfkc as nfkc_text


def strip(value):
    return value.strip() if isinstance(value, str) else value


def nfkc(value):
    """Full-width letters, digits and spaces become their plain forms (ＤＸ推進課 -> DX推進課), so
    length limits apply to what is stored and names match the official list."""
    return unicodedata.normalize("NFKC", value).strip() if isinstance(value, str) else value


def normalize_email(value):
    """An address as the input models read it (ｔａｒｏ＠ｅｘａｍｐｌｅ．ｊｐ becomes ASCII, case is
    folded), for filters and limiter keys; one the address rule will refuse is left readable."""
    if not isinstance(value, str):
        return value
    try:
        return nfkc_text(value).lower()
    except UnusableText:
        return unicodedata.normalize("NFKC", value).strip().lower()


def single_line(form, field):
    """Anything that may reach a mail header must not carry line breaks."""
    if field.data and breaks_header(field.data):
        raise ValidationError(_l("改行を含めずに入力してください。"))


def required(label):
    return DataRequired(message=_l("%(label)sを入力してください。", label=label))


def max_length(limit: int):
    return Length(max=limit, message=_l("%(max)d文字以内で入力してください。", max=limit))


def _valid_email(form, field):
    if field.data:
        try:
            email_address(field.data)  # the input models' rule, for forms without a model
        except PydanticCustomError as error:
            raise ValidationError(error.message()) from None


def email_field(label, checked: bool = True):
    """An address field; `checked` for forms without an input model (sign-in, inquiries), which
    then apply the model's address rule (app/inputs.py email_address) themselves."""
    validators = [required(label), max_length(EMAIL_MAX), _valid_email] if checked else []
    return EmailField(
        label,
        filters=[normalize_email],
        validators=validators,
        render_kw={"autocomplete": "email", "inputmode": "email", "maxlength": EMAIL_MAX},
    )


# A person's details read the same on every form that asks for them; their rules live in the
# input models (app/members/inputs.py).
def name_field() -> StringField:
    return StringField(_l("お名前"), render_kw={"autocomplete": "name", "maxlength": NAME_MAX})


def organization_field() -> StringField:
    """Typed with the official list offered (<datalist id="local-governments">)."""
    return StringField(
        _l("所属団体（自治体名）"),
        render_kw={
            "list": "local-governments",
            "autocomplete": "organization",
            "maxlength": ORGANIZATION_MAX,
        },
    )


def department_field() -> StringField:
    return StringField(_l("部署名"), render_kw={"maxlength": DEPARTMENT_MAX})


def place_error(form, name: str, message) -> None:
    """A message beside the form's field `name`, or above the form when it has none."""
    if name and name in form and name != "csrf_token":
        form[name].errors = [*form[name].errors, message]
    else:
        form.form_errors.append(message)


def _field_name(loc: tuple) -> str:
    """The form's field for a place in an input model: answers.7 is question_7."""
    if loc[:1] == ("answers",) and len(loc) > 1:
        return f"question_{loc[1]}"
    return next((str(part) for part in loc if isinstance(part, str)), "")


def read_into(form, model, data: dict):
    """What `form` read (`data`), checked by its input `model`: the input, or None with every
    error beside its field (a field that could not even be read keeps its own message)."""
    try:
        return parse(model, data)
    except InvalidInput as invalid:
        for error in invalid.errors:
            name = _field_name(error.loc)
            if not (name in form and form[name].errors):
                place_error(form, name, error.message)
        return None


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
