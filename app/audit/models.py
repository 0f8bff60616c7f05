"""Audit log entries."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app import clock
from app.database import UTCDateTime
from app.extensions import Model
from app.organizers.models import Organizer


class AuditEntry(Model):
    """One organizer action, written in the same transaction as the change it records."""

    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    organizer_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizers.id", ondelete="SET NULL"), index=True
    )
    # e.g. "event.publish", "registration.check_in", "organizer.create"
    action: Mapped[str] = mapped_column(String(60), index=True)
    # What it was done to, e.g. "event:12", "registration:345"
    target: Mapped[str] = mapped_column(String(100), default="")
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, index=True)

    organizer: Mapped[Organizer | None] = relationship()
