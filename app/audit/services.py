"""Writing and reading the audit log."""

from typing import Any

from sqlalchemy import select

from app.audit.actor import Actor
from app.audit.models import AuditEntry
from app.extensions import db


def record(actor: Actor, action: str, target: str = "", **detail: Any) -> AuditEntry:
    """Add an entry for `actor` to the caller's transaction (the door commits it)."""
    entry = AuditEntry(
        organizer_id=actor.organizer_id,
        action=action,
        target=target,
        detail={**detail, **actor.detail()},
    )
    db.session.add(entry)
    return entry


def recent_entries(limit: int = 200, offset: int = 0) -> list[AuditEntry]:
    query = select(AuditEntry).order_by(AuditEntry.id.desc()).limit(limit).offset(offset)
    return list(db.session.scalars(query))
