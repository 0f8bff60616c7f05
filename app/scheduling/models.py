"""The scheduler's tables: APScheduler's job table (declared here so that migrations create it
like every other table) and the failed items of the jobs it runs."""

from datetime import datetime

from sqlalchemy import Column, Float, LargeBinary, String, Table, Unicode, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.database import UTCDateTime
from app.extensions import Model, db

JOBS_TABLE = "apscheduler_jobs"

# The same shape APScheduler's SQLAlchemyJobStore expects; its own create() then finds it exists.
apscheduler_jobs = Table(
    JOBS_TABLE,
    db.metadata,
    Column("id", Unicode(191), primary_key=True),
    Column("next_run_time", Float(25), index=True),
    Column("job_state", LargeBinary, nullable=False),
)


class JobFailure(Model):
    """One item of a scheduled job (an event's reminders, an announcement, a notice...) that
    raised: kept until the item succeeds, so a stuck reminder is seen and not just logged."""

    __tablename__ = "job_failures"
    __table_args__ = (UniqueConstraint("job", "item_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(50))
    # What failed, e.g. "event:12" or "notice:2027-04"; with `job`, one row per item.
    item_key: Mapped[str] = mapped_column(String(100))
    # "ValueError: line break or control character in mail header Subject" (first line, cut).
    error: Mapped[str] = mapped_column(String(500))
    attempts: Mapped[int] = mapped_column(default=1)
    first_failed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_failed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    next_retry_at: Mapped[datetime] = mapped_column(UTCDateTime)
