"""Limits on the public forms, keyed on what they protect: the address typed into the form, and the
event it signs up for. The client IP is only a generous ceiling, because a prefecture's offices
reach us through one shared gateway (自治体情報セキュリティクラウド).

Each limit reads its value from the configuration at request time (see config.py), and all of
them live in the limiter's storage: Redis when REDIS_URL is set, so every process counts together.
"""

import hashlib
import hmac
import math
import time

from flask import current_app, request
from flask_babel import lazy_gettext as _l

from app.extensions import limiter, public_form_limit
from app.forms import normalize_email

# Longer than any address the forms accept; anything longer is not worth a counter of its own.
_MAX_ADDRESS = 320


def submitted_email() -> str:
    """The normalised address in the form or JSON body, or "" when there is none."""
    if request.is_json:
        try:
            data = request.get_json(silent=True)
        except RecursionError:  # nested too deep: the view answers 400 on its own
            data = None
        value = data.get("email") if isinstance(data, dict) else None
    else:
        value = request.form.get("email")
    if not isinstance(value, str):
        return ""
    return normalize_email(value)[:_MAX_ADDRESS]


def _digest(text: str) -> str:
    # A keyed digest: the limiter's storage (Redis) never holds the addresses themselves.
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()[:32]


def address_key() -> str:
    """Key on the typed address; "" (no address typed) makes Flask-Limiter skip the limit."""
    email = submitted_email()
    return "address:" + _digest(email) if email else ""


def event_address_key() -> str:
    """Key on the event (the slug or id in the URL) and the typed address together."""
    email = submitted_email()
    if not email:
        return ""
    event = next(iter((request.view_args or {}).values()), "")
    return f"event:{str(event)[:100]}:address:{_digest(email)}"


def _config(name: str):
    return lambda: current_app.config[name]


def _ip_ceiling():
    return limiter.limit(public_form_limit, methods=["POST"])


def signup_limits(view):
    """Sign-up (page and API): per event and address, per address across events and doors,
    and the per-IP ceiling. Every POST that carries an address counts."""
    view = limiter.limit(
        _config("SIGNUP_RATE_LIMIT"), methods=["POST"], key_func=event_address_key
    )(view)
    view = limiter.shared_limit(
        _config("SIGNUP_ADDRESS_RATE_LIMIT"),
        scope="signup-address",
        methods=["POST"],
        key_func=address_key,
    )(view)
    return _ip_ceiling()(view)


def mail_request_limits(scope: str):
    """Forms that mail whoever's address is typed (resend, /join, the profile link): a few
    requests an hour per address, shared by the doors of one `scope`, and the per-IP ceiling."""

    def decorate(view):
        view = limiter.shared_limit(
            _config("MAIL_REQUEST_RATE_LIMIT"),
            scope=f"mail-request:{scope}",
            methods=["POST"],
            key_func=address_key,
        )(view)
        return _ip_ceiling()(view)

    return decorate


def retry_after_seconds() -> int:
    """Seconds until the limit this request broke lets it through (at least 1)."""
    breached = limiter.current_limit
    if breached is None:
        return 60
    return max(int(breached.reset_at - time.time()), 1)


def wait_message(seconds: int):
    """「N分ほど」 for the person who was limited; minutes rounded up."""
    if seconds < 60:
        return _l(
            "短時間に多くの送信がありました。%(seconds)d秒ほど待ってから、もう一度送信してください。入力内容はそのまま残っています。",
            seconds=seconds,
        )
    return _l(
        "短時間に多くの送信がありました。%(minutes)d分ほど待ってから、もう一度送信してください。入力内容はそのまま残っています。",
        minutes=math.ceil(seconds / 60),
    )
