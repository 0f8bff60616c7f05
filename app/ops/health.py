"""/healthz (the process answers) and /readyz (it can do its job: database, schema, worker, mail)."""

import time
from datetime import timedelta
from pathlib import Path

from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Blueprint, current_app, jsonify
from sqlalchemy import func, select, text

from app import clock
from app.extensions import db, limiter
from app.mail.outbox import OutboxMessage, OutboxStatus
from app.ops.models import WorkerHeartbeat
from app.scheduling.failures import current_failures

bp = Blueprint("ops", __name__)

MIGRATIONS = Path(__file__).resolve().parent.parent.parent / "migrations"


def _head_revision() -> str:
    """The newest migration in the repository (read once per app)."""
    heads = current_app.extensions.get("ops_migration_heads")
    if heads is None:
        heads = ScriptDirectory(str(MIGRATIONS)).get_heads()
        current_app.extensions["ops_migration_heads"] = heads
    return ",".join(sorted(heads))


def _limiter_storage_answers() -> bool:
    try:
        return bool(limiter.storage.check())
    except Exception:
        return False


@bp.route("/healthz")
def healthz():
    return jsonify(status="ok")


@bp.route("/readyz")
def readyz():
    """200 when everything below is fine, else 503 with the checks that failed."""
    config = current_app.config
    now = clock.now()
    checks: dict[str, dict] = {}
    started = time.perf_counter()
    try:
        db.session.execute(text("SELECT 1"))
        checks["database"] = {"ok": True, "ms": round((time.perf_counter() - started) * 1000, 1)}
    except Exception as error:
        db.session.rollback()
        checks["database"] = {"ok": False, "error": type(error).__name__}
        return jsonify(status="unavailable", checks=checks), 503

    # The session's own connection: on SQLite a second one would wait for this one's write lock.
    current = MigrationContext.configure(db.session.connection()).get_current_heads()
    head = _head_revision()
    checks["migrations"] = {
        "ok": ",".join(sorted(current)) == head,
        "current": list(current),
        "head": head,
    }

    last_beat = db.session.scalar(select(func.max(WorkerHeartbeat.seen_at)))
    max_age = timedelta(seconds=config["READY_WORKER_MAX_AGE_SECONDS"])
    checks["worker"] = {
        "ok": last_beat is not None and now - last_beat <= max_age,
        "last_seen": last_beat.isoformat() if last_beat else None,
    }

    backlog, oldest = db.session.execute(
        select(func.count(), func.min(OutboxMessage.created_at)).where(
            OutboxMessage.status.in_([OutboxStatus.QUEUED, OutboxStatus.SENDING])
        )
    ).one()
    oldest_age = (now - oldest).total_seconds() if oldest else 0
    checks["outbox"] = {
        "ok": backlog <= config["READY_OUTBOX_MAX_BACKLOG"]
        and oldest_age <= config["READY_OUTBOX_MAX_AGE_SECONDS"],
        "backlog": backlog,
        "oldest_age_seconds": round(oldest_age),
    }
    storage = current_app.config["RATELIMIT_STORAGE_URI"].split(":", 1)[0]
    checks["rate_limits"] = {
        "ok": _limiter_storage_answers(),
        "storage": storage,
        # In memory, each process counts alone (development; production refuses to start so).
        "shared": storage != "memory",
    }
    ready = all(check["ok"] for check in checks.values())
    # A failing job item is an alert, not unreadiness: taking the web servers out of rotation for
    # one event's stuck reminder would stop every sign-up. It is reported here and in /metrics.
    failures = current_failures()
    checks["jobs"] = {
        "ok": True,
        "alert": bool(failures),
        "failing_items": len(failures),
        "items": [
            {
                "job": failure.job,
                "item": failure.item_key,
                "error": failure.error,
                "attempts": failure.attempts,
                "first_failed_at": failure.first_failed_at.isoformat(),
                "last_failed_at": failure.last_failed_at.isoformat(),
                "next_retry_at": failure.next_retry_at.isoformat(),
            }
            for failure in failures
        ],
    }
    alerts = [f"jobs: {len(failures)} failing item(s)"] if failures else []
    return jsonify(status="ok" if ready else "unavailable", checks=checks, alerts=alerts), (
        200 if ready else 503
    )
