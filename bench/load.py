"""Load under gunicorn: browser-like sign-ups from many clients, against a bare Flask endpoint
served by the same gunicorn configuration in the same run, and a burst at a 100-seat event.

A sign-up is what a browser does: GET the form (a session cookie and a CSRF token), POST it, follow
the redirect to the completion page. Each sign-up is a new visitor with an empty cookie jar. The
load generator is Python threads on this machine, so it shares the cores with gunicorn; the cpu
columns say how many cores the client, gunicorn and the whole machine kept busy (others' processes
included: read a run whose machine column is near the core count while the server's is not as
noisy). PostgreSQL rows run when BENCH_DATABASE_URL is set.
"""

import http.client
import itertools
import json
import os
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from sqlalchemy import create_engine, text

from bench.databases import drop_schema, postgres_schema

ROOT = Path(__file__).resolve().parent.parent
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "32"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "10"))
WARMUP_SECONDS = float(os.environ.get("BENCH_WARMUP_SECONDS", "3"))
WORKERS = int(os.environ.get("BENCH_GUNICORN_WORKERS", "4"))
BURST_SIGNUPS = int(os.environ.get("BENCH_BURST_SIGNUPS", "2000"))
BURST_THREADS = int(os.environ.get("BENCH_BURST_THREADS", "200"))
BURST_SEATS = 100
SCHEMA = f"bench_load_{os.getpid()}"  # two runs at once must not share one
LOAD_SLUG = "load"
BURST_SLUG = "burst"
TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
FIELD_ERROR = re.compile(r'<p class="error"[^>]*>(.*?)</p>', re.S)

BARE_APP = '''"""A bare Flask endpoint: the ceiling of this gunicorn configuration."""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def index():
    return "ok"
'''

EVENT_SNIPPET = f"""
from datetime import UTC, datetime, timedelta

from app.events.models import Event, EventStatus
from app.extensions import db
from wsgi import app

with app.app_context():
    now = datetime.now(UTC)
    for slug, capacity in (("{LOAD_SLUG}", 10_000_000), ("{BURST_SLUG}", {BURST_SEATS})):
        db.session.add(
            Event(
                slug=slug,
                title="負荷試験 " + slug,
                starts_at=now + timedelta(days=30),
                ends_at=now + timedelta(days=30, hours=2),
                status=EventStatus.PUBLISHED,
                capacity=capacity,
            )
        )
    db.session.commit()
"""


class Failure(Exception):
    """A step of a sign-up that a browser would have seen go wrong."""


class Browser:
    """One visitor: a connection to the server and a cookie jar of its own."""

    def __init__(self, port: int):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None):
        headers = {"Accept-Language": "ja"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException) as error:
            self.connection.close()
            raise Failure(f"{method} {path}: {type(error).__name__}") from error
        for header in response.msg.get_all("Set-Cookie") or ():
            jar = SimpleCookie()
            jar.load(header)
            for name, morsel in jar.items():
                if morsel["max-age"] == "0" or "1970" in morsel["expires"]:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.coded_value
        if not 200 <= response.status < 400:
            raise Failure(f"{method} {path}: {response.status}{_field_errors(data)}")
        return response, data

    def close(self) -> None:
        self.connection.close()


def _field_errors(data: bytes) -> str:
    errors = FIELD_ERROR.findall(data.decode("utf-8", "replace"))
    return f" ({'; '.join(e.strip() for e in errors)[:120]})" if errors else ""


def sign_up(port: int, slug: str, email: str) -> None:
    """GET the form, POST it with its CSRF token, follow the redirect to the completion page."""
    browser = Browser(port)
    try:
        path = f"/events/{slug}/register"
        response, page = browser.request("GET", path)
        if response.status != 200:
            raise Failure(f"GET {path}: {response.status}")
        match = TOKEN.search(page.decode())
        if match is None:
            raise Failure(f"GET {path}: no csrf_token in the page")
        form = {
            "csrf_token": match.group(1),
            "name": "負荷 太郎",
            "email": email,
            "organization": "鳥取県",
            "privacy": "y",
        }
        response, _ = browser.request("POST", path, form)
        location = urlsplit(response.getheader("Location") or "").path
        if response.status != 302 or location != f"{path}/complete":
            raise Failure(f"POST {path}: {response.status} to {location or 'nowhere'}")
        response, page = browser.request("GET", location)
        if response.status != 200 or email.encode() not in page:
            where = urlsplit(response.getheader("Location") or "").path
            raise Failure(f"GET {location}: {response.status} {where or 'without the address'}")
    finally:
        browser.close()


def bare_get(port: int) -> None:
    browser = Browser(port)
    try:
        response, body = browser.request("GET", "/")
        if response.status != 200 or body != b"ok":
            raise Failure(f"GET /: {response.status}")
    finally:
        browser.close()


@dataclass
class Result:
    done: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)
    errors: Counter = field(default_factory=Counter)
    client_cpu: float = 0.0  # cores the load generator kept busy
    server_cpu: float = 0.0  # cores gunicorn kept busy
    machine_cpu: float = 0.0  # cores busy on the whole machine: us, gunicorn, the database, others

    @property
    def rate(self) -> float:
        return self.done / self.seconds if self.seconds else 0.0

    def percentile(self, p: int) -> float:
        if len(self.latencies) < 2:
            return self.latencies[0] if self.latencies else float("nan")
        return statistics.quantiles(self.latencies, n=100, method="inclusive")[p - 1]


def drive(threads: int, action, *, seconds: float = 0, total: int = 0, server=None) -> Result:
    """Call action(n) from `threads` threads released at once, n = 0, 1, 2...: for `seconds`,
    or until `total` calls are done. `server`: the gunicorn process, to measure its CPU.

    Returns a Result: completed actions per second, latencies in ms, errors by reason.
    """
    assert seconds or total, "a duration or a count"
    result = Result()
    lock = threading.Lock()
    start_gate = threading.Barrier(threads + 1)
    deadline = [0.0]
    numbers = itertools.count()

    def next_number() -> int | None:
        with lock:
            n = next(numbers)
        if (seconds and time.perf_counter() >= deadline[0]) or (total and n >= total):
            return None
        return n

    def client() -> None:
        latencies, errors = [], Counter()
        start_gate.wait()
        while (n := next_number()) is not None:
            began = time.perf_counter()
            try:
                action(n)
            except Failure as failure:
                errors[str(failure)] += 1
            except Exception as error:  # a bug in the client must show, not end the run
                errors[f"client: {type(error).__name__}: {error}"] += 1
            else:
                latencies.append((time.perf_counter() - began) * 1000)
        with lock:
            result.latencies += latencies
            result.errors.update(errors)

    pool = [threading.Thread(target=client, daemon=True) for _ in range(threads)]
    for thread in pool:
        thread.start()
    cpu_before, server_before, machine_before = _own_cpu(), _tree_cpu(server), _machine_cpu()
    began = time.perf_counter()
    deadline[0] = began + seconds
    start_gate.wait()
    for thread in pool:
        thread.join()
    result.seconds = time.perf_counter() - began
    result.done = len(result.latencies)
    result.client_cpu = (_own_cpu() - cpu_before) / result.seconds
    result.server_cpu = (_tree_cpu(server) - server_before) / result.seconds
    result.machine_cpu = (_machine_cpu() - machine_before) / result.seconds
    return result


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _machine_cpu() -> float:
    """CPU seconds spent by every process on the machine (Linux /proc/stat; 0 elsewhere)."""
    try:
        fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    except OSError:
        return 0.0
    busy = sum(int(v) for v in fields[:8]) - int(fields[3]) - int(fields[4])  # minus idle, iowait
    return busy / os.sysconf("SC_CLK_TCK")


def _tree_cpu(process) -> float:
    """CPU seconds of gunicorn's master and its workers (Linux /proc; 0 elsewhere)."""
    if process is None:
        return 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    try:
        pids = [process.pid]
        children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
        pids += [int(pid) for pid in children]
        for pid in pids:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            # utime, stime; cutime and cstime too, which hold workers recycled by max_requests.
            total += sum(int(value) for value in fields[11:15]) / ticks
    except (OSError, ValueError, IndexError):
        pass
    return total


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _executable(name: str) -> list[str]:
    script = Path(sys.executable).with_name(name)
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", name]


class Gunicorn:
    """gunicorn with the project's gunicorn.conf.py, as a child process; stopped on exit."""

    def __init__(self, target: str, env: dict, log: Path, pythonpath: Path | None = None):
        self.port = free_port()
        self.log = log
        self.env = {
            **env,
            "GUNICORN_BIND": f"127.0.0.1:{self.port}",
            "GUNICORN_WORKERS": str(WORKERS),
        }
        # gunicorn 27 opens a control socket, by default one per user (~/.gunicorn/gunicorn.ctl):
        # ours goes beside the log so that it never takes over another instance's.
        self.command = [
            *_executable("gunicorn"),
            "-c",
            str(ROOT / "gunicorn.conf.py"),
            "--control-socket",
            str(log.with_suffix(".ctl")),
        ]
        if pythonpath:
            self.command += ["--pythonpath", str(pythonpath)]
        self.command.append(target)
        self.process = None
        self._log_file = None

    def __enter__(self):
        self._log_file = self.log.open("ab")
        self.process = subprocess.Popen(
            self.command, cwd=ROOT, env=self.env, stdout=self._log_file, stderr=self._log_file
        )
        try:
            self._wait_until_ready()
        except BaseException:
            self.__exit__(None, None, None)
            raise
        return self

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}: {self.tail()}")
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    # Every worker must have forked, not just the master's socket; the warm-up
                    # that follows lets them finish importing the app.
                    if self.booted() >= WORKERS:
                        return
            except OSError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"gunicorn did not answer within 60 s: {self.tail()}")

    def booted(self) -> int:
        return self.log.read_text(errors="replace").count("Booting worker")

    def __exit__(self, *_exc):
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=35)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        if self._log_file:
            self._log_file.close()

    def tail(self, lines: int = 20) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def problems(self) -> Counter:
        """What in gunicorn's log means something went wrong: worker errors, 4xx/5xx answers."""
        found = Counter()
        for line in self.log.read_text(errors="replace").splitlines():
            if line.startswith("{"):
                try:
                    entry = json.loads(line)
                except ValueError:
                    continue
                status = entry.get("status", 200)
                if entry.get("level") in ("ERROR", "CRITICAL") or status >= 400:
                    found[f"{entry.get('method', '')} {entry.get('route', '')} {status}"] += 1
                continue
            for marker in ("Traceback", "WORKER TIMEOUT", "[ERROR]", "[CRITICAL]"):
                if marker in line:
                    found[marker] += 1
        return found


def app_env(instance: Path, url: str) -> dict:
    """The app's environment under gunicorn: a fixed key, no SMTP, no practical rate limit."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GUNICORN_", "APP_ENV"))}
    env.update(
        {
            "SECRET_KEY": "bench-load-secret",
            "INSTANCE_PATH": str(instance),
            "DATABASE_URL": url,
            "PUBLIC_FORM_RATE_LIMIT": "1000000 per minute",
            "MAIL_SERVER": "",
            "GUNICORN_LOG_LEVEL": "info",
        }
    )
    return env


def prepare_database(env: dict) -> None:
    """Migrate to head and create the two published events, each in its own process."""
    for command in (
        [*_executable("flask"), "--app", "wsgi.py", "db", "upgrade"],
        [sys.executable, "-c", EVENT_SNIPPET],
    ):
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(f"{' '.join(command[:4])} failed:\n{done.stderr[-2000:]}")


def database_counts(url: str, slug: str, domain: str) -> dict[str, int]:
    """Registrations by status and outbox rows, of the addresses at `domain` only."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            counts = dict(
                conn.execute(
                    text(
                        "SELECT r.status, count(*) FROM registrations r"
                        " JOIN events e ON e.id = r.event_id"
                        " WHERE e.slug = :slug AND r.email LIKE :pattern GROUP BY r.status"
                    ),
                    {"slug": slug, "pattern": f"%@{domain}"},
                ).all()
            )
            counts["outbox"] = conn.scalar(
                text("SELECT count(*) FROM outbox_messages WHERE to_addr LIKE :pattern"),
                {"pattern": f"%@{domain}"},
            )
    finally:
        engine.dispose()
    return counts


def measure_database(
    label: str, url: str, instance: Path, run_id: str, with_load: bool = True
) -> dict:
    """The sign-up load, then the burst, against one database under one gunicorn (only the
    burst without `with_load`)."""
    instance.mkdir(parents=True, exist_ok=True)
    env = app_env(instance, url)
    prepare_database(env)
    with Gunicorn("wsgi:app", env, instance / "gunicorn.log") as server:
        port = server.port

        def warm_signup(n: int) -> None:
            sign_up(port, LOAD_SLUG, f"{run_id}-{n}@warm.example.jp")

        def load_signup(n: int) -> None:
            sign_up(port, LOAD_SLUG, f"{run_id}-{n}@load.example.jp")

        def burst_signup(n: int) -> None:
            sign_up(port, BURST_SLUG, f"{run_id}-{n}@burst.example.jp")

        drive(CLIENTS, warm_signup, seconds=WARMUP_SECONDS)
        load = (
            drive(CLIENTS, load_signup, seconds=SECONDS, server=server.process)
            if with_load
            else Result()
        )
        threads = min(BURST_THREADS, BURST_SIGNUPS)
        burst = drive(threads, burst_signup, total=BURST_SIGNUPS, server=server.process)
        problems = server.problems()
    return {
        "label": label,
        "load": load,
        "burst": burst,
        "load_rows": database_counts(url, LOAD_SLUG, "load.example.jp"),
        "burst_rows": database_counts(url, BURST_SLUG, "burst.example.jp"),
        "problems": problems,
    }


def measure_bare(workdir: Path) -> Result:
    """The same gunicorn configuration serving a constant: this machine's ceiling."""
    module_dir = workdir / "bare"
    module_dir.mkdir(parents=True, exist_ok=True)
    (module_dir / "bench_bare_app.py").write_text(BARE_APP)
    env = app_env(workdir, "")
    with Gunicorn("bench_bare_app:app", env, workdir / "gunicorn-bare.log", module_dir) as server:
        port = server.port
        drive(CLIENTS, lambda _n: bare_get(port), seconds=WARMUP_SECONDS)
        return drive(CLIENTS, lambda _n: bare_get(port), seconds=SECONDS, server=server.process)


def _ms(value: float) -> str:
    return f"{value:>8.1f}"


def _errors(result: Result) -> int:
    return sum(result.errors.values())


def run(with_load: bool = True) -> None:
    """The load and the burst; `python -m bench burst` runs only the burst (bare row empty)."""
    workdir = Path(tempfile.mkdtemp(prefix="reskilling-load-"))
    run_id = f"r{int(time.time())}"
    pg = os.environ.get("BENCH_DATABASE_URL")
    started = time.perf_counter()
    try:
        bare = measure_bare(workdir) if with_load else Result()
        sqlite_url = f"sqlite:///{workdir / 'sqlite' / 'app.db'}"
        reports = [measure_database("SQLite", sqlite_url, workdir / "sqlite", run_id, with_load)]
        if pg:
            url = postgres_schema(pg, SCHEMA)
            reports.append(
                measure_database("PostgreSQL", url, workdir / "postgres", run_id, with_load)
            )
    finally:
        if os.environ.get("BENCH_KEEP") != "1":
            shutil.rmtree(workdir, ignore_errors=True)
            if pg:
                drop_schema(pg, SCHEMA)

    if with_load:
        print(
            f"\nLoad under gunicorn ({WORKERS} sync workers), {CLIENTS} Python client threads, "
            f"{SECONDS:.0f} s each; a sign-up is GET form + POST + GET completion page by a new visitor;"
            "\nratio = rate / bare endpoint; cpu = cores busy (client: this process, server: gunicorn,"
            " machine: everything, the database included)"
        )
        print(
            f"{'what':<30} {'per second':>10} {'ratio':>6} {'p50 ms':>8} {'p95 ms':>8} "
            f"{'p99 ms':>8} {'errors':>6} {'client':>6} {'server':>6} {'machine':>7}"
        )
        rows = [("bare Flask endpoint, one GET", bare)]
        rows += [(f"sign-up ({report['label']})", report["load"]) for report in reports]
        for label, result in rows:
            print(
                f"{label:<30} {result.rate:>10.1f} {result.rate / bare.rate:>6.3f} "
                f"{_ms(result.percentile(50))} {_ms(result.percentile(95))} "
                f"{_ms(result.percentile(99))} {_errors(result):>6} {result.client_cpu:>6.2f} "
                f"{result.server_cpu:>6.2f} {result.machine_cpu:>7.2f}"
            )

    print(
        f"\nBurst: {BURST_SIGNUPS} sign-ups from {BURST_THREADS} threads released at once at a "
        f"{BURST_SEATS}-seat event; drain = until the last completion page; rows read from the database"
    )
    print(
        f"{'database':<11} {'drain s':>7} {'per s':>6} {'p50 ms':>8} {'max ms':>8} {'errors':>6} "
        f"{'confirmed':>9} {'waitlisted':>10} {'outbox':>6}  check"
    )
    failed = []
    for report in reports:
        burst, rows = report["burst"], report["burst_rows"]
        confirmed, waitlisted = rows.get("confirmed", 0), rows.get("waitlisted", 0)
        checks = {
            "errors": _errors(burst) == 0,
            "confirmed": confirmed == BURST_SEATS,
            "registrations": confirmed + waitlisted == BURST_SIGNUPS,
            "outbox": rows["outbox"] == BURST_SIGNUPS,
        }
        bad = [name for name, ok in checks.items() if not ok]
        print(
            f"{report['label']:<11} {burst.seconds:>7.1f} {burst.rate:>6.1f} "
            f"{_ms(burst.percentile(50))} {_ms(max(burst.latencies, default=0))} "
            f"{_errors(burst):>6} {confirmed:>9} {waitlisted:>10} {rows['outbox']:>6}  "
            f"{'FAILED: ' + ', '.join(bad) if bad else 'ok'}"
        )
        failed += [f"{report['label']} burst: {name}" for name in bad]
        load, rows = report["load"], report["load_rows"]
        stored = sum(count for status, count in rows.items() if status != "outbox")
        if not stored == rows["outbox"] == load.done:
            failed.append(
                f"{report['label']} load: {load.done} sign-ups completed, {stored} registrations"
                f" and {rows['outbox']} outbox rows stored"
            )

    for label, result in [("bare", bare)] + [
        (f"{r['label']} {name}", r[name]) for r in reports for name in ("load", "burst")
    ]:
        for reason, count in result.errors.most_common(5):
            print(f"  {label}: {count} x {reason}")
    for report in reports:
        for problem, count in report["problems"].most_common(5):
            print(f"  {report['label']} gunicorn log: {count} x {problem}")
    for failure in failed:
        print(f"  FAILED: {failure}")
    print(f"  (load benchmark took {time.perf_counter() - started:.0f} s)")
