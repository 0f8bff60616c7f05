"""An announcement: a subject and body with placeholders, an audience, and when to send."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app import clock
from app.database import UTCDateTime
from app.extensions import Model


class AnnouncementStatus(StrEnum):
    DRAFT = "draft"
    SCHEDULED = "scheduled"
    QUEUED = "queued"  # every recipient's message is in the outbox


class Announcement(Model):
    """A message to many, expanded into one outbox message per recipient when it goes out."""

    __tablename__ = "announcements"

    id: Mapped[int] = mapped_column(primary_key=True)
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    # {"kind": "event_registrants", "event_id": 1, "statuses": [...], "table_id": null}
    # {"kind": "members"} / {"kind": "members_by_theme", "themes": ["staff"]}
    audience: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(20), default=AnnouncementStatus.DRAFT, index=True)
    send_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    recipients: Mapped[int] = mapped_column(default=0)
    created_by: Mapped[str] = mapped_column(String(254), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
