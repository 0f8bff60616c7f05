"""API tokens: made in the console or with `flask create-api-token`, shown once, stored as a hash.

A token is "rsk_" and 43 random URL-safe characters (256 bits); a SHA-256 of it finds the row,
so a stolen database holds no usable token. Revoking sets revoked_at; the row stays for the record.
"""

import hashlib
import secrets
from datetime import datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.audit.actor import Actor
from app.audit.services import record
from app.errors import DomainError
from app.extensions import db
from app.organizers.models import ApiToken, Organizer

TOKEN_PREFIX = "rsk_"
# last_used_at is written at most this often, so a busy client does not write on every call.
LAST_USED_RESOLUTION = timedelta(minutes=1)


class ApiTokenNotFound(DomainError):
    message = _l("このAPIトークンは見つかりません。")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def create_api_token(
    organizer: Organizer, name: str, now: datetime, *, actor: Actor
) -> tuple[ApiToken, str]:
    """A new token for `organizer`; returns the row and the token, which is never shown again."""
    name = (name or "").strip()[:100]
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        organizer_id=organizer.id,
        name=name,
        token_hash=hash_token(token),
        prefix=token[: len(TOKEN_PREFIX) + 6],
        created_at=now,
    )
    db.session.add(row)
    db.session.flush()
    record(actor, "api_token.create", f"api_token:{row.id}", name=row.name)
    return row, token


def tokens_for(organizer: Organizer) -> list[ApiToken]:
    """The tokens an organizer may see: their own, or everyone's for an admin."""
    query = select(ApiToken).order_by(ApiToken.revoked_at.is_not(None), ApiToken.id.desc())
    if not organizer.is_admin:
        query = query.where(ApiToken.organizer_id == organizer.id)
    return list(db.session.scalars(query))


def revoke_api_token(token_id: int, by: Organizer, now: datetime, *, actor: Actor) -> ApiToken:
    """Stop a token at once. Organizers revoke their own tokens; admins anyone's."""
    row = db.session.get(ApiToken, token_id)
    if row is None or (row.organizer_id != by.id and not by.is_admin):
        raise ApiTokenNotFound()
    if row.revoked_at is None:
        row.revoked_at = now
        db.session.flush()
    record(actor, "api_token.revoke", f"api_token:{row.id}")
    return row


def find_active_token(token: str) -> ApiToken | None:
    """The live token row for a presented token: not revoked, its organizer still active."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    if row is None or row.revoked_at is not None or not row.organizer.active:
        return None
    return row


def touch(row: ApiToken, now: datetime) -> bool:
    """Note that the token was used; returns whether anything was written."""
    if row.last_used_at is not None and now - row.last_used_at < LAST_USED_RESOLUTION:
        return False
    row.last_used_at = now
    db.session.flush()
    return True
