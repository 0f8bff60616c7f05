"""The API's blueprint: bearer-token authentication, rate-limit keys, and problem documents for
every error. It takes no cookies: the console's session never counts here, and CSRF (a cookie
attack) does not apply."""

import time
from functools import wraps

from flask import Blueprint, current_app, g, request
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from werkzeug.exceptions import HTTPException, InternalServerError, MethodNotAllowed, NotFound

from app import clock
from app.api import problems
from app.api.schemas import Invalid
from app.api.tokens import find_active_token, hash_token, touch
from app.audit.actor import Actor
from app.errors import DomainError
from app.extensions import db, limiter
from app.mail.throttle import MailLimitReached

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def bearer_token() -> str | None:
    """The token of an `Authorization: Bearer ...` header; "" when the header is malformed."""
    header = request.headers.get("Authorization")
    if header is None:
        return None
    scheme, _, token = header.strip().partition(" ")
    return token.strip() if scheme.lower() == "bearer" else ""


def token_rate_key() -> str:
    """Organizer endpoints are limited per token (by its hash), or per client without one."""
    token = bearer_token()
    return "api-token:" + hash_token(token) if token else "api-ip:" + get_remote_address()


def token_rate_limit() -> str:
    return current_app.config["API_TOKEN_RATE_LIMIT"]


def _unauthorized(detail: str):
    return problems.problem(
        401,
        _("認証が必要です。"),
        detail,
        slug="unauthorized",
    ), {"WWW-Authenticate": 'Bearer realm="api", error="invalid_token"'}


@bp.before_request
def authenticate():
    """Who is calling: an organizer by their token, or the public. Never the session cookie."""
    g.api_token = None
    token = bearer_token()
    if token is None:
        return None
    row = find_active_token(token) if token else None
    if row is None:
        response, headers = _unauthorized(
            _("APIトークンが正しくないか、取り消されています。")
            if token
            else _("Authorization: Bearer <トークン> の形で指定してください。")
        )
        response.headers.update(headers)
        return response
    g.api_token = row
    if touch(row, clock.now()):
        db.session.commit()
    return None


def api_actor() -> Actor:
    """The calling token, as the services' audit entries name it."""
    token = g.get("api_token")
    return Actor.api(token) if token is not None else Actor("api")


def organizer():
    """The organizer whose token made this request, or None for the public."""
    return g.api_token.organizer if g.get("api_token") is not None else None


def organizer_required(view):
    """For organizer endpoints: a valid token (401 without), rate limited per token.

    A token acts as its organizer, with their role: every organizer endpoint is open to both
    roles, as the same pages are in the console.
    """

    @wraps(view)
    def wrapped(*args, **kwargs):
        if organizer() is None:
            response, headers = _unauthorized(
                _("この操作には APIトークン（Authorization: Bearer <トークン>）が必要です。")
            )
            response.headers.update(headers)
            return response
        return view(*args, **kwargs)

    wrapped.organizer_only = True  # type: ignore[attr-defined]  # read by the OpenAPI test
    return limiter.limit(token_rate_limit, key_func=token_rate_key)(wrapped)


@bp.errorhandler(Invalid)
def invalid(error: Invalid):
    db.session.rollback()
    return problems.validation_problem(error.errors)


@bp.errorhandler(DomainError)
def refused(error: DomainError):
    db.session.rollback()
    return problems.domain_problem(error, g.get("resource", ""))


@bp.errorhandler(MailLimitReached)
def mail_limited(error: MailLimitReached):
    """The address had its share of mail lately: 429, as for the door's own limits."""
    db.session.rollback()
    response = problems.problem(429, problems.HTTP_TITLES[429](), error.message)
    response.headers["Retry-After"] = str(error.retry_after)
    return response


def http_error(error: HTTPException):
    db.session.rollback()
    response = problems.http_problem(error)
    if error.code == 429 and limiter.current_limit is not None:
        response.headers["Retry-After"] = str(
            max(limiter.current_limit.reset_at - int(time.time()), 1)
        )
    return response


# By code as well as by class: Flask consults handlers registered for a code (the app's HTML
# pages) before any registered for a class, whichever blueprint they belong to.
_handled: tuple[int | type[Exception], ...] = (*problems.HTTP_TITLES, HTTPException)
for _code in _handled:
    bp.register_error_handler(_code, http_error)


@bp.errorhandler(Exception)
def unexpected(error: Exception):
    """A bug: logged with its traceback, answered as a problem document rather than a page."""
    db.session.rollback()
    current_app.logger.exception("API request failed", exc_info=error)
    return problems.http_problem(InternalServerError())


@bp.record_once
def _routing_errors_as_problems(state) -> None:
    """404 and 405 raised while matching the URL happen before any blueprint is known, so the
    app's HTML handlers would answer them; under /api/v1 answer with a problem document."""
    app = state.app
    for code, exception in ((404, NotFound), (405, MethodNotAllowed)):
        page = app.error_handler_spec[None].get(code, {}).get(exception)

        def handler(error, page=page):
            if problems.wants_problem():
                return problems.http_problem(error)
            return page(error) if page is not None else error

        app.register_error_handler(code, handler)
