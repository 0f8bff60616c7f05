"""GET never writes: every GET route of the URL map, fetched with real values as a visitor, as a
signed-in admin and with an API token, issues no INSERT, UPDATE or DELETE, with two kinds of
bookkeeping named here and nowhere else:

- the access record a read of personal data leaves in the audit log (console exports, API lists
  and reads of registrations and members), which the law on personal information expects;
- an API token's `last_used_at`, written at most once per resolution period.

The rules come from the app's URL map, so a page added later is checked too.
"""

import re

from sqlalchemy import event

from app.extensions import db
from tests.conftest import ORGANIZER_PASSWORD
from tests.test_hostile_inputs import _rules, fill, world  # noqa: F401  (world is a fixture)

WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)
ACCESS_RECORD = re.compile(r"^\s*INSERT INTO audit_entries\b", re.IGNORECASE)
TOKEN_USED = re.compile(r"^\s*UPDATE api_tokens SET last_used_at\b", re.IGNORECASE)
READ_ACTION = re.compile(r"^(export\.\w+|\w+\.api_(list|read))$")
# Routes whose GET ends a session or is a redirect to one; they write nothing either, but
# following them would end the walk.
SKIPPED = {"/admin/logout"}


def _values(params) -> list:
    return list(params.values()) if isinstance(params, dict) else list(params or ())


def _writes_of(app, client, url: str, headers: dict) -> list[str]:
    seen: list[str] = []

    def look(_conn, _cursor, statement, params, _context, _many):
        if not WRITE.match(statement) or TOKEN_USED.match(statement):
            return
        # An access record is allowed; any other audit entry would record a change.
        if ACCESS_RECORD.match(statement) and any(
            isinstance(value, str) and READ_ACTION.match(value) for value in _values(params)
        ):
            return
        seen.append(statement.split("\n")[0][:100])

    event.listen(db.engine, "before_cursor_execute", look)
    try:
        with app.app_context():
            client.get(url, headers=headers).close()
    finally:
        event.remove(db.engine, "before_cursor_execute", look)
    return seen


def _walk(app, client, values: dict, api: bool, headers: dict | None = None) -> list[str]:
    found = []
    for rule, method, endpoint in _rules():
        if method != "GET" or endpoint == "static" or rule in SKIPPED:
            continue
        if rule.startswith("/api/") != api:
            continue
        url = fill(rule, values)
        for statement in _writes_of(app, client, url, headers or {}):
            found.append(f"GET {url}: {statement}")
    return found


def test_a_visitors_gets_write_nothing(app, client, world):  # noqa: F811
    assert _walk(app, client, world, api=False) == []


def test_an_admins_gets_write_nothing_but_access_records(app, client, world):  # noqa: F811
    with app.app_context():
        response = client.submit(
            "/admin/login", {"email": world["admin_email"], "password": ORGANIZER_PASSWORD}
        )
    assert response.status_code == 302
    with app.app_context():
        assert client.get("/admin/events").status_code == 200  # signed in indeed
    assert _walk(app, client, world, api=False) == []


def test_the_apis_gets_write_nothing_but_access_records(app, client, world):  # noqa: F811
    headers = {"Authorization": f"Bearer {world['api_token']}"}
    assert _walk(app, client, world, api=True, headers=headers) == []
    assert _walk(app, client, world, api=True) == []  # and without a token
