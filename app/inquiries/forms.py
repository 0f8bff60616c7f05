"""The public inquiry form (お問い合わせ)."""

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, StringField, TextAreaField
from wtforms.validators import DataRequired, Optional

from app.forms import HoneypotForm, email_field, max_length, nfkc, required, single_line, strip

BODY_MAX = 4000


def lf_newlines(value):
    """A textarea comes with CRLF; counted with LF, the limit is the one the browser showed."""
    return value.replace("\r\n", "\n").replace("\r", "\n") if isinstance(value, str) else value


class InquiryForm(HoneypotForm):
    name = StringField(
        _l("お名前"),
        filters=[strip],
        validators=[required(_l("お名前")), max_length(100), single_line],
        render_kw={"autocomplete": "name"},
    )
    email = email_field(_l("メールアドレス"))
    organization = StringField(
        _l("所属団体（自治体名）"),
        filters=[nfkc],
        validators=[Optional(), max_length(100), single_line],
        render_kw={"autocomplete": "organization"},
    )
    subject = StringField(
        _l("件名"),
        filters=[strip],
        validators=[required(_l("件名")), max_length(200), single_line],
    )
    body = TextAreaField(
        _l("お問い合わせ内容"),
        filters=[strip, lf_newlines],
        validators=[required(_l("お問い合わせ内容")), max_length(BODY_MAX)],
        render_kw={"rows": 10, "maxlength": BODY_MAX},
    )
    privacy = BooleanField(
        _l("「個人情報の取り扱いについて」に同意します"),
        validators=[
            DataRequired(message=_l("お問い合わせには個人情報の取り扱いへの同意が必要です。"))
        ],
    )
