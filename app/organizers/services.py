"""Organizer accounts: creating them, signing in, and resetting a forgotten password."""

import hmac

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import func, select
from werkzeug.security import check_password_hash, generate_password_hash

from app.audit.actor import Actor
from app.audit.services import record
from app.errors import DomainError
from app.extensions import db
from app.organizers.models import Organizer, OrganizerRole
from app.tokens import new_nonce

MIN_PASSWORD_LENGTH = 12
RESET_MAX_AGE_SECONDS = 3600


class OrganizerExists(DomainError):
    message = _l("このメールアドレスの事務局アカウントは既にあります。")
    field = "email"


class WeakPassword(DomainError):
    message = _l("パスワードは12文字以上にしてください。")
    field = "password"


class LoginFailed(DomainError):
    message = _l("メールアドレスまたはパスワードが違います。")


class ResetLinkInvalid(DomainError):
    message = _l("このリンクは無効か、有効期限（1時間）が切れています。もう一度お手続きください。")


def _hash(password: str) -> str:
    return generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])


def _check_password(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword()


def find_by_email(email: str) -> Organizer | None:
    return db.session.scalar(select(Organizer).where(func.lower(Organizer.email) == email.lower()))


def create_organizer(
    email: str, password: str, role: str = OrganizerRole.ORGANIZER, name: str = "", *, actor: Actor
) -> Organizer:
    if find_by_email(email) is not None:
        raise OrganizerExists()
    _check_password(password)
    organizer = Organizer(
        email=email.lower(),
        name=name,
        role=OrganizerRole(role),
        password_hash=_hash(password),
    )
    db.session.add(organizer)
    db.session.flush()
    record(actor, "organizer.create", f"organizer:{organizer.id}", role=organizer.role)
    return organizer


def set_active(organizer: Organizer, active: bool, *, actor: Actor) -> None:
    """Switch the account on or off; either way it is signed out everywhere."""
    organizer.active = active
    organizer.session_nonce = new_nonce()
    record(
        actor,
        "organizer.activate" if active else "organizer.deactivate",
        f"organizer:{organizer.id}",
    )


def authenticate(email: str, password: str) -> Organizer:
    """The active organizer with this address and password, or LoginFailed either way."""
    organizer = find_by_email(email)
    if organizer is None:
        # Hash anyway, so a wrong address costs as long as a wrong password.
        _hash(password)
        raise LoginFailed()
    if not check_password_hash(organizer.password_hash, password) or not organizer.active:
        raise LoginFailed()
    return organizer


def set_password(organizer: Organizer, password: str) -> None:
    """Change the password; every session and reset link issued before stops working."""
    _check_password(password)
    organizer.password_hash = _hash(password)
    organizer.session_nonce = new_nonce()


def sign_out_everywhere(organizer: Organizer) -> None:
    """Void every session of this organizer (and their reset links): each carries the old nonce."""
    organizer.session_nonce = new_nonce()


def load_for_session(session_id: str) -> Organizer | None:
    """Flask-Login's user loader: "<id>.<session nonce>", compared in constant time."""
    row_id, _, nonce = (session_id or "").partition(".")
    if not row_id.isdigit():
        return None
    organizer = db.session.get(Organizer, int(row_id))
    if organizer is None or not hmac.compare_digest(organizer.session_nonce, nonce):
        return None
    return organizer


def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="organizer-password-reset")


def reset_token(organizer: Organizer) -> str:
    # The session nonce inside makes the link die as soon as the password changes.
    return _reset_serializer().dumps([organizer.id, organizer.session_nonce])


def find_by_reset_token(token: str) -> Organizer:
    try:
        row_id, nonce = _reset_serializer().loads(token, max_age=RESET_MAX_AGE_SECONDS)
        organizer = db.session.get(Organizer, int(row_id))
    except (BadSignature, TypeError, ValueError):
        raise ResetLinkInvalid() from None
    if organizer is None or not organizer.active:
        raise ResetLinkInvalid()
    if not hmac.compare_digest(str(organizer.session_nonce), str(nonce)):
        raise ResetLinkInvalid()
    return organizer
