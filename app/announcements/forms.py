"""The announcement form of the organizer console: shape only; the service checks the rules."""

from datetime import UTC
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateTimeLocalField,
    IntegerField,
    RadioField,
    SelectChoice,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, NumberRange, Optional, ValidationError

from app.announcements.services import EVENT_REGISTRANTS, MEMBERS, MEMBERS_BY_THEME
from app.forms import MultiCheckboxField, max_length, required, single_line, strip
from app.members.forms import THEME_CHOICES
from app.registrations.models import RegistrationStatus

BODY_MAX = 20_000

KIND_CHOICES = [
    SelectChoice(EVENT_REGISTRANTS, _l("イベントのお申し込み者")),
    SelectChoice(MEMBERS, _l("ネットワーク参加者全員（配信停止した方を除く）")),
    SelectChoice(MEMBERS_BY_THEME, _l("関心のあるテーマで選んだネットワーク参加者")),
]

STATUS_CHOICES = [
    SelectChoice(RegistrationStatus.CONFIRMED.value, _l("参加確定")),
    SelectChoice(RegistrationStatus.WAITLISTED.value, _l("キャンセル待ち")),
    SelectChoice(RegistrationStatus.PENDING.value, _l("承認待ち")),
    SelectChoice(RegistrationStatus.CANCELLED.value, _l("キャンセル済み")),
]

# For describing a stored audience: every kind, status and theme value and its label.
AUDIENCE_LABELS = {
    choice.value: choice.label for choice in KIND_CHOICES + STATUS_CHOICES + THEME_CHOICES
}


def _as_utc(local):
    """A naive datetime typed in the app's time zone (JST), as an aware UTC datetime; or None."""
    if local is None:
        return None
    zone = ZoneInfo(current_app.config["APP_TIMEZONE"])
    return local.replace(tzinfo=zone).astimezone(UTC)


def _as_local(moment):
    """An aware datetime as the naive JST value a datetime-local input shows; or None."""
    if moment is None:
        return None
    zone = ZoneInfo(current_app.config["APP_TIMEZONE"])
    return moment.astimezone(zone).replace(tzinfo=None)


def _known(choices):
    values = {choice.value for choice in choices}

    def check(form, field):
        if any(value not in values for value in field.data or []):
            raise ValidationError(_l("選択肢の中から選んでください。"))

    return check


class AnnouncementForm(FlaskForm):
    subject = StringField(
        _l("件名"),
        filters=[strip],
        validators=[required(_l("件名")), max_length(200), single_line],
    )
    body = TextAreaField(
        _l("本文"),
        description=_l(
            "{name}（お名前）{organization}（所属）{event_title}（イベント名）{event_date}（日時）"
            "{manage_url}（申込内容の確認URL）{join_url}（参加用URL）を差し込めます。"
        ),
        validators=[required(_l("本文")), max_length(BODY_MAX)],
        render_kw={"rows": 14},
    )
    kind = RadioField(
        _l("配信先"),
        choices=KIND_CHOICES,
        default=EVENT_REGISTRANTS,
        validators=[required(_l("配信先"))],
    )
    event_id = IntegerField(
        _l("イベント"),
        validators=[Optional(), NumberRange(min=1, message=_l("選択肢の中から選んでください。"))],
    )
    statuses = MultiCheckboxField(
        _l("お申し込みの状態"),
        choices=STATUS_CHOICES,
        default=[RegistrationStatus.CONFIRMED.value],
        validate_choice=False,
        validators=[_known(STATUS_CHOICES)],
    )
    table_id = IntegerField(
        _l("テーブル（指定しない場合は全員）"),
        validators=[Optional(), NumberRange(min=1, message=_l("選択肢の中から選んでください。"))],
    )
    themes = MultiCheckboxField(
        _l("関心のあるテーマ"),
        choices=THEME_CHOICES,
        validate_choice=False,
        validators=[_known(THEME_CHOICES)],
    )
    send_at = DateTimeLocalField(
        _l("送信日時（日本時間・空欄なら下書き）"),
        format="%Y-%m-%dT%H:%M",
        validators=[Optional()],
    )

    def validate_event_id(self, field):
        if self.kind.data == EVENT_REGISTRANTS and field.data is None:
            raise ValidationError(_l("イベントを選んでください。"))

    def validate_statuses(self, field):
        if self.kind.data == EVENT_REGISTRANTS and not field.data:
            raise ValidationError(_l("お申し込みの状態を選んでください。"))

    def validate_themes(self, field):
        if self.kind.data == MEMBERS_BY_THEME and not field.data:
            raise ValidationError(_l("テーマを選んでください。"))

    def audience(self) -> dict:
        """The audience as create_announcement() takes it."""
        kind = self.kind.data
        if kind == EVENT_REGISTRANTS:
            return {
                "kind": kind,
                "event_id": self.event_id.data,
                "statuses": list(self.statuses.data or [RegistrationStatus.CONFIRMED.value]),
                "table_id": self.table_id.data,
            }
        audience = {"kind": kind}
        if self.event_id.data is not None:
            # Members may get an announcement about an event too: {event_title} and {event_date}.
            audience["event_id"] = self.event_id.data
        if kind == MEMBERS_BY_THEME:
            audience["themes"] = list(self.themes.data or [])
        return audience

    def send_at_utc(self):
        """The typed time, read in the app's time zone (JST), as an aware UTC datetime; or None."""
        return _as_utc(self.send_at.data)

    @classmethod
    def editing(cls, announcement):
        """The form filled with a stored announcement (what a POST sends takes precedence)."""
        audience = announcement.audience
        return cls(
            data={
                "subject": announcement.subject,
                "body": announcement.body,
                "kind": audience.get("kind"),
                "event_id": audience.get("event_id"),
                "statuses": audience.get("statuses") or [RegistrationStatus.CONFIRMED.value],
                "table_id": audience.get("table_id"),
                "themes": audience.get("themes") or [],
                "send_at": _as_local(announcement.send_at),
            }
        )


class ScheduleForm(FlaskForm):
    """When a finished draft should go out (the preview page's 「予約する」)."""

    send_at = DateTimeLocalField(
        _l("送信日時（日本時間）"),
        format="%Y-%m-%dT%H:%M",
        validators=[DataRequired(message=_l("送信日時を入力してください。"))],
    )

    def send_at_utc(self):
        return _as_utc(self.send_at.data)
