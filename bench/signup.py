"""Sign-up path and outbox delivery, in process, against a bare Flask endpoint measured alongside.

Each row is compared with the bare Flask endpoint measured alongside it, so the ratio means the
same on a fast or a slow machine. PostgreSQL rows run when BENCH_DATABASE_URL is set.
Load under gunicorn with many clients is a separate benchmark (see the production issue).
"""

import os
import re
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from flask_migrate import upgrade

from app import create_app
from app.events.models import Event, EventStatus
from app.extensions import db
from app.mail.delivery import deliver_due
from bench.databases import postgres_schema

SIGNUPS = int(os.environ.get("BENCH_SIGNUPS", "400"))
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def build_app(url: str):
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "MAIL_SERVER": "",
            "MAIL_DEV_DIR": str(Path(os.environ["INSTANCE_PATH"]) / "mail"),
            "PUBLIC_FORM_RATE_LIMIT": "1000000 per minute",
            "MAIL_BATCH_SIZE": 200,
        }
    )
    app.add_url_rule("/bare", "bare", lambda: "ok")
    with app.app_context():
        upgrade()
        now = datetime.now(UTC)
        db.session.add(
            Event(
                slug="bench",
                title="ベンチマーク",
                starts_at=now + timedelta(days=30),
                ends_at=now + timedelta(days=30, hours=2),
                status=EventStatus.PUBLISHED,
                capacity=SIGNUPS // 2,
            )
        )
        db.session.commit()
    return app


def rate(count: int, action) -> float:
    start = time.perf_counter()
    for i in range(count):
        action(i)
    return count / (time.perf_counter() - start)


def measure(label: str, url: str) -> list[tuple[str, float]]:
    app = build_app(url)
    client = app.test_client()
    token = TOKEN.search(client.get("/events/bench/register").get_data(as_text=True)).group(1)

    def bare(_i):
        assert client.get("/bare").status_code == 200

    def sign_up(i):
        response = client.post(
            "/events/bench/register",
            data={
                "csrf_token": token,
                "name": f"参加者{i}",
                "email": f"p{i}@city.example.jp",
                "organization": "鳥取県",
                "privacy": "y",
            },
        )
        assert response.status_code == 302, response.status_code

    rows = [(f"bare Flask endpoint ({label})", rate(SIGNUPS, bare))]
    rows.append((f"sign-up form POST ({label})", rate(SIGNUPS, sign_up)))
    with app.app_context():
        start = time.perf_counter()
        sent = 0
        while batch := deliver_due():
            sent += batch
        rows.append((f"outbox -> dev mailbox ({label})", sent / (time.perf_counter() - start)))
        db.engine.dispose()
    return rows


def run() -> None:
    rows = measure("SQLite", f"sqlite:///{os.environ['INSTANCE_PATH']}/bench.db")
    pg = os.environ.get("BENCH_DATABASE_URL")
    if pg:
        rows += measure("PostgreSQL", postgres_schema(pg, "bench"))
    baseline = rows[0][1]
    print(
        f"\nSign-up: {SIGNUPS} requests each, in-process test client; ratio = rate / bare endpoint"
    )
    print(f"{'what':<40} {'per second':>12} {'ratio':>8}")
    for label, value in rows:
        if label.startswith("bare"):
            baseline = value
        print(f"{label:<40} {value:>12.0f} {value / baseline:>8.2f}")
