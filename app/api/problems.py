"""Errors as problem documents (RFC 9457, application/problem+json), never HTML pages."""

import re

from flask import Response, json, request, url_for
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from app.announcements.errors import (
    AnnouncementAlreadyQueued,
    AnnouncementNotFound,
    InvalidAnnouncement,
    InvalidAudience,
    NoRecipients,
)
from app.errors import (
    AlreadyCancelled,
    AlreadyRegistered,
    DomainError,
    EventCancelled,
    EventNotFound,
    InvalidChoice,
    InvalidSchedule,
    RegistrationClosed,
    RegistrationNotFound,
    RegistrationNotOpen,
)
from app.events.errors import EventInUse, EventStatusError, InvalidEvent, SlugTaken
from app.inputs import InvalidInput
from app.registrations.answers import InvalidAnswer
from app.registrations.organizer_actions import WrongStatus
from app.registrations.seats import NoSeatFree

PROBLEM_JSON = "application/problem+json"

NOT_FOUND = (EventNotFound, RegistrationNotFound, AnnouncementNotFound)
# Refusals because of the state things are in, not because of what was typed.
CONFLICTS = (
    AlreadyRegistered,
    AlreadyCancelled,
    RegistrationClosed,
    RegistrationNotOpen,
    EventCancelled,
    EventInUse,
    EventStatusError,
    SlugTaken,
    WrongStatus,
    NoSeatFree,
    AnnouncementAlreadyQueued,
)

# Rules the input broke (422); any other DomainError with a field is one too.
UNPROCESSABLE = (
    InvalidChoice,
    InvalidSchedule,
    InvalidEvent,
    InvalidAnswer,
    InvalidAnnouncement,
    InvalidAudience,
    NoRecipients,
)

# The services name fields as the console's forms do; the API names them as its JSON does.
_ROW_FIELD = re.compile(r"^(parts|tables|questions)-(\d+)-(\w+)$")
_AUDIENCE_FIELDS = {"event_id", "statuses", "table_id", "themes"}


def api_field(name: str | None, resource: str = "") -> str | None:
    """The JSON field a service's `field` stands for: "parts-0-title" -> "parts[0].title",
    "question_7" -> "answers.7", an audience's "event_id" -> "audience.event_id"."""
    if not name:
        return None
    if match := _ROW_FIELD.match(name):
        return f"{match[1]}[{match[2]}].{match[3]}"
    if name.startswith("question_"):
        return "answers." + name.removeprefix("question_")
    if resource == "announcement" and (name in _AUDIENCE_FIELDS or name == "kind"):
        return "audience." + name
    return name


def _type_uri(slug: str) -> str:
    """Each problem type is described in a section of the API's docs page."""
    return url_for("api_docs.index", _external=True) + "#problem-" + slug


def problem(status: int, title: str, detail: str = "", slug: str = "", **extra) -> Response:
    document = {
        "type": _type_uri(slug) if slug else "about:blank",
        "title": str(title),
        "status": status,
    }
    if detail:
        document["detail"] = str(detail)
    document.update(extra)
    return Response(json.dumps(document), status=status, mimetype=PROBLEM_JSON)


def validation_problem(errors: list[dict], status: int = 422) -> Response:
    """Every field that was wrong, and why."""
    return problem(
        status,
        _("入力内容に誤りがあります。"),
        _("errors に項目ごとの理由があります。"),
        slug="validation-error",
        errors=errors,
    )


def _slug(error_class: type) -> str:
    return re.sub(r"(?<!^)(?=[A-Z])", "-", error_class.__name__).lower()


def problem_types() -> list[tuple[str, int, str]]:
    """(slug, status, what it means) for each problem type, for the docs page."""
    types = [
        ("validation-error", 422, _("入力の形式の誤り。errors に項目と理由が入ります。")),
        ("unauthorized", 401, _("APIトークンがない、正しくない、または取り消されています。")),
        ("not-found", 404, _("見つかりません。")),
    ]
    types += [(_slug(c), 409, str(c.message)) for c in CONFLICTS]
    types += [(_slug(c), 422, str(c.message)) for c in UNPROCESSABLE]
    return types


def domain_problem(error: DomainError, resource: str = "") -> Response:
    """A service's refusal: 404 for what does not exist, 409 for the state things are in,
    422 for input that breaks a rule; the message names its field."""
    if isinstance(error, InvalidInput):
        return validation_problem(
            [{"field": item.api_field, "message": item.message} for item in error.errors]
        )
    if isinstance(error, NOT_FOUND):
        return problem(404, _("見つかりません。"), error.message, slug="not-found")
    status = 409 if isinstance(error, CONFLICTS) else 422
    title = (
        _("現在の状態では処理できません。") if status == 409 else _("入力内容に誤りがあります。")
    )
    return problem(
        status,
        title,
        error.message,
        slug=_slug(type(error)),
        errors=[{"field": api_field(error.field, resource), "message": str(error.message)}],
    )


# Our own words for the HTTP errors an API client can cause.
HTTP_TITLES = {
    400: lambda: _("リクエストを読み取れません。"),
    401: lambda: _("認証が必要です。"),
    403: lambda: _("この操作の権限がありません。"),
    404: lambda: _("見つかりません。"),
    405: lambda: _("このメソッドは使えません。"),
    413: lambda: _("リクエストが大きすぎます。"),
    415: lambda: _("Content-Type は application/json にしてください。"),
    429: lambda: _("リクエストが多すぎます。しばらくしてからお試しください。"),
    500: lambda: _("サーバーでエラーが発生しました。"),
}


def http_problem(error: HTTPException) -> Response:
    status = error.code or 500
    title = HTTP_TITLES.get(status, lambda: error.name)()
    response = problem(status, title, slug="" if status != 401 else "unauthorized")
    allowed = getattr(error, "valid_methods", None)  # a MethodNotAllowed's
    if status == 405 and allowed:
        response.headers["Allow"] = ", ".join(sorted(allowed))
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="api"'
    if status == 429:
        retry_after = getattr(error, "retry_after", None)
        response.headers["Retry-After"] = str(retry_after or 60)
    return response


def wants_problem() -> bool:
    """Requests to the JSON API get problem documents, even when no route matched."""
    return request.path == "/api/v1" or request.path.startswith("/api/v1/")
