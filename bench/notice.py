"""The half-yearly notice to 10,000 members, from queued to accepted by an SMTP sink, against the
same messages sent with plain smtplib over one connection, measured alongside.

The sink is aiosmtpd in a process of its own (bench/smtp_sink.py). The baseline's messages are
built once before its clock starts, so it measures the SMTP conversation alone; the outbox side
pays for everything the worker does: claiming, building each message, sending, and recording it.
Each round measures the baseline, then one worker, then two (the same notice queued again); the
ratio of a round is against that round's baseline, and the table gives the median of the rounds
and their range, because the sink's speed drifts on a shared machine.

SQLite always; PostgreSQL too when BENCH_DATABASE_URL is set. BENCH_NOTICE_MEMBERS sets the number
of members (default 10000), BENCH_NOTICE_ROUNDS the rounds (default 3). Each outbox run stops
after BENCH_NOTICE_BUDGET_SECONDS (default 120; 0 = no limit) so that `make bench` stays short
however slow delivery is; the rate is then over the batches that went out, and the table says so.
"""

import multiprocessing
import os
import signal
import smtplib
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from datetime import time as clock_time
from email.utils import parseaddr
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import func, select, update

from app import clock, create_app
from app.events.models import Event, EventKind, EventStatus
from app.extensions import db
from app.mail.delivery import deliver_due
from app.mail.dkim import message_bytes
from app.mail.outbox import OutboxMessage, OutboxStatus
from app.members.consent import CURRENT_VERSION
from app.members.models import Member, MemberStatus
from app.notices.schedule import notice_time
from app.notices.services import send_half_year_notice
from bench.databases import drop_schema, postgres_schema

MEMBERS = int(os.environ.get("BENCH_NOTICE_MEMBERS", "10000"))
ROUNDS = int(os.environ.get("BENCH_NOTICE_ROUNDS", "3"))
BUDGET = float(os.environ.get("BENCH_NOTICE_BUDGET_SECONDS", "120"))
BATCH = 200
# One worker, then two: several `flask worker` processes share one outbox (each message once).
WORKERS = (1, 2)
GOAL = 0.7
SINK = Path(__file__).with_name("smtp_sink.py")
SCHEMA = "bench_notice"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Sink:
    """The sink process; `accepted()` asks it how many messages it has taken so far."""

    def __init__(self):
        self.port = free_port()
        self.process = subprocess.Popen(
            [sys.executable, str(SINK), str(self.port)], stdout=subprocess.PIPE, text=True
        )
        line = self.process.stdout.readline().strip()
        if line != "ready":
            self.process.kill()
            raise RuntimeError(f"SMTP sink did not start: {line!r}")

    def _read_count(self) -> int:
        line = self.process.stdout.readline().strip()
        assert line.startswith("accepted "), line
        return int(line.split()[1])

    def accepted(self) -> int:
        self.process.send_signal(signal.SIGUSR1)
        return self._read_count()

    def stop(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        count = self._read_count()
        self.process.wait(timeout=10)
        return count


def build_app(url: str, port: int):
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": port,
            "MAIL_BATCH_SIZE": BATCH,
            "PUBLIC_BASE_URL": "https://reskilling.example.jp",
        }
    )
    with app.app_context():
        upgrade()
    return app


def add_members_and_session(send_at: datetime) -> None:
    consent = send_at - timedelta(days=200)
    db.session.add_all(
        Member(
            email=f"member{i}@city{i % 1700}.example.jp",
            name=f"山田 花子{i}",
            organization_name="鳥取県",
            status=MemberStatus.ACTIVE,
            consent_at=consent,
            consent_version=CURRENT_VERSION,
            confirmed_at=consent,
        )
        for i in range(MEMBERS)
    )
    starts = send_at + timedelta(days=30)
    db.session.add(
        Event(
            slug="sharing-2028-1",
            title="2028年度上期 定期共有会",
            description="各自治体の取り組みの共有",
            kind=EventKind.SHARING_SESSION,
            status=EventStatus.PUBLISHED,
            starts_at=starts,
            ends_at=starts + timedelta(hours=2),
        )
    )
    db.session.commit()


def baseline(port: int, envelope_from: str, prepared: list[tuple[str, bytes]]) -> float:
    """Plain smtplib, one connection, messages already built: seconds for all of them."""
    start = time.perf_counter()
    smtp = smtplib.SMTP("127.0.0.1", port, timeout=30)
    for to_addr, data in prepared:
        smtp.sendmail(envelope_from, [to_addr], data)
    smtp.quit()
    return time.perf_counter() - start


def _drain(app, go, budget_end) -> None:
    """One worker: deliver_due() batch after batch until nothing is due or the budget is spent."""
    with app.app_context():
        go.wait()
        while deliver_due() and time.monotonic() < budget_end:
            pass
        db.session.remove()


def through_outbox(app, workers: int) -> float:
    """Seconds for `workers` processes (forked, each with its own SMTP connection per batch, as
    several `flask worker`s would) to drain the outbox; the clock starts once all are ready."""
    context = multiprocessing.get_context("fork")
    go = context.Event()
    with app.app_context():
        db.engine.dispose()  # no pooled connection may be shared with the children
    budget_end = time.monotonic() + BUDGET if BUDGET else float("inf")
    children = [context.Process(target=_drain, args=(app, go, budget_end)) for _ in range(workers)]
    for child in children:
        child.start()
    time.sleep(0.5)  # let them reach go.wait()
    start = time.perf_counter()
    go.set()
    for child in children:
        child.join()
        assert child.exitcode == 0, child.exitcode
    return time.perf_counter() - start


def count_sent() -> int:
    return db.session.scalar(
        select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == "sent")
    )


def requeue() -> None:
    """Put the delivered notice back in the queue, to deliver the same messages again."""
    db.session.execute(
        update(OutboxMessage).values(
            status=OutboxStatus.QUEUED, sent_at=None, claimed_until=None, attempts=0
        )
    )
    db.session.commit()


@dataclass
class Report:
    database: str
    queue_seconds: float
    message_bytes: float
    baseline_rates: list[float] = field(default_factory=list)
    # workers -> [(messages/s, ratio to the round's baseline, messages sent)] per round
    rounds: dict[int, list[tuple[float, float, int]]] = field(default_factory=dict)


def measure(database: str, url: str, sink: Sink) -> Report:
    app = build_app(url, sink.port)
    # The first working day of April 2028 at 10:00 JST: when the notice is due.
    send_at = notice_time(2028, 4, clock_time(10), app.config["APP_TIMEZONE"]).astimezone(UTC)
    saved_clock = clock.frozen
    clock.frozen = send_at
    try:
        with app.app_context():
            add_members_and_session(send_at)
            start = time.perf_counter()
            queued = send_half_year_notice(clock.now())
            queue_seconds = time.perf_counter() - start
            assert queued == MEMBERS, (queued, MEMBERS)
            rows = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id))
            prepared = [(row.to_addr, message_bytes(row)) for row in rows]
            db.session.rollback()
            envelope_from = parseaddr(app.config["MAIL_DEFAULT_SENDER"])[1]
        report = Report(
            database, queue_seconds, sum(len(data) for _, data in prepared) / len(prepared)
        )
        for _ in range(ROUNDS):
            expected = sink.accepted() + MEMBERS
            baseline_rate = MEMBERS / baseline(sink.port, envelope_from, prepared)
            assert sink.accepted() == expected, (sink.accepted(), expected)
            report.baseline_rates.append(baseline_rate)
            for workers in WORKERS:
                seconds = through_outbox(app, workers)
                with app.app_context():
                    sent = count_sent()
                    requeue()  # the same notice again for the next run
                expected += sent
                assert sink.accepted() == expected, (sink.accepted(), expected)
                rate = sent / seconds
                report.rounds.setdefault(workers, []).append((rate, rate / baseline_rate, sent))
        with app.app_context():
            db.engine.dispose()
    finally:
        clock.frozen = saved_clock
    return report


def run() -> None:
    sink = Sink()
    try:
        reports = [measure("SQLite", f"sqlite:///{os.environ['INSTANCE_PATH']}/notice.db", sink)]
        pg = os.environ.get("BENCH_DATABASE_URL")
        if pg:
            try:
                reports.append(measure("PostgreSQL", postgres_schema(pg, SCHEMA), sink))
            finally:
                drop_schema(pg, SCHEMA)
        sink.stop()
    except BaseException:
        if sink.process.poll() is None:
            sink.process.kill()
        raise

    print(
        f"\nHalf-yearly notice: {MEMBERS} members, SMTP sink in its own process (127.0.0.1), "
        f"messages of {reports[0].message_bytes / 1024:.1f} KiB; {ROUNDS} rounds, each the "
        "baseline then the outbox; medians, and the range of the rounds' ratios"
    )
    print(f"{'what':<58} {'messages/s':>11} {'ratio':>6} {'range':>11}")
    for report in reports:
        print(f"{report.database}: queueing the notice took {report.queue_seconds:.1f} s")
        label = f"  smtplib, prepared bytes, one connection ({report.database})"
        print(f"{label:<58} {statistics.median(report.baseline_rates):>11.0f} {1:>6.2f}")
        for workers, rounds in report.rounds.items():
            rate = statistics.median(r for r, _, _ in rounds)
            ratios = [ratio for _, ratio, _ in rounds]
            ratio = statistics.median(ratios)
            verdict = "meets" if ratio >= GOAL else "BELOW"
            label = f"  outbox, {workers} worker process{'es' if workers > 1 else ''}, batches of {BATCH}"
            print(
                f"{label:<58} {rate:>11.0f} {ratio:>6.2f} {min(ratios):>5.2f}–{max(ratios):.2f}"
                f"  ({verdict} the goal of {GOAL})"
            )
            if any(sent < MEMBERS for _, _, sent in rounds):
                print(f"    stopped by BENCH_NOTICE_BUDGET_SECONDS={BUDGET:g} before the end")
