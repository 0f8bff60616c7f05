"""Console sessions: begun on a clean cookie at sign-in, and refused after an idle spell
(SESSION_IDLE_SECONDS) or an absolute lifetime (SESSION_MAX_AGE_SECONDS), checked on every
request. Signing out everywhere is the organizer's session nonce (organizers.services)."""

from flask import Flask, current_app, g, request, session
from flask_login import login_user, logout_user

from app import clock
from app.organizers.models import Organizer

SIGNED_IN_AT = "signed_in_at"
SEEN_AT = "seen_at"
# Moving the idle clock re-signs the cookie; to the minute is precise enough.
SEEN_RESOLUTION_SECONDS = 60


def _clear() -> None:
    session.clear()
    # Flask-WTF caches this request's CSRF token in g; it belonged to the session just cleared.
    g.pop(current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token"), None)


def begin(organizer: Organizer) -> None:
    """Sign in on a clean session: nothing an earlier cookie carried survives (no fixation)."""
    _clear()
    login_user(organizer)
    now = clock.now().timestamp()
    session[SIGNED_IN_AT] = now
    session[SEEN_AT] = now


def end() -> None:
    logout_user()
    _clear()


def _expired(now: float) -> bool:
    signed_in_at, seen_at = session.get(SIGNED_IN_AT), session.get(SEEN_AT)
    if not isinstance(signed_in_at, int | float) or not isinstance(seen_at, int | float):
        return True  # a session from before these checks, or one not begun here
    config = current_app.config
    return (
        not signed_in_at <= now
        or now - signed_in_at > config["SESSION_MAX_AGE_SECONDS"]
        or now - seen_at > config["SESSION_IDLE_SECONDS"]
    )


def check_session() -> None:
    """Before every request: an expired console session is emptied, so the visitor is anonymous
    and the console asks them to sign in again."""
    if "_user_id" not in session or request.blueprint == "api":  # the API never reads it
        return
    now = clock.now().timestamp()
    if _expired(now):
        end()
    elif now - session[SEEN_AT] >= SEEN_RESOLUTION_SECONDS:
        session[SEEN_AT] = now


def init_app(app: Flask) -> None:
    app.before_request(check_session)
