"""Who takes SQLite's write lock: every writer at BEGIN (so sign-ups through the form never
overbook), no read-only page (so pages never hold the sign-ups off while they render); and the
sign-up POST's statements, counted."""

import sqlite3
import threading
import time

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import func, select, text

from app.database import writes
from app.extensions import db
from app.mail.outbox import OutboxMessage
from app.registrations.models import Registration, RegistrationStatus
from tests.conftest import CsrfClient
from tests.registrations.test_views import VALID, register_url


def _sqlite_path(app):
    if app.database_name != "sqlite":
        pytest.skip("about SQLite's write lock")
    return app.config["SQLALCHEMY_DATABASE_URI"].removeprefix("sqlite:///")


def test_a_get_page_renders_while_another_connection_holds_the_write_lock(app, client, make_event):
    path = _sqlite_path(app)
    url = register_url(make_event())
    db.session.commit()
    other = sqlite3.connect(path, isolation_level=None, timeout=0)
    other.execute("BEGIN IMMEDIATE")
    try:
        started = time.monotonic()
        response = client.get(url)
        assert response.status_code == 200
        # The busy timeout is 30 s: a GET that wanted the lock would have waited for it.
        assert time.monotonic() - started < 5
    finally:
        other.execute("ROLLBACK")
        other.close()


def test_a_get_begins_plainly_and_a_post_takes_the_write_lock_at_begin(app, client, make_event):
    _sqlite_path(app)
    url = register_url(make_event())
    db.session.commit()
    begins = []

    def seen(_conn, _cursor, statement, *_args):
        if statement.startswith("BEGIN"):
            begins.append(statement)

    sa_event.listen(db.engine, "before_cursor_execute", seen)
    try:
        token = client.token(url)
        db.session.commit()  # the GET's read transaction, which the test's context shares
        response = client.post(url, data={"csrf_token": token, **VALID})
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", seen)
    assert response.status_code == 302
    assert begins == ["BEGIN", "BEGIN IMMEDIATE"]


def test_a_get_view_that_writes_must_say_so(app, client, make_event):
    _sqlite_path(app)
    event = make_event()
    db.session.commit()

    def touch():
        db.session.execute(text("UPDATE events SET title = title"))
        db.session.commit()
        return "ok"

    app.add_url_rule("/test/touch", "test_touch", touch)
    app.add_url_rule("/test/touch-marked", "test_touch_marked", writes(lambda: touch()))
    with pytest.raises(RuntimeError, match="mark its view"):
        client.get("/test/touch")
    db.session.rollback()
    assert client.get("/test/touch-marked").get_data() == b"ok"
    assert event.id


def _post_at_once(app, event, emails):
    """Each address signs up through the form in its own thread and client (GET, then POST),
    the POSTs released together; returns the status codes."""
    url = register_url(event)
    db.session.commit()  # the test's own transaction holds no lock during the POSTs
    barrier = threading.Barrier(len(emails))
    codes = []

    def sign_up(email):
        client = CsrfClient(app.test_client())
        token = client.token(url)
        barrier.wait()
        response = client.post(url, data={"csrf_token": token, **VALID, "email": email})
        codes.append(response.status_code)

    threads = [threading.Thread(target=sign_up, args=(email,)) for email in emails]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return codes


def test_simultaneous_sign_ups_through_the_form_never_overbook(app, make_event):
    event = make_event(capacity=2)
    db.session.commit()
    emails = [f"p{i}@city.example.jp" for i in range(12)]
    assert _post_at_once(app, event, emails) == [302] * len(emails)
    db.session.rollback()
    rows = dict(
        db.session.execute(
            select(Registration.status, func.count()).group_by(Registration.status)
        ).all()
    )
    assert rows == {RegistrationStatus.CONFIRMED: 2, RegistrationStatus.WAITLISTED: 10}
    outbox = db.session.scalars(select(OutboxMessage.to_addr)).all()
    assert sorted(outbox) == sorted(emails)


def test_a_sign_up_post_takes_at_most_twelve_statements(app, client, make_event):
    event = make_event(
        capacity=100,
        parts=[
            {"title": "第一部 基調講演"},
            {"title": "第二部 情報交換会", "uses_tables": True, "capacity": 50},
        ],
        tables=[{"title": "企業・市民向け事業", "capacity": 10}],
    )
    part_ids = [str(part.id) for part in event.parts]
    table_id = str(event.tables[0].id)
    url = register_url(event)
    db.session.commit()
    token = client.token(url)
    db.session.commit()
    db.session.remove()  # nothing of the event in the identity map, as in a new request
    statements = []

    def seen(*args):
        statements.append(args[2])

    sa_event.listen(db.engine, "before_cursor_execute", seen)
    try:
        response = client.post(
            url,
            data={
                "csrf_token": token,
                **VALID,
                "parts": part_ids,
                "table": table_id,
            },
        )
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", seen)
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert len(statements) <= 12, "\n".join(statements)
