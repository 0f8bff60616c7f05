"""The calendar feed with 1,000 published events: a full build, and the 304 answer to a poller
that already has it, against a bare Flask endpoint measured alongside."""

import os
import time
from datetime import UTC, datetime, timedelta

from flask_migrate import upgrade

from app import create_app
from app.events.models import Event, EventPart, EventStatus
from app.extensions import db

EVENTS = int(os.environ.get("BENCH_FEED_EVENTS", "1000"))
ROUNDS = int(os.environ.get("BENCH_FEED_ROUNDS", "20"))


def timed(count: int, action) -> float:
    """Mean milliseconds per call."""
    start = time.perf_counter()
    for _ in range(count):
        action()
    return (time.perf_counter() - start) * 1000 / count


def run() -> None:
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{os.environ['INSTANCE_PATH']}/feed.db"}
    )
    app.add_url_rule("/bare", "bare", lambda: "ok")
    with app.app_context():
        upgrade()
        start = datetime(2027, 4, 1, 1, 0, tzinfo=UTC)
        for i in range(EVENTS):
            begins = start + timedelta(days=i)
            db.session.add(
                Event(
                    slug=f"event-{i}",
                    title=f"定期共有会 第{i}回",
                    description="説明；改行\nあり、カンマ,",
                    starts_at=begins,
                    ends_at=begins + timedelta(hours=2),
                    status=EventStatus.PUBLISHED,
                    parts=[
                        EventPart(title="第一部 基調講演"),
                        EventPart(title="第二部 情報交換会"),
                    ],
                )
            )
        db.session.commit()
    client = app.test_client()
    first = client.get("/calendar.ics")
    assert first.status_code == 200 and first.data.count(b"BEGIN:VEVENT") == EVENTS
    etag = first.headers["ETag"]

    def bare():
        assert client.get("/bare").status_code == 200

    def full():
        app.extensions["calendar_feed_cache"].clear()  # what the first poller after a change pays
        assert client.get("/calendar.ics").status_code == 200

    def cached():
        assert client.get("/calendar.ics").status_code == 200

    def not_modified():
        assert client.get("/calendar.ics", headers={"If-None-Match": etag}).status_code == 304

    rows = [
        ("bare Flask endpoint", timed(ROUNDS * 10, bare)),
        (
            f"/calendar.ics, full build ({EVENTS} events, {len(first.data) // 1024} KiB)",
            timed(ROUNDS, full),
        ),
        ("/calendar.ics, unchanged, built before", timed(ROUNDS * 10, cached)),
        ("/calendar.ics, 304 with If-None-Match", timed(ROUNDS * 10, not_modified)),
    ]
    baseline = rows[0][1]
    print("\nCalendar feed: SQLite, in-process test client; ratio = time / bare endpoint")
    print(f"{'what':<58} {'ms per request':>15} {'ratio':>8}")
    for label, ms in rows:
        print(f"{label:<58} {ms:>15.2f} {ms / baseline:>8.1f}")
