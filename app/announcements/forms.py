"""The announcement form of the organizer console: how an announcement is typed and shown. The
typed values are read into the input model (app/announcements/inputs.py), whose errors, and the
service's, are shown beside the fields they name."""

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
from wtforms.validators import DataRequired, Optional

from app.announcements.inputs import (
    EVENT_REGISTRANTS,
    MEMBERS,
    MEMBERS_BY_THEME,
    AnnouncementInput,
)
from app.errors import DomainError
from app.forms import MultiCheckboxField
from app.inputs import InvalidInput, parse
from app.members.forms import THEME_CHOICES
from app.registrations.models import RegistrationStatus

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


class AnnouncementForm(FlaskForm):
    subject = StringField(_l("件名"))
    body = TextAreaField(
        _l("本文"),
        description=_l(
            "{name}（お名前）{organization}（所属）{event_title}（イベント名）{event_date}（日時）"
            "{manage_url}（申込内容の確認URL）{join_url}（参加用URL）を差し込めます。"
        ),
        render_kw={"rows": 14},
    )
    kind = RadioField(
        _l("配信先"), choices=KIND_CHOICES, default=EVENT_REGISTRANTS, validate_choice=False
    )
    event_id = IntegerField(_l("イベント"), validators=[Optional()])
    statuses = MultiCheckboxField(
        _l("お申し込みの状態"),
        choices=STATUS_CHOICES,
        default=[RegistrationStatus.CONFIRMED.value],
        validate_choice=False,
    )
    table_id = IntegerField(_l("テーブル（指定しない場合は全員）"), validators=[Optional()])
    themes = MultiCheckboxField(
        _l("関心のあるテーマ"), choices=THEME_CHOICES, validate_choice=False
    )
    send_at = DateTimeLocalField(
        _l("送信日時（日本時間・空欄なら下書き）"),
        format="%Y-%m-%dT%H:%M",
        validators=[Optional()],
    )

    def audience(self) -> dict:
        """The audience as typed; only what its kind uses."""
        kind = self.kind.data
        if kind == EVENT_REGISTRANTS:
            return {
                "kind": kind,
                "event_id": self.event_id.data,
                "statuses": list(self.statuses.data or []),
                "table_id": self.table_id.data,
            }
        audience = {"kind": kind}
        if self.event_id.data is not None:
            # Members may get an announcement about an event too: {event_title} and {event_date}.
            audience["event_id"] = self.event_id.data
        if kind == MEMBERS_BY_THEME:
            audience["themes"] = list(self.themes.data or [])
        return audience

    def validated_input(self) -> AnnouncementInput | None:
        """The announcement as typed, checked by its input model; None (and every message
        beside its field) when something is wrong."""
        if not self.validate():
            return None
        try:
            return parse(
                AnnouncementInput,
                {
                    "subject": self.subject.data or "",
                    "body": self.body.data or "",
                    "audience": self.audience(),
                    "send_at": self.send_at_utc(),
                },
            )
        except InvalidInput as invalid:
            for error in invalid.errors:
                named = [part for part in error.loc if isinstance(part, str)]
                self.show(named[-1] if named else "", error.message)
            return None

    def show_error(self, error: DomainError) -> None:
        """A service's message beside the field it names, or at the top of the form."""
        self.show(error.field or "", error.message)

    def show(self, name, message) -> None:
        if isinstance(name, str) and name in self and name != "csrf_token":
            self[name].errors = [*self[name].errors, message]
        else:
            self.form_errors.append(message)

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
