"""Sign-up at the floor of the stack: the product against bench/floor, a minimal app on the same
stack that does what a sign-up must, and against a bare endpoint served the same way.

A flow is what a browser does: GET the form (cookie and CSRF token), POST it with every part and
the first theme table, follow the redirect, GET the result page; each flow is a new visitor. The
same client drives all three apps, in process (Flask test client, one thread; per request ms and
SQL statements, counted by a before_cursor_execute listener) and under gunicorn with the
configuration of bench/load.py (server CPU per flow from /proc, flows/s, p50/p99). The bare flow
is three GETs of a constant. PostgreSQL rows run when BENCH_DATABASE_URL is set.
"""

import os
import re
import secrets
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine
from werkzeug.datastructures import MultiDict

from bench import floor
from bench.databases import drop_schema, postgres_schema
from bench.floor.models import create_database
from bench.load import (
    BARE_APP,
    CLIENTS,
    SECONDS,
    TOKEN,
    WARMUP_SECONDS,
    WORKERS,
    Browser,
    Failure,
    Gunicorn,
    Result,
    app_env,
    database_counts,
    drive,
)

FLOWS = int(os.environ.get("BENCH_FLOOR_FLOWS", "200"))
WARMUP_FLOWS = 20
SEATS = 100_000  # the most the product takes: every seat check runs, none refuses
INPUT = re.compile(r"<input\b[^>]*>")
ATTRIBUTE = re.compile(r'([\w-]+)="([^"]*)"')
STEPS = ("form", "post", "result")


def sign_up(send, path: str, email: str) -> None:
    """One visitor's sign-up through `send(method, path, form) -> (status, location, body)`."""
    status, _, page = send("GET", path, None)
    html = page.decode()
    match = TOKEN.search(html)
    if status != 200 or match is None:
        raise Failure(f"GET {path}: {status}{'' if match else ', no csrf_token'}")
    inputs = [dict(ATTRIBUTE.findall(tag)) for tag in INPUT.findall(html)]
    parts = [i["value"] for i in inputs if i.get("name") == "parts"]
    tables = [i["value"] for i in inputs if i.get("name") == "table"]
    if not parts or not tables:
        raise Failure(f"GET {path}: no parts or no tables on the form")
    form = [
        ("csrf_token", match.group(1)),
        ("name", "負荷 太郎"),
        ("email", email),
        ("organization", "鳥取県 鳥取市"),
        *(("parts", part) for part in parts),
        ("table", tables[0]),
        ("privacy", "y"),
    ]
    status, location, _ = send("POST", path, form)
    location = urlsplit(location).path
    if status != 302 or location != f"{path}/complete":
        raise Failure(f"POST {path}: {status} to {location or 'nowhere'}")
    status, _, page = send("GET", location, None)
    if status != 200 or email.encode() not in page:
        raise Failure(f"GET {location}: {status}")


def bare_flow(send) -> None:
    for _ in STEPS:
        status, _, body = send("GET", "/", None)
        if status != 200 or body != b"ok":
            raise Failure(f"GET /: {status}")


def http_send(browser: Browser):
    def send(method, path, form):
        response, body = browser.request(method, path, form)
        return response.status, response.getheader("Location") or "", body

    return send


def http_flow(port: int, action) -> None:
    browser = Browser(port)
    try:
        action(http_send(browser))
    finally:
        browser.close()


class Statements:
    """SQL statements sent to any database by this process, counted as they go."""

    def __init__(self):
        self.count = 0

    def _seen(self, *_args):
        self.count += 1

    def __enter__(self):
        event.listen(Engine, "before_cursor_execute", self._seen)
        return self

    def __exit__(self, *_exc):
        event.remove(Engine, "before_cursor_execute", self._seen)


@dataclass
class InProcess:
    """Per step (form, post, result): mean ms and statements; flows done, errors."""

    ms: list[float] = field(default_factory=lambda: [0.0] * len(STEPS))
    statements: list[float] = field(default_factory=lambda: [0.0] * len(STEPS))
    done: int = 0
    errors: int = 0

    @property
    def flow_ms(self) -> float:
        return sum(self.ms)


def in_process(app: Flask, action, flows: int = FLOWS) -> InProcess:
    """Run `action(send, n)` `flows` times, each with a new test client; warm up first."""
    for n in range(WARMUP_FLOWS):
        action(client_send(app.test_client()), f"warm{n}")
    result = InProcess()
    samples: list[tuple[float, int]] = []
    with Statements() as statements:
        for n in range(flows):
            samples.clear()
            try:
                action(client_send(app.test_client(), samples, statements), n)
            except Failure:
                result.errors += 1
                continue
            result.done += 1
            for step, (ms, count) in enumerate(samples):
                result.ms[step] += ms
                result.statements[step] += count
    for step in range(len(STEPS)):
        result.ms[step] /= result.done or 1
        result.statements[step] /= result.done or 1
    return result


def client_send(client, samples: list | None = None, statements: Statements | None = None):
    """`send()` on a Flask test client; each request's ms and statements go to `samples`."""

    def send(method, path, form):
        before = statements.count if statements else 0
        began = time.perf_counter()
        response = client.open(
            path,
            method=method,
            data=MultiDict(form) if form else None,
            headers={"Accept-Language": "ja"},
        )
        body = response.get_data()
        if samples is not None:
            ms = (time.perf_counter() - began) * 1000
            samples.append((ms, statements.count - before if statements else 0))
        return response.status_code, response.headers.get("Location", ""), body

    return send


def under_gunicorn(target: str, env: dict, log: Path, warm, action, pythonpath=None) -> Result:
    """`warm(send, n)` for WARMUP_SECONDS, then `action(send, n)` for SECONDS, from CLIENTS
    clients at once."""
    with Gunicorn(target, env, log, pythonpath) as server:
        port = server.port
        drive(CLIENTS, lambda n: http_flow(port, lambda s: warm(s, n)), seconds=WARMUP_SECONDS)
        result = drive(
            CLIENTS,
            lambda n: http_flow(port, lambda s: action(s, n)),
            seconds=SECONDS,
            server=server.process,
        )
        result.problems = server.problems()
    return result


def cpu_ms_per_flow(result: Result) -> float:
    return result.server_cpu * result.seconds / result.done * 1000 if result.done else float("nan")


# The product ------------------------------------------------------------------------------


def product_event(starts: datetime) -> dict:
    """An event as the product's API takes it: 第一部, 第二部 at theme tables, seats everywhere."""
    at = starts.isoformat
    return {
        "title": "セミナー＆情報交換会（ベンチマーク）",
        "starts_at": at(),
        "ends_at": (starts + timedelta(hours=2, minutes=30)).isoformat(),
        "capacity": SEATS,
        "status": "published",
        "parts": [
            {
                "title": "第一部 基調講演",
                "starts_at": at(),
                "ends_at": (starts + timedelta(hours=1)).isoformat(),
            },
            {
                "title": "第二部 情報交換会",
                "starts_at": (starts + timedelta(hours=1, minutes=10)).isoformat(),
                "ends_at": (starts + timedelta(hours=2, minutes=30)).isoformat(),
                "capacity": SEATS,
                "uses_tables": True,
            },
        ],
        "tables": [
            {"title": title, "capacity": SEATS}
            for title in ("企業・市民向け事業", "職員向け研修", "推進体制")
        ],
    }


def product_app(url: str, instance: Path) -> tuple[Flask, str]:
    """The product on a migrated database with one published event, made through its CLI and
    its API as an organizer would; the app and the event's slug."""
    from flask_migrate import upgrade

    from app import create_app

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "MAIL_SERVER": "",
            "MAIL_DEV_DIR": str(instance / "mail"),
            "PUBLIC_FORM_RATE_LIMIT": "1000000 per minute",
        }
    )
    with app.app_context():
        upgrade()
    runner = app.test_cli_runner()
    organizer = "bench@floor.example.jp"
    steps = [
        (["create-organizer", organizer], {"ORGANIZER_PASSWORD": secrets.token_urlsafe(24)}),
        (["create-api-token", organizer, "--name", "bench"], {}),
    ]
    for args, env in steps:
        with app.app_context():
            done = runner.invoke(args=args, env=env)
        if done.exit_code != 0:
            raise RuntimeError(f"flask {args[0]}: {done.output} {done.exception!r}")
    token = done.stdout.split()[0]
    starts = datetime.now(UTC).replace(microsecond=0) + timedelta(days=30)
    response = app.test_client().post(
        "/api/v1/events", json=product_event(starts), headers={"Authorization": f"Bearer {token}"}
    )
    if response.status_code != 201:
        raise RuntimeError(
            f"POST /api/v1/events: {response.status_code} {response.get_data()[:500]}"
        )
    return app, response.get_json()["slug"]


def _dispose(app: Flask) -> None:
    with app.app_context():
        app.extensions["sqlalchemy"].engine.dispose()


def floor_counts(url: str, domain: str) -> dict[str, int]:
    """The floor's registrations and outbox rows of the addresses at `domain`."""
    engine = create_engine(url)
    pattern = {"pattern": f"%@{domain}"}
    try:
        with engine.connect() as conn:
            rows = conn.scalar(
                text("SELECT count(*) FROM registrations WHERE email LIKE :pattern"), pattern
            )
            outbox = conn.scalar(
                text("SELECT count(*) FROM outbox_messages WHERE to_addr LIKE :pattern"), pattern
            )
    finally:
        engine.dispose()
    return {"registrations": rows, "outbox": outbox}


@dataclass
class Pair:
    """The floor and the product on one database."""

    label: str
    floor: InProcess = None
    product: InProcess = None
    floor_load: Result = None
    product_load: Result = None
    checks: list[str] = field(default_factory=list)


def measure_database(label: str, floor_url: str, product_url: str, workdir: Path, run_id: str):
    pair = Pair(label)
    for name in ("floor", "product"):
        (workdir / name).mkdir(parents=True, exist_ok=True)
    floor_app = floor.create_app({"SQLALCHEMY_DATABASE_URI": floor_url})
    floor_slug = create_database(floor_app, seats=SEATS, part_seats=SEATS, table_seats=SEATS)
    app, slug = product_app(product_url, workdir / "product")

    def flows(slug, domain):
        path = f"/events/{slug}/register"
        return lambda send, n: sign_up(send, path, f"{run_id}-{n}@{domain}")

    pair.floor = in_process(floor_app, flows(floor_slug, "inproc.example.jp"))
    _dispose(floor_app)
    pair.product = in_process(app, flows(slug, "inproc.example.jp"))
    _dispose(app)

    env = app_env(workdir / "floor", floor_url) | {"FLOOR_DATABASE_URL": floor_url}
    pair.floor_load = under_gunicorn(
        "bench.floor:create_app()",
        env,
        workdir / "floor" / "gunicorn.log",
        flows(floor_slug, "warm.example.jp"),
        flows(floor_slug, "load.example.jp"),
    )
    pair.product_load = under_gunicorn(
        "wsgi:app",
        app_env(workdir / "product", product_url),
        workdir / "product" / "gunicorn.log",
        flows(slug, "warm.example.jp"),
        flows(slug, "load.example.jp"),
    )
    stored = {
        "floor": floor_counts(floor_url, "load.example.jp"),
        "product": database_counts(product_url, slug, "load.example.jp"),
    }
    for name, load in (("floor", pair.floor_load), ("product", pair.product_load)):
        rows = stored[name]
        registrations = rows.get("registrations") or sum(
            count for status, count in rows.items() if status != "outbox"
        )
        if not registrations == rows["outbox"] == load.done:
            pair.checks.append(
                f"{label} {name}: {load.done} flows completed, {registrations} registrations"
                f" and {rows['outbox']} outbox rows stored"
            )
    return pair


def measure_bare(workdir: Path) -> tuple[InProcess, Result]:
    app = Flask("bare")
    app.add_url_rule("/", "index", lambda: "ok")
    inproc = in_process(app, lambda send, _n: bare_flow(send))
    module_dir = workdir / "bare"
    module_dir.mkdir(parents=True, exist_ok=True)
    (module_dir / "bench_bare_app.py").write_text(BARE_APP)
    load = under_gunicorn(
        "bench_bare_app:app",
        app_env(workdir, ""),
        workdir / "gunicorn-bare.log",
        lambda send, _n: bare_flow(send),
        lambda send, _n: bare_flow(send),
        module_dir,
    )
    return inproc, load


# The report -------------------------------------------------------------------------------


def _count(value: float) -> str:
    return f"{value:.0f}" if value == int(value) else f"{value:.1f}"


def _ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}" if b else "-"


def report(bare: tuple[InProcess, Result], pairs: list[Pair]) -> str:
    """Print the tables; return the closing line."""
    rows = [("bare Flask, 3 GETs", *bare)]
    for pair in pairs:
        rows.append((f"floor ({pair.label})", pair.floor, pair.floor_load))
        rows.append((f"product ({pair.label})", pair.product, pair.product_load))
    print(
        f"\nSign-up at the floor of the stack: the product, bench/floor (a minimal same-stack"
        f" app) and a bare endpoint\nflow = GET form + POST (parts, table) + GET result page, a"
        f" new visitor each; in process: test client, {FLOWS} flows, one thread;\nunder gunicorn:"
        f" {WORKERS} sync workers, {CLIENTS} clients, {SECONDS:.0f} s; cpu = gunicorn's CPU"
        " time per flow; SQL = statements per request"
    )
    print(
        f"{'what':<22} {'form':>6} {'post':>6} {'result':>6} {'flow ms':>7} {'SQL f/p/r':>9}"
        f" {'flows/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'cpu ms':>6} {'errors':>6}"
    )
    for label, inproc, load in rows:
        sql = "/".join(_count(n) for n in inproc.statements)
        errors = inproc.errors + sum(load.errors.values())
        print(
            f"{label:<22} {inproc.ms[0]:>6.2f} {inproc.ms[1]:>6.2f} {inproc.ms[2]:>6.2f}"
            f" {inproc.flow_ms:>7.2f} {sql:>9} {load.rate:>7.1f} {load.percentile(50):>7.1f}"
            f" {load.percentile(99):>7.1f} {cpu_ms_per_flow(load):>6.2f} {errors:>6}"
        )
    print(f"{'ratio':<28} {'flow ms':>8} {'cpu/flow':>8} {'flows/s':>8} {'p50':>6} {'SQL':>6}")
    bare_inproc, bare_load = bare
    for pair in pairs:
        for label, (a, a_load), (b, b_load) in (
            ("product ÷ floor", (pair.product, pair.product_load), (pair.floor, pair.floor_load)),
            ("floor ÷ bare", (pair.floor, pair.floor_load), (bare_inproc, bare_load)),
        ):
            sql = sum(a.statements)
            print(
                f"{label + ' (' + pair.label + ')':<28} {_ratio(a.flow_ms, b.flow_ms):>8}"
                f" {_ratio(cpu_ms_per_flow(a_load), cpu_ms_per_flow(b_load)):>8}"
                f" {_ratio(a_load.rate, b_load.rate):>8}"
                f" {_ratio(a_load.percentile(50), b_load.percentile(50)):>6}"
                f" {_ratio(sql, sum(b.statements)):>6}"
            )
    for label, _inproc, load in rows:
        for reason, count in load.errors.most_common(3):
            print(f"  {label}: {count} x {reason}")
        for problem, count in getattr(load, "problems", {}).items():
            print(f"  {label} gunicorn log: {count} x {problem}")
    for pair in pairs:
        for check in pair.checks:
            print(f"  FAILED: {check}")
    summary = [
        f"{pair.label.lower()} cpu {_ratio(cpu_ms_per_flow(pair.product_load), cpu_ms_per_flow(pair.floor_load))}"
        f" throughput {_ratio(pair.product_load.rate, pair.floor_load.rate)}"
        f" statements {_count(pair.product.statements[1])}"
        for pair in pairs
    ]
    return "floor: " + " | ".join(summary)


def run() -> None:
    workdir = Path(tempfile.mkdtemp(prefix="reskilling-floor-"))
    run_id = f"f{int(time.time())}"
    pg = os.environ.get("BENCH_DATABASE_URL")
    schemas = (f"bench_floor_{os.getpid()}", f"bench_floor_product_{os.getpid()}")
    started = time.perf_counter()
    try:
        bare = measure_bare(workdir)
        pairs = [
            measure_database(
                "SQLite",
                f"sqlite:///{workdir / 'floor.db'}",
                f"sqlite:///{workdir / 'product.db'}",
                workdir / "sqlite",
                run_id,
            )
        ]
        if pg:
            urls = [postgres_schema(pg, schema) for schema in schemas]
            pairs.append(measure_database("PostgreSQL", *urls, workdir / "postgresql", run_id))
    finally:
        if os.environ.get("BENCH_KEEP") != "1":
            shutil.rmtree(workdir, ignore_errors=True)
            if pg:
                for schema in schemas:
                    drop_schema(pg, schema)
    line = report(bare, pairs)
    print(f"  (floor benchmark took {time.perf_counter() - started:.0f} s)")
    print(line)
