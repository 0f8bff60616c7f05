"""Domain errors raised by services, and the handlers that turn HTTP errors into friendly pages."""

from flask import Flask, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError


class DomainError(Exception):
    """A rule of the domain said no. `field` names the form field the message belongs beside."""

    message = _l("処理できませんでした。")
    field: str | None = None

    def __init__(self, message=None, field: str | None = None):
        super().__init__(message or self.message)
        if message is not None:
            self.message = message
        if field is not None:
            self.field = field


class EventNotFound(DomainError):
    message = _l("このイベントは見つかりません。")


class EventCancelled(DomainError):
    message = _l("このイベントは中止となったため、お申し込みを受け付けていません。")


class RegistrationNotOpen(DomainError):
    message = _l("お申し込みの受付はまだ始まっていません。")


class RegistrationClosed(DomainError):
    message = _l("お申し込みの受付は終了しました。")


class InvalidChoice(DomainError):
    message = _l("選択肢の中から選んでください。")


class InvalidSchedule(DomainError):
    message = _l("終了日時は開始日時より後にしてください。")
    field = "ends_at"


class AlreadyRegistered(DomainError):
    message = _l("このメールアドレスでは既にお申し込み済みです。")
    field = "email"


class RegistrationNotFound(DomainError):
    message = _l("お申し込みが見つかりません。")


class AlreadyCancelled(DomainError):
    message = _l("このお申し込みは既にキャンセルされています。")


def _page(template: str, status: int):
    def handler(error):
        return render_template(template, error=error), status

    return handler


def init_app(app: Flask) -> None:
    app.register_error_handler(CSRFError, _page("errors/csrf.html", 400))
    app.register_error_handler(400, _page("errors/400.html", 400))
    app.register_error_handler(404, _page("errors/404.html", 404))
    app.register_error_handler(EventNotFound, _page("errors/404.html", 404))
    app.register_error_handler(RegistrationNotFound, _page("errors/404.html", 404))
    app.register_error_handler(405, _page("errors/405.html", 405))
    app.register_error_handler(413, _page("errors/413.html", 413))
    # A JSON body sent to a page's form: "could not read the request", as for 400.
    app.register_error_handler(415, _page("errors/400.html", 415))
    app.register_error_handler(429, _page("errors/429.html", 429))
    app.register_error_handler(500, _page("errors/500.html", 500))
