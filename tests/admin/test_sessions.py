"""Console sessions end when they should: a cookie copied before logout is refused afterwards, a
password change signs out everywhere, and after the idle timeout or the absolute lifetime the
organizer signs in again. Sign-in starts from an empty session."""

from datetime import timedelta

import pytest

import config
from app.extensions import db
from app.organizers import services
from tests.conftest import NOW, ORGANIZER_PASSWORD, CsrfClient, sign_in

CONSOLE = "/admin/events"


@pytest.fixture
def app_overrides():
    # The defaults, which the suite's conftest lengthens for tests that move the clock by days.
    defaults = config.load()
    return {key: defaults[key] for key in ("SESSION_IDLE_SECONDS", "SESSION_MAX_AGE_SECONDS")}


def test_the_defaults_are_two_idle_hours_and_twelve_hours_in_all():
    defaults = config.load()
    assert defaults["SESSION_IDLE_SECONDS"] == 2 * 3600
    assert defaults["SESSION_MAX_AGE_SECONDS"] == 12 * 3600
    assert defaults["PERMANENT_SESSION_LIFETIME"] == 12 * 3600


def session_cookie(client: CsrfClient) -> str:
    return client.get_cookie("session").value


def get_elsewhere(app, client: CsrfClient, url: str):
    """A request in an app context (and so a g) of its own, as in production: the tests' app
    context is shared by every request, and Flask-WTF and Flask-Login cache in g."""
    db.session.commit()  # on SQLite an open transaction would hold the write lock
    with app.app_context():
        return client.get(url)


def with_cookie(app, value: str) -> CsrfClient:
    """Another browser holding a copy of the cookie."""
    other = CsrfClient(app.test_client())
    other.set_cookie("session", value)
    return other


def asks_to_sign_in(response) -> bool:
    return response.status_code == 302 and response.headers["Location"].startswith("/admin/login")


def test_a_cookie_copied_before_logout_is_refused_after_it(app, organizer_client):
    saved = session_cookie(organizer_client)
    assert get_elsewhere(app, with_cookie(app, saved), CONSOLE).status_code == 200

    token = organizer_client.token(CONSOLE)
    response = organizer_client.post("/admin/logout", data={"csrf_token": token})
    assert asks_to_sign_in(response)

    assert asks_to_sign_in(get_elsewhere(app, with_cookie(app, saved), CONSOLE))
    assert asks_to_sign_in(organizer_client.get(CONSOLE))


def test_logout_signs_out_the_organizers_other_browsers_too(app, client, make_organizer):
    organizer = make_organizer()
    email = organizer.email
    db.session.commit()  # on SQLite an open transaction would hold the write lock
    phone = CsrfClient(app.test_client())
    with app.app_context():
        phone.submit("/admin/login", {"email": email, "password": ORGANIZER_PASSWORD})
    assert get_elsewhere(app, phone, CONSOLE).status_code == 200
    sign_in(client, organizer)
    client.post("/admin/logout", data={"csrf_token": client.token(CONSOLE)})
    assert asks_to_sign_in(get_elsewhere(app, phone, CONSOLE))


def test_a_password_change_signs_out_every_session(app, client, make_organizer):
    organizer = make_organizer()
    sign_in(client, organizer)
    services.set_password(organizer, "another long passphrase")
    db.session.commit()
    assert asks_to_sign_in(get_elsewhere(app, client, CONSOLE))


def test_signing_in_again_after_logout_works(client, make_organizer):
    organizer = make_organizer()
    sign_in(client, organizer)
    client.post("/admin/logout", data={"csrf_token": client.token(CONSOLE)})
    sign_in(client, organizer)
    assert client.get(CONSOLE).status_code == 200


def test_sign_in_starts_from_an_empty_session(client, make_organizer):
    with client.session_transaction() as session:
        session["planted"] = "by someone else"
    sign_in(client, make_organizer())
    with client.session_transaction() as session:
        assert "planted" not in session
        assert session["signed_in_at"] == NOW.timestamp()


def test_the_session_ends_after_two_idle_hours(organizer_client, frozen_now):
    frozen_now(NOW + timedelta(hours=1, minutes=59))
    assert organizer_client.get(CONSOLE).status_code == 200
    # Each request moves the idle clock: two more idle hours from here, not from sign-in.
    frozen_now(NOW + timedelta(hours=3, minutes=58))
    assert organizer_client.get(CONSOLE).status_code == 200
    frozen_now(NOW + timedelta(hours=6))
    assert asks_to_sign_in(organizer_client.get(CONSOLE))


def test_the_session_ends_twelve_hours_after_sign_in_however_busy(organizer_client, frozen_now):
    for hours in range(1, 12):
        frozen_now(NOW + timedelta(hours=hours))
        assert organizer_client.get(CONSOLE).status_code == 200
    frozen_now(NOW + timedelta(hours=12, minutes=1))
    assert asks_to_sign_in(organizer_client.get(CONSOLE))


def test_after_a_timeout_the_organizer_signs_in_again(app, client, make_organizer, frozen_now):
    organizer = make_organizer()
    sign_in(client, organizer)
    frozen_now(NOW + timedelta(hours=3))
    assert asks_to_sign_in(client.get(CONSOLE))
    response = client.submit(
        "/admin/login", {"email": organizer.email, "password": ORGANIZER_PASSWORD}
    )
    assert response.status_code == 302
    assert client.get(CONSOLE).status_code == 200


def test_the_timeouts_are_configurable(app, organizer_client, frozen_now):
    app.config["SESSION_IDLE_SECONDS"] = 600
    frozen_now(NOW + timedelta(minutes=11))
    assert asks_to_sign_in(organizer_client.get(CONSOLE))


def test_a_session_with_no_sign_in_time_is_refused(organizer_client):
    with organizer_client.session_transaction() as session:
        del session["signed_in_at"]
    assert asks_to_sign_in(organizer_client.get(CONSOLE))
