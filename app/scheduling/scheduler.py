"""APScheduler 3 with its jobs in the app's database, started only by the leader worker."""

from datetime import UTC

from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from flask import Flask

from app.extensions import db
from app.scheduling import jobs
from app.scheduling.models import JOBS_TABLE

SWEEP_JOB_ID = "sweep"
WEBHOOK_JOB_ID = "webhooks"
MEMBER_IMPORT_JOB_ID = "member_imports"


def start_scheduler(app: Flask) -> BackgroundScheduler:
    """Start the scheduler in a background thread of this (leader) process."""
    jobs.app = app
    scheduler = BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(engine=db.engine, tablename=JOBS_TABLE)},
        timezone=UTC,
        # After downtime a missed sweep runs once, not once per missed minute.
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
    )
    config = app.config
    for job, seconds, job_id in (
        (jobs.sweep, config["SCHEDULER_INTERVAL_SECONDS"], SWEEP_JOB_ID),
        (jobs.deliver_webhooks, config["WEBHOOK_INTERVAL_SECONDS"], WEBHOOK_JOB_ID),
        (
            jobs.member_imports,
            config.get("MEMBER_IMPORT_INTERVAL_SECONDS", 5),
            MEMBER_IMPORT_JOB_ID,
        ),
    ):
        scheduler.add_job(job, "interval", seconds=seconds, id=job_id, replace_existing=True)
    scheduler.start()
    return scheduler
