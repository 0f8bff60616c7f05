"""Forms of the console's sign-in and account pages."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import EqualTo

from app.forms import email_field, max_length, nfkc, required, single_line
from app.organizers.models import OrganizerRole


class LoginForm(FlaskForm):
    email = email_field(_l("メールアドレス"))
    password = PasswordField(
        _l("パスワード"),
        validators=[required(_l("パスワード"))],
        render_kw={"autocomplete": "current-password"},
    )


class ForgotPasswordForm(FlaskForm):
    email = email_field(_l("メールアドレス"))


def _new_password_fields():
    password = PasswordField(
        _l("新しいパスワード"),
        validators=[required(_l("新しいパスワード")), max_length(200)],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("新しいパスワード（確認）"),
        validators=[
            required(_l("新しいパスワード（確認）")),
            EqualTo("password", message=_l("確認のパスワードが一致しません。")),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    return password, confirm


class ResetPasswordForm(FlaskForm):
    password, confirm = _new_password_fields()


class OrganizerForm(FlaskForm):
    """An admin adds an organizer, with a first password to hand over in person."""

    name = StringField(
        _l("氏名"), filters=[nfkc], validators=[required(_l("氏名")), max_length(100), single_line]
    )
    email = email_field(_l("メールアドレス"))
    role = SelectField(
        _l("権限"),
        choices=[
            SelectChoice(OrganizerRole.ORGANIZER.value, _l("事務局（イベント・申込・配信）")),
            SelectChoice(OrganizerRole.ADMIN.value, _l("管理者（事務局アカウントと操作履歴も）")),
        ],
        default=OrganizerRole.ORGANIZER.value,
    )
    password, confirm = _new_password_fields()
