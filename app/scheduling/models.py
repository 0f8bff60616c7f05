"""APScheduler's job table, declared here so that migrations create it like every other table."""

from sqlalchemy import Column, Float, LargeBinary, Table, Unicode

from app.extensions import db

JOBS_TABLE = "apscheduler_jobs"

# The same shape APScheduler's SQLAlchemyJobStore expects; its own create() then finds it exists.
apscheduler_jobs = Table(
    JOBS_TABLE,
    db.metadata,
    Column("id", Unicode(191), primary_key=True),
    Column("next_run_time", Float(25), index=True),
    Column("job_state", LargeBinary, nullable=False),
)
