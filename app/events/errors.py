"""What the event services refuse, beside the shared ones in app.errors: each names the form
field it concerns where there is one."""

from flask_babel import lazy_gettext as _l

from app.errors import DomainError


class InvalidEvent(DomainError):
    """The event as typed breaks a rule; `field` names the form field (rows: "parts-0-title")."""

    message = _l("入力内容をご確認ください。")


class SlugTaken(DomainError):
    message = _l("このURL名は他のイベントで使われています。別の名前にしてください。")
    field = "slug"


class EventInUse(DomainError):
    """The change would take away something people have already signed up for."""

    message = _l("お申し込みがあるため、この変更はできません。")


class EventStatusError(DomainError):
    """The event's state does not allow this step (publishing a cancelled event, ...)."""
