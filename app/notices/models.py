"""One row per half-year notice that went out, so a period is never announced twice."""

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from app import clock
from app.database import UTCDateTime
from app.extensions import Model


class NoticeRun(Model):
    """The notice for `period` ("2027-04" or "2027-10") was queued for `recipients` members."""

    __tablename__ = "notice_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[str] = mapped_column(String(7), unique=True)
    recipients: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
