"""The leader lock that lets only one `flask worker` run the scheduler, and the scheduler's job kept
in the database (APScheduler's SQLAlchemyJobStore on the apscheduler_jobs table).

SQLite: an exclusive flock on a file; PostgreSQL: a session advisory lock on a connection held
open while leading. Either is released when its holder dies."""

import os
import pickle
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from datetime import time as dt_time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text

from app import database
from app.events.models import EventKind
from app.extensions import db
from app.mail.outbox import OutboxMessage
from app.notices.schedule import notice_time
from app.scheduling import leader
from app.scheduling.leader import LeaderLock
from app.scheduling.models import apscheduler_jobs
from app.scheduling.scheduler import (
    MEMBER_IMPORT_JOB_ID,
    SWEEP_JOB_ID,
    WEBHOOK_JOB_ID,
    start_scheduler,
)
from tests.factories import make_member

ROOT = Path(__file__).resolve().parents[2]


def eventually(check, timeout: float = 5.0, interval: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while True:
        if check():
            return True
        if time.monotonic() > deadline:
            return False
        time.sleep(interval)


@pytest.fixture
def sqlite_only(app):
    if app.database_name != "sqlite":
        pytest.skip("SQLite only: the worker locks a file there (an advisory lock on PostgreSQL)")


@pytest.fixture
def postgres_only(app):
    if app.database_name != "postgresql":
        pytest.skip(
            "PostgreSQL only: the worker takes an advisory lock there (a file lock on SQLite)"
        )


@pytest.fixture
def other_engine(app):
    """A second engine on the same database: what another worker process would have."""
    engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"])
    database.configure(engine)  # as that process's create_app would
    yield engine
    engine.dispose()


@pytest.fixture
def locks():
    """Every LeaderLock made in a test is released at its end, whatever happened."""
    made = []

    def make(engine, lock_dir) -> LeaderLock:
        lock = LeaderLock(engine, lock_dir)
        made.append(lock)
        return lock

    yield make
    for lock in made:
        try:
            lock.release()
        except Exception:
            pass


# --- SQLite: flock -------------------------------------------------------------------------------


def test_sqlite_lock_is_held_by_one_and_passes_on_after_release(app, sqlite_only, locks, tmp_path):
    first = locks(db.engine, tmp_path)
    second = locks(db.engine, tmp_path)

    assert first.try_acquire() is True
    assert first.held and first.still_held()
    assert (tmp_path / "scheduler.lock").read_text() == str(os.getpid())
    assert second.try_acquire() is False
    assert second.try_acquire() is False  # asking again changes nothing
    assert not second.held
    assert first.try_acquire() is True  # the holder asking again keeps it

    first.release()
    assert not first.held
    assert second.try_acquire() is True
    assert first.try_acquire() is False


def test_sqlite_lock_is_released_when_its_holder_is_killed(app, sqlite_only, locks, tmp_path):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time\n"
            "from pathlib import Path\n"
            "from sqlalchemy import create_engine\n"
            "from app.scheduling.leader import LeaderLock\n"
            "lock = LeaderLock(create_engine('sqlite://'), Path(sys.argv[1]))\n"
            "print(lock.try_acquire(), flush=True)\n"
            "time.sleep(60)\n",
            str(tmp_path),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "True"
        mine = locks(db.engine, tmp_path)
        assert mine.try_acquire() is False

        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=10)

        assert eventually(mine.try_acquire)
    finally:
        if holder.poll() is None:
            holder.kill()
            holder.wait()
        holder.stdout.close()


# --- PostgreSQL: advisory lock -------------------------------------------------------------------


def advisory_holders() -> list[int]:
    """Backend pids holding the scheduler's lock in this test run's schema (a two-key advisory
    lock shows its keys as classid and objid, the second as an unsigned 32-bit number)."""
    with db.engine.connect() as connection:
        return list(
            connection.execute(
                text(
                    "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted"
                    " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
                    " AND classid::bigint = :key"
                    " AND objid::bigint = (hashtext(current_schema())::bigint & 4294967295)"
                ),
                {"key": leader.ADVISORY_KEY},
            ).scalars()
        )


def backend_pid(lock: LeaderLock) -> int:
    return lock._connection.execute(text("SELECT pg_backend_pid()")).scalar_one()


def test_postgres_lock_is_held_by_one_engine_and_dies_with_its_connection(
    app, postgres_only, other_engine, locks, tmp_path
):
    first = locks(db.engine, tmp_path)
    second = locks(other_engine, tmp_path)

    assert first.try_acquire() is True
    assert first.still_held() is True
    assert advisory_holders() == [backend_pid(first)]
    assert second.try_acquire() is False
    assert second.try_acquire() is False
    assert not second.held
    assert not (tmp_path / "scheduler.lock").exists()  # no file lock on PostgreSQL

    # The holder dies: its connection goes away without an unlock (as when the process is killed).
    first._connection.invalidate()  # closes the driver's connection, never returns it to the pool

    assert eventually(second.try_acquire), "the lock was not freed when its connection closed"
    assert second.still_held() is True
    assert advisory_holders() == [backend_pid(second)]

    # An orderly release hands it on too.
    third = locks(db.engine, tmp_path)
    assert third.try_acquire() is False
    second.release()
    assert third.try_acquire() is True


def test_postgres_still_held_is_false_once_the_server_ends_the_session(
    app, postgres_only, other_engine, locks, tmp_path
):
    first = locks(db.engine, tmp_path)
    second = locks(other_engine, tmp_path)
    assert first.try_acquire() is True
    pid = backend_pid(first)

    with other_engine.connect() as admin:
        assert admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar()
    assert eventually(lambda: pid not in advisory_holders())

    assert first.still_held() is False
    assert not first.held
    assert eventually(second.try_acquire)
    assert first.try_acquire() is False  # the old leader now stands by
    assert first.still_held() is False


def test_postgres_installations_in_other_schemas_of_the_database_have_schedulers_of_their_own(
    app, postgres_only, locks, tmp_path
):
    schema = f"other_install_{os.getpid()}"
    url = app.config["SQLALCHEMY_DATABASE_URI"].split("options=")[0].rstrip("?&")
    separator = "&" if "?" in url else "?"
    other = create_engine(f"{url}{separator}options=-csearch_path%3D{schema}")
    with other.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA IF NOT EXISTS {schema}"))
    try:
        mine = locks(db.engine, tmp_path)
        theirs = locks(other, tmp_path)
        neighbour = locks(other, tmp_path)
        assert mine.try_acquire() is True
        assert theirs.try_acquire() is True  # the same database, another installation
        assert neighbour.try_acquire() is False  # but still one scheduler per installation
        assert advisory_holders() == [backend_pid(mine)]
        theirs.release()
    finally:
        with other.begin() as connection:
            connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        other.dispose()


# --- The scheduler's job in the database ---------------------------------------------------------


def stored_jobs() -> list:
    """The apscheduler_jobs rows, read on a connection of their own (closed at once, so on SQLite
    the scheduler thread is never kept waiting for the write lock)."""
    with db.engine.connect() as connection:
        return list(connection.execute(select(apscheduler_jobs)))


def test_start_scheduler_persists_the_sweep_and_a_restart_replaces_it(app, monkeypatch):
    app.config["SCHEDULER_INTERVAL_SECONDS"] = 60
    app.config["WEBHOOK_INTERVAL_SECONDS"] = 5
    assert stored_jobs() == []

    before = time.time()
    scheduler = start_scheduler(app)
    try:
        rows = {row.id: row for row in stored_jobs()}
        assert sorted(rows) == sorted([SWEEP_JOB_ID, WEBHOOK_JOB_ID, MEMBER_IMPORT_JOB_ID])
        row = rows[SWEEP_JOB_ID]
        assert before + 59 <= row.next_run_time <= time.time() + 61
        state = pickle.loads(row.job_state)
        assert state["func"] == "app.scheduling.jobs:sweep"
        assert state["trigger"].interval.total_seconds() == 60
        assert state["coalesce"] is True
        assert state["max_instances"] == 1
        assert state["misfire_grace_time"] is None
        assert scheduler.get_job(SWEEP_JOB_ID).next_run_time.tzinfo is not None
        webhooks = pickle.loads(rows[WEBHOOK_JOB_ID].job_state)
        assert webhooks["func"] == "app.scheduling.jobs:deliver_webhooks"
        assert webhooks["trigger"].interval.total_seconds() == 5
        imports = pickle.loads(rows[MEMBER_IMPORT_JOB_ID].job_state)
        assert imports["func"] == "app.scheduling.jobs:member_imports"
    finally:
        scheduler.shutdown(wait=False)

    # Stopping the scheduler leaves the jobs where they are, for the next leader.
    kept = {row.id: row for row in stored_jobs()}
    assert kept[SWEEP_JOB_ID].job_state == row.job_state
    assert sorted(kept) == sorted(rows)

    # The next leader (or a restart with another interval) replaces the jobs, never adds more.
    app.config["SCHEDULER_INTERVAL_SECONDS"] = 120
    scheduler = start_scheduler(app)
    try:
        rows = {row.id: row for row in stored_jobs()}
        assert sorted(rows) == sorted([SWEEP_JOB_ID, WEBHOOK_JOB_ID, MEMBER_IMPORT_JOB_ID])
        assert pickle.loads(rows[SWEEP_JOB_ID].job_state)["trigger"].interval.total_seconds() == 120
        assert sorted(job.id for job in scheduler.get_jobs()) == sorted(rows)
    finally:
        scheduler.shutdown(wait=True)

    after = {row.id: row for row in stored_jobs()}
    assert sorted(after) == sorted([SWEEP_JOB_ID, WEBHOOK_JOB_ID, MEMBER_IMPORT_JOB_ID])
    assert datetime.fromtimestamp(after[SWEEP_JOB_ID].next_run_time, UTC) > datetime.now(UTC)


def test_the_scheduler_threads_run_the_jobs_in_the_apps_context(app, frozen_now, make_event):
    """No module holds the app: the pool's threads enter its context, so a stored job finds the
    database. Seen here as the half-yearly notice the first sweep queues."""
    at = notice_time(2026, 10, dt_time(10), "Asia/Tokyo")
    frozen_now(at)
    start = at + timedelta(days=14)
    make_event(kind=EventKind.SHARING_SESSION, starts_at=start, ends_at=start + timedelta(hours=2))
    make_member("member@pref.tottori.example.jp")
    app.config["SCHEDULER_INTERVAL_SECONDS"] = 60
    scheduler = start_scheduler(app)
    try:
        scheduler.get_job(SWEEP_JOB_ID).modify(next_run_time=datetime.now(UTC))

        def queued() -> bool:
            # A connection of its own, closed at once: on SQLite the sweep needs the write lock.
            with db.engine.connect() as connection:
                query = select(OutboxMessage.to_addr).where(
                    OutboxMessage.category == "half_year_notice"
                )
                return connection.scalar(query) == "member@pref.tottori.example.jp"

        assert eventually(queued, timeout=15, interval=0.3)
    finally:
        scheduler.shutdown(wait=True)
