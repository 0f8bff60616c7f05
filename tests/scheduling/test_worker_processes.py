"""Two real `flask worker` processes on one PostgreSQL database: 1,000 queued messages reach the
SMTP server exactly once each, only one worker runs the scheduler, and when that one is killed
(SIGKILL: no clean-up of any kind) the other takes the scheduler over within seconds.

An integration test (real processes, about half a minute); it runs in `make test` whenever
TEST_DATABASE_URL is set. Select or skip it with `-m integration` / `-m "not integration"`.
"""

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from email.parser import BytesHeaderParser
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import func, select

from app import clock
from app.extensions import db
from app.mail.outbox import OutboxMessage, OutboxStatus, enqueue

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]  # the repository: wsgi.py is here
MESSAGES = 1000
DELIVERY_TIMEOUT = 120
TAKEOVER_TIMEOUT = 20  # the standby asks for the lock every 5 s (LEADER_CHECK_SECONDS)
LEADER_LINE = "scheduler active in this worker"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class MessageIdRecorder:
    """aiosmtpd handler: accepts everything and keeps the Message-ID of each message."""

    def __init__(self):
        self.lock = threading.Lock()
        self.message_ids: list[str] = []
        self.connections = 0

    async def handle_EHLO(self, server, session, envelope, hostname, responses):
        session.host_name = hostname
        with self.lock:
            self.connections += 1
        return responses

    async def handle_DATA(self, server, session, envelope):
        headers = BytesHeaderParser().parsebytes(envelope.original_content)
        with self.lock:
            self.message_ids.append(headers["Message-ID"].strip())
        return "250 Message accepted for delivery"


class Worker:
    """One `flask worker` process with its output in a file."""

    def __init__(self, name: str, env: dict, log_path: Path):
        self.name = name
        self.log_path = log_path
        self._log = open(log_path, "wb")  # noqa: SIM115 (closed in stop())
        self.process = subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "wsgi.py", "worker"],
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )

    @property
    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def alive(self) -> bool:
        return self.process.poll() is None

    def sent(self) -> int:
        return sum(int(n) for n in re.findall(r"sent (\d+) message\(s\)", self.log))

    def leads(self) -> bool:
        return LEADER_LINE in self.log

    def stop(self) -> None:
        if self.alive():
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self._log.close()


def wait_for(check, timeout: float, interval: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(interval)
    return check()


def sent_count() -> int:
    try:
        return db.session.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.status == OutboxStatus.SENT)
        )
    finally:
        db.session.rollback()


def logs(workers: list[Worker]) -> str:
    return "\n".join(f"--- {w.name} (exit {w.process.poll()}):\n{w.log[-3000:]}" for w in workers)


def test_two_worker_processes_deliver_each_message_once_and_hand_the_scheduler_over(
    app, databases, monkeypatch, tmp_path
):
    if databases.name != "postgresql":
        pytest.skip(
            "PostgreSQL only: several workers share the outbox through FOR UPDATE SKIP LOCKED "
            "and elect the scheduler with an advisory lock; SQLite is for a single worker"
        )
    monkeypatch.setattr(clock, "frozen", None)  # the workers live in real time; so do the rows

    for n in range(MESSAGES):
        enqueue(
            to_addr=f"member{n}@city.example.jp",
            to_name=f"山田 花子{n}",
            subject=f"【定期共有会のご案内】第{n}号",
            text_body=f"山田 花子{n} 様\n\n定期共有会のご案内です。\n",
            category="test",
        )
    db.session.commit()
    expected = set(db.session.scalars(select(OutboxMessage.message_id)))
    db.session.rollback()
    assert len(expected) == MESSAGES

    recorder = MessageIdRecorder()
    port = free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    env = {
        **os.environ,
        "DATABASE_URL": databases.url,
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": str(port),
        "MAIL_TIMEOUT": "10",
        "SECRET_KEY": os.environ["SECRET_KEY"],
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "WORKER_POLL_SECONDS": "0.2",
        "MAIL_BATCH_SIZE": "50",
        "PYTHONUNBUFFERED": "1",
        "SCHEDULER_INTERVAL_SECONDS": "60",
    }
    workers: list[Worker] = []
    started = time.monotonic()
    try:
        for name in ("worker-a", "worker-b"):
            workers.append(Worker(name, env, tmp_path / f"{name}.log"))

        def all_sent() -> bool:
            assert any(w.alive() for w in workers), "both workers exited:\n" + logs(workers)
            return sent_count() == MESSAGES

        assert wait_for(all_sent, DELIVERY_TIMEOUT, interval=0.5), (
            f"{sent_count()} of {MESSAGES} sent after {DELIVERY_TIMEOUT} s\n" + logs(workers)
        )
        delivered_in = time.monotonic() - started
        assert all(w.alive() for w in workers), logs(workers)

        # Every message reached the server exactly once, and nothing else did.
        counts = Counter(recorder.message_ids)
        assert set(counts) == expected
        assert [mid for mid, n in counts.items() if n != 1] == []
        assert len(recorder.message_ids) == MESSAGES
        # The workers' own accounts agree: each message was sent by one of them.
        assert wait_for(lambda: sum(w.sent() for w in workers) == MESSAGES, 5), logs(workers)

        # Exactly one of them runs the scheduler (each asked for the lock as it started).
        assert wait_for(lambda: any(w.leads() for w in workers), 10), logs(workers)
        leaders = [w for w in workers if w.leads()]
        assert len(leaders) == 1, logs(workers)
        [leader] = leaders
        [standby] = [w for w in workers if w is not leader]
        time.sleep(6)  # past the standby's next lock check: it still does not lead
        assert not standby.leads(), logs(workers)

        # The leader dies without a word; the standby takes over.
        leader.process.send_signal(signal.SIGKILL)
        leader.process.wait(timeout=10)
        killed = time.monotonic()
        assert wait_for(standby.leads, TAKEOVER_TIMEOUT), (
            f"no takeover within {TAKEOVER_TIMEOUT} s\n" + logs(workers)
        )
        took_over_in = time.monotonic() - killed
        assert standby.alive()
        assert standby.log.count(LEADER_LINE) == 1
        for worker in workers:
            assert "Traceback" not in worker.log, logs(workers)
        print(
            f"\nsent by {workers[0].name}: {workers[0].sent()}, by {workers[1].name}: "
            f"{workers[1].sent()}; {recorder.connections} SMTP connections; "
            f"first leader {leader.name}; all sent {delivered_in:.1f} s after the workers started; "
            f"takeover {took_over_in:.1f} s after SIGKILL"
        )
    finally:
        for worker in workers:
            worker.stop()
        controller.stop()
