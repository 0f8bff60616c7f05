"""/metrics in Prometheus' text format.

Counts come from the database, so every gunicorn worker answers the same totals; request latency
is this process's own histogram, labelled with its pid. Open to a bearer METRICS_TOKEN, or when none
is set, to requests from this machine only.
"""

import hmac
import os
import threading
from bisect import bisect_left

from flask import Blueprint, Response, abort, current_app, request
from sqlalchemy import func, select

from app import clock
from app.extensions import db
from app.mail.outbox import OutboxMessage, OutboxStatus
from app.registrations.models import Registration
from app.reminders.models import ReminderDelivery
from app.scheduling.failures import failing_counts
from app.scheduling.sweep import STEPS

bp = Blueprint("metrics", __name__)

BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)


class LatencyHistogram:
    """Request durations of this process, by endpoint."""

    def __init__(self):
        self.lock = threading.Lock()
        self.series: dict[str, list] = {}

    def observe(self, endpoint: str, seconds: float) -> None:
        with self.lock:
            counts, total = self.series.setdefault(endpoint, [[0] * (len(BUCKETS) + 1), 0.0])
            counts[bisect_left(BUCKETS, seconds)] += 1
            self.series[endpoint][1] = total + seconds

    def lines(self) -> list[str]:
        pid = os.getpid()
        out = [
            "# HELP http_request_duration_seconds Request latency of this worker process.",
            "# TYPE http_request_duration_seconds histogram",
        ]
        with self.lock:
            for endpoint, (counts, total) in sorted(self.series.items()):
                labels = f'endpoint="{endpoint}",pid="{pid}"'
                running = 0
                for bound, count in zip((*BUCKETS, "+Inf"), counts, strict=True):
                    running += count
                    out.append(
                        f'http_request_duration_seconds_bucket{{{labels},le="{bound}"}} {running}'
                    )
                out.append(f"http_request_duration_seconds_sum{{{labels}}} {total:.6f}")
                out.append(f"http_request_duration_seconds_count{{{labels}}} {running}")
        return out


latency = LatencyHistogram()


def _allowed() -> bool:
    token = current_app.config["METRICS_TOKEN"]
    if token:
        given = request.headers.get("Authorization", "").removeprefix("Bearer ").encode()
        return hmac.compare_digest(given, token.encode())
    return request.remote_addr in ("127.0.0.1", "::1")


def _gauge(
    name: str, help_text: str, samples: list[tuple[str, float]], kind: str = "gauge"
) -> list[str]:
    lines = [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}"]
    lines += [f"{name}{labels} {value}" for labels, value in samples]
    return lines


def _failing_items() -> dict[str, int]:
    """Every sweep step, 0 when nothing fails, so that an alert rule always has a series."""
    return {job: 0 for job in STEPS} | failing_counts()


@bp.route("/metrics")
def metrics():
    if not _allowed():
        abort(404)
    registrations = db.session.execute(
        select(Registration.status, func.count()).group_by(Registration.status)
    ).all()
    outbox = db.session.execute(
        select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
    ).all()
    oldest = db.session.scalar(
        select(func.min(OutboxMessage.next_attempt_at)).where(
            OutboxMessage.status == OutboxStatus.QUEUED
        )
    )
    lag = max((clock.now() - oldest).total_seconds(), 0) if oldest else 0
    reminders = db.session.scalar(
        select(func.count()).select_from(ReminderDelivery).where(ReminderDelivery.sent.is_(True))
    )
    lines = [
        *_gauge(
            "signups_total",
            "Registrations by status.",
            [(f'{{status="{status}"}}', count) for status, count in registrations],
            "counter",
        ),
        *_gauge(
            "mail_messages",
            "Outbox messages by status (queued, sending, sent, failed, withdrawn).",
            [(f'{{status="{status}"}}', count) for status, count in outbox],
        ),
        *_gauge(
            "mail_oldest_due_seconds",
            "How long the oldest due message has waited (delivery lag).",
            [("", round(lag, 1))],
        ),
        *_gauge("reminders_sent_total", "Reminders sent.", [("", reminders or 0)], "counter"),
        *_gauge(
            "jobs_failing_items",
            "Items of a scheduled job (an event's reminders, an announcement...) failing now.",
            [(f'{{job="{job}"}}', count) for job, count in _failing_items().items()],
        ),
        *latency.lines(),
    ]
    return Response("\n".join(lines) + "\n", mimetype="text/plain; version=0.0.4")
