"""Fixtures: an app on a freshly migrated database (SQLite, and PostgreSQL when configured),
a client that speaks CSRF, a controllable clock, and tests/factories.py's builders as fixtures."""

import os
import re
import shutil
import tempfile
from datetime import datetime
from pathlib import Path

# Before the app is imported: keep tests away from the developer's instance/ folder.
_INSTANCE = tempfile.mkdtemp(prefix="reskilling-test-instance-")
os.environ["INSTANCE_PATH"] = _INSTANCE
os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production")
os.environ.pop("DATABASE_URL", None)
os.environ.pop("MAIL_SERVER", None)

import pytest  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402

from app import clock, create_app  # noqa: E402
from app.extensions import db, limiter  # noqa: E402
from tests import factories  # noqa: E402
from tests.factories import NOW, ORGANIZER_PASSWORD  # noqa: E402, F401 (imported from here)


def _normalise_pg_url(url: str) -> str:
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def _migrate(url: str) -> None:
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with app.app_context():
        upgrade()
        db.engine.dispose()


class SqliteDatabases:
    """A migrated template file, copied for each test: fast, and each test has its own file."""

    name = "sqlite"

    def __init__(self, root: Path):
        self.template = root / "template.db"
        _migrate(f"sqlite:///{self.template}")

    def fresh(self, tmp_path: Path) -> str:
        target = tmp_path / "test.db"
        shutil.copyfile(self.template, target)
        return f"sqlite:///{target}"

    def clean(self) -> None:
        pass


class PostgresDatabases:
    """One migrated schema of this test run's own (so runs can share a server); every table is
    emptied after each test."""

    name = "postgresql"

    def __init__(self, url: str):
        base = _normalise_pg_url(url)
        self.schema = f"test_run_{os.getpid()}"
        self.admin = create_engine(base)
        with self.admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {self.schema} CASCADE"))
            conn.execute(text(f"CREATE SCHEMA {self.schema}"))
        separator = "&" if "?" in base else "?"
        self.url = f"{base}{separator}options=-csearch_path%3D{self.schema}"
        _migrate(self.url)

    def drop(self) -> None:
        with self.admin.begin() as conn:
            conn.execute(text(f"DROP SCHEMA IF EXISTS {self.schema} CASCADE"))
        self.admin.dispose()

    def fresh(self, tmp_path: Path) -> str:
        return self.url

    def clean(self) -> None:
        with self.admin.begin() as conn:
            tables = [
                row[0]
                for row in conn.execute(
                    text("SELECT tablename FROM pg_tables WHERE schemaname = :schema"),
                    {"schema": self.schema},
                )
                if row[0] != "alembic_version"
            ]
            if tables:
                quoted = ", ".join(f'{self.schema}."{t}"' for t in tables)
                conn.execute(text(f"TRUNCATE {quoted} RESTART IDENTITY CASCADE"))


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def databases(request, tmp_path_factory):
    if request.param == "sqlite":
        yield SqliteDatabases(tmp_path_factory.mktemp("sqlite"))
        return
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail("REQUIRE_POSTGRES=1 but TEST_DATABASE_URL is not set")
        pytest.skip(
            "PostgreSQL run skipped: set TEST_DATABASE_URL to run every test on PostgreSQL too"
        )
    databases = PostgresDatabases(url)
    yield databases
    databases.drop()


@pytest.fixture
def frozen_now(monkeypatch):
    """Freeze the app's clock at NOW; returns a setter to move it."""

    def set_now(moment: datetime) -> datetime:
        monkeypatch.setattr(clock, "frozen", moment)
        return moment

    set_now(NOW)
    return set_now


@pytest.fixture
def app_overrides():
    """Extra configuration for the app under test; a folder's conftest may override this."""
    return {}


@pytest.fixture
def app(databases, tmp_path, frozen_now, app_overrides):
    app = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": databases.fresh(tmp_path),
            "MAIL_SERVER": "",
            "MAIL_DEV_DIR": str(tmp_path / "mail"),
            "PUBLIC_BASE_URL": "https://reskilling.example.jp",
            "PUBLIC_FORM_RATE_LIMIT": "1000 per minute",
            "RATELIMIT_STORAGE_URI": "memory://",
            "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",  # scrypt costs ~0.2 s a hash
            # Tests move the clock by days for the domain's sake; the console's session timeouts
            # are tested with their real values in tests/admin/test_sessions.py.
            "SESSION_IDLE_SECONDS": 400 * 24 * 3600,
            "SESSION_MAX_AGE_SECONDS": 400 * 24 * 3600,
            **app_overrides,
        }
    )
    app.database_name = databases.name
    with app.app_context():
        # Each test counts from nothing: a window opened by an earlier test would say "wait 12
        # seconds" where this one expects a minute.
        limiter.reset()
        yield app
        db.session.remove()
        db.engine.dispose()
    databases.clean()


class CsrfClient:
    """The test client plus what a browser does: read the form's CSRF token, then post."""

    TOKEN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')

    def __init__(self, client):
        self.client = client

    def __getattr__(self, name):
        return getattr(self.client, name)

    def token(self, page_url: str) -> str:
        page = self.client.get(page_url)
        match = self.TOKEN.search(page.get_data(as_text=True))
        assert match, f"no CSRF token on {page_url} ({page.status_code})"
        return match.group(1)

    def submit(self, page_url: str, data: dict, action: str | None = None, **kwargs):
        """GET the page, then POST `data` with its CSRF token to `action` (default: the page)."""
        data = {"csrf_token": self.token(page_url), **data}
        return self.client.post(action or page_url, data=data, **kwargs)


@pytest.fixture
def client(app):
    return CsrfClient(app.test_client())


@pytest.fixture
def make_organizer(app):
    """factories.make_organizer, for tests that take it as a fixture."""
    return factories.make_organizer


def sign_in(client: "CsrfClient", organizer) -> "CsrfClient":
    """Sign `client` in to the console through the login form, as a browser would."""
    response = client.submit(
        "/admin/login", {"email": organizer.email, "password": ORGANIZER_PASSWORD}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


@pytest.fixture
def organizer_client(client, make_organizer):
    """A client signed in to the console as an organizer (not an admin)."""
    return sign_in(client, make_organizer())


@pytest.fixture
def admin_client(client, make_organizer):
    """A client signed in to the console as an admin."""
    return sign_in(client, make_organizer(role="admin"))


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def make_event(app):
    """factories.make_event: a published online event open for sign-up at NOW."""
    return factories.make_event


@pytest.fixture
def make_registration(app):
    """factories.make_registration: someone signed up through the service, committed."""
    return factories.make_registration


@pytest.fixture
def make_member(app):
    """factories.make_member: an active member of 鳥取県 who consented at the clock's now."""
    return factories.make_member
