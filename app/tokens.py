"""Signed tokens for links in mail (manage a registration, confirm a membership).

A token is "<id>.<mac>": the mac is an HMAC of the purpose, the row id and a random nonce kept on
the row. The database never holds the token itself, yet any later mail can carry the same link,
and replacing the nonce revokes every link issued before.
"""

import base64
import hashlib
import hmac
import secrets

from flask import current_app

from app.extensions import db
from app.routing import LARGEST_ID, parse_int


def new_nonce() -> str:
    return secrets.token_urlsafe(16)


def _mac(purpose: str, row_id: int, nonce: str) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, f"{purpose}:{row_id}:{nonce}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def make_token(purpose: str, row_id: int, nonce: str) -> str:
    return f"{row_id}.{_mac(purpose, row_id, nonce)}"


def token_row_id(token: str) -> int | None:
    """The row id a token claims, or None when it is not even shaped like a token."""
    row_id, _, mac = (token or "").partition(".")
    if not mac or len(mac) > 64:
        return None
    # Bounded like every id in a URL: a larger one is a DataError on PostgreSQL (a 500).
    return parse_int(row_id, 1, LARGEST_ID)


def token_matches(token: str, purpose: str, row_id: int, nonce: str | None) -> bool:
    """Constant-time check that the token was made for this row and purpose, with its current nonce."""
    if nonce is None:
        return False
    return hmac.compare_digest(token.encode(), make_token(purpose, row_id, nonce).encode())


def find_signed(model, token: str, purpose: str, nonce_attribute: str):
    """The `model` row a token was made for (with the row's current nonce), or None."""
    row_id = token_row_id(token)
    row = db.session.get(model, row_id) if row_id is not None else None
    if row is None or not token_matches(token, purpose, row.id, getattr(row, nonce_attribute)):
        return None
    return row
