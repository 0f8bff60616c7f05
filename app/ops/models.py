"""Each worker's last sign of life, so readiness can tell that mail is being delivered."""

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from app.database import UTCDateTime
from app.extensions import Model


class WorkerHeartbeat(Model):
    """One row per worker process ("host:pid"), refreshed every few seconds while it runs."""

    __tablename__ = "worker_heartbeats"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    leader: Mapped[bool] = mapped_column(default=False)
    seen_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
