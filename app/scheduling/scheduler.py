"""APScheduler 3 with its jobs in the app's database, started only by the leader worker."""

from datetime import UTC

from apscheduler.executors.pool import ThreadPoolExecutor
from apscheduler.jobstores.sqlalchemy import SQLAlchemyJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from flask import Flask

from app.extensions import db
from app.scheduling import jobs
from app.scheduling.models import JOBS_TABLE

SWEEP_JOB_ID = "sweep"
WEBHOOK_JOB_ID = "webhooks"
MEMBER_IMPORT_JOB_ID = "member_imports"
JOB_THREADS = 3  # the sweep, the webhook round and member imports, one of each (max_instances)


def _enter_context(app: Flask) -> None:
    app.app_context().push()


def start_scheduler(app: Flask) -> BackgroundScheduler:
    """Start the scheduler in a background thread of this (leader) process."""
    # Each of the pool's threads enters the app's context once, when it starts: the stored jobs
    # are plain importable functions, and the app is handed over here rather than in a global.
    executor = ThreadPoolExecutor(
        max_workers=JOB_THREADS, pool_kwargs={"initializer": _enter_context, "initargs": (app,)}
    )
    scheduler = BackgroundScheduler(
        jobstores={"default": SQLAlchemyJobStore(engine=db.engine, tablename=JOBS_TABLE)},
        executors={"default": executor},
        timezone=UTC,
        # After downtime a missed sweep runs once, not once per missed minute.
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": None},
    )
    config = app.config
    for job, seconds, job_id in (
        (jobs.sweep, config["SCHEDULER_INTERVAL_SECONDS"], SWEEP_JOB_ID),
        (jobs.deliver_webhooks, config["WEBHOOK_INTERVAL_SECONDS"], WEBHOOK_JOB_ID),
        (jobs.member_imports, config["MEMBER_IMPORT_INTERVAL_SECONDS"], MEMBER_IMPORT_JOB_ID),
    ):
        scheduler.add_job(job, "interval", seconds=seconds, id=job_id, replace_existing=True)
    scheduler.start()
    return scheduler
