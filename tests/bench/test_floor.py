"""The floor (bench/floor) is a benchmark baseline only if it really does a sign-up's work:
rows, mail, seats, duplicates and CSRF, driven by the benchmark's own client."""

import email
import re
from email import policy

import pytest
from sqlalchemy import func, select

from bench import floor
from bench.floor.models import OutboxMessage, Registration, create_database, db
from bench.floorcompare import client_send, sign_up
from bench.load import TOKEN, Failure

SEATS = 3


@pytest.fixture
def floor_app(tmp_path):
    app = floor.create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'floor.db'}"})
    slug = create_database(app, seats=SEATS, part_seats=100, table_seats=100)
    yield app, f"/events/{slug}/register"
    with app.app_context():
        db.engine.dispose()


def visitor(app):
    """The benchmark's send(), on a test client of its own (a new cookie jar)."""
    return client_send(app.test_client())


def test_each_sign_up_stores_a_registration_and_its_mail_until_seats_run_out(floor_app):
    app, path = floor_app
    for n in range(SEATS + 1):
        sign_up(visitor(app), path, f"person{n}@city.example.jp")
    with app.app_context():
        statuses = db.session.scalars(select(Registration.status).order_by(Registration.id)).all()
        registrations = db.session.scalars(select(Registration)).all()
        assert all(len(r.parts) == 2 and r.table is not None for r in registrations)
        assert {r.organization_code for r in registrations} == {"312011"}  # 鳥取県 鳥取市
        outbox = db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)).all()
    assert statuses == ["confirmed"] * SEATS + ["waitlisted"]
    assert [m.to_addr for m in outbox] == [f"person{n}@city.example.jp" for n in range(SEATS + 1)]

    confirmed = email.message_from_bytes(outbox[0].mime, policy=policy.default)
    types = [part.get_content_type() for part in confirmed.walk()]
    assert {"text/plain", "text/html", "text/calendar"} <= set(types)
    calendar = next(p for p in confirmed.walk() if p.get_content_type() == "text/calendar")
    assert calendar.get_param("method") == "REQUEST"
    assert "BEGIN:VTIMEZONE" in calendar.get_content()
    assert "【お申し込み完了】" in confirmed["Subject"]
    assert outbox[0].mime.isascii()  # 7-bit, whatever Flask-Mail registered for UTF-8
    assert max(len(line) for line in outbox[0].mime.split(b"\r\n")) <= 78
    waitlisted = email.message_from_bytes(outbox[-1].mime, policy=policy.default)
    assert "text/calendar" not in [part.get_content_type() for part in waitlisted.walk()]


def test_a_second_sign_up_with_the_same_address_is_refused(floor_app):
    app, path = floor_app
    sign_up(visitor(app), path, "twice@city.example.jp")
    with pytest.raises(Failure, match="409"):
        sign_up(visitor(app), path, "Twice@city.example.jp")
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Registration)) == 1
        assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1


def test_a_post_without_the_csrf_token_is_refused_and_stores_nothing(floor_app):
    app, path = floor_app
    client = app.test_client()
    page = client.get(path).get_data(as_text=True)
    assert TOKEN.search(page)
    form = {
        "name": "負荷 太郎",
        "email": "nocsrf@city.example.jp",
        "organization": "鳥取県",
        "parts": re.findall(r'name="parts"[^>]*value="(\d+)"', page),
        "privacy": "y",
    }
    assert client.post(path, data=form).status_code == 400
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Registration)) == 0


def test_the_form_offers_the_organisation_list_and_checks_the_address(floor_app):
    app, path = floor_app
    client = app.test_client()
    page = client.get(path).get_data(as_text=True)
    assert page.count("<option value=") == 1788
    token = TOKEN.search(page).group(1)
    form = {"csrf_token": token, "name": "太郎", "email": "not-an-address", "parts": "1"}
    form |= {"organization": "鳥取県", "privacy": "y"}
    assert client.post(path, data=form).status_code == 422
