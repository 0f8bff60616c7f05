"""The per-message return path (VERP): bounce+<outbox id>.<mac>@BOUNCE_DOMAIN as the SMTP
envelope sender, so a bounce names the message and recipient it is about, and cannot be forged
for a message we never sent (the mac is an HMAC of the id under SECRET_KEY)."""

import hashlib
import hmac
import re

from flask import current_app

from app.routing import LARGEST_ID

PREFIX = "bounce+"
# Lower-case hex: some servers fold the local part's case, and 80 bits cannot be guessed.
_MAC_LENGTH = 20
_LOCAL_PART = re.compile(r"bounce\+(\d{1,12})\.([0-9a-f]{20})", re.IGNORECASE)


def _mac(outbox_id: int) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, f"return-path:{outbox_id}".encode(), hashlib.sha256).hexdigest()
    return digest[:_MAC_LENGTH]


def return_path(outbox_id: int) -> str | None:
    """The envelope sender for this outbox row, or None when BOUNCE_DOMAIN is not set."""
    domain = current_app.config.get("BOUNCE_DOMAIN")
    if not domain:
        return None
    return f"{PREFIX}{outbox_id}.{_mac(outbox_id)}@{domain}"


def outbox_id_of(address: str) -> int | None:
    """The outbox id a return path names, when its mac is right and its domain ours; else None."""
    domain = current_app.config.get("BOUNCE_DOMAIN")
    local, at, address_domain = (address or "").strip().strip("<>").rpartition("@")
    if not domain or not at or address_domain.lower() != domain:
        return None
    match = _LOCAL_PART.fullmatch(local)
    if match is None:
        return None
    outbox_id = int(match.group(1))
    if not 1 <= outbox_id <= LARGEST_ID:
        return None
    if not hmac.compare_digest(match.group(2).lower().encode(), _mac(outbox_id).encode()):
        return None
    return outbox_id
