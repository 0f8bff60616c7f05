"""Console forms for an event's materials: upload a file, add a link, mail them out."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import RadioField, SelectChoice, StringField, TextAreaField
from wtforms.validators import Optional

from app.forms import max_length, nfkc, required, single_line, strip
from app.materials.files import FILE_TYPES
from app.materials.mailing import ATTENDED, CONFIRMED, WITH_MEMBERS

MESSAGE_MAX = 2000


class UploadForm(FlaskForm):
    title = StringField(
        _l("タイトル"), filters=[nfkc], validators=[Optional(), max_length(200), single_line]
    )
    file = FileField(
        _l("ファイル"),
        validators=[FileRequired(message=_l("ファイルを選んでください。"))],
        render_kw={"accept": ",".join(f".{ext}" for ext in FILE_TYPES)},
    )


class LinkForm(FlaskForm):
    link_title = StringField(
        _l("タイトル"),
        filters=[nfkc],
        validators=[required(_l("タイトル")), max_length(200), single_line],
    )
    url = StringField(
        _l("URL"),
        filters=[strip],
        validators=[required(_l("URL")), max_length(500)],
        render_kw={"inputmode": "url", "placeholder": "https://"},
    )


class SendForm(FlaskForm):
    audience = RadioField(
        _l("送信先"),
        choices=[
            SelectChoice(CONFIRMED, _l("参加確定の申込者")),
            SelectChoice(ATTENDED, _l("当日出席した方のみ")),
            SelectChoice(
                WITH_MEMBERS, _l("参加確定の申込者と、すべての会員（配信停止した方を除く）")
            ),
        ],
        default=CONFIRMED,
    )
    message = TextAreaField(
        _l("添えるメッセージ"),
        filters=[strip],
        validators=[Optional(), max_length(MESSAGE_MAX)],
        render_kw={"rows": 5},
    )
