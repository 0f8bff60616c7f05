"""Public forms are limited on what they protect: the address typed and the event, with the
client IP only as a generous ceiling (a prefecture's offices share one gateway). Mail to one
address is counted where it is made, in the outbox, whichever door asked for it."""

import html
from datetime import timedelta

import pytest
from sqlalchemy import func, select

import config
from app import clock
from app.extensions import db
from app.mail.outbox import OutboxMessage
from app.registrations.inputs import RegistrationInput
from app.registrations.models import Registration
from app.registrations.signup import register_attendee, resend_confirmation
from tests.conftest import NOW

LIMITS = (
    "PUBLIC_FORM_RATE_LIMIT",
    "SIGNUP_RATE_LIMIT",
    "SIGNUP_ADDRESS_RATE_LIMIT",
    "MAIL_REQUEST_RATE_LIMIT",
    "SIGNUP_MAIL_LIMIT",
    "REQUESTED_MAIL_LIMIT",
)

PERSON = {
    "name": "山田 花子",
    "email": "hanako@city.example.jp",
    "organization": "鳥取県",
    "department": "総務部デジタル推進課 DX推進係",
    "privacy": "y",
}
APPLICANT = {**PERSON, "consent": "y"}
SIGNUP = {k: v for k, v in PERSON.items() if k != "privacy"}


@pytest.fixture
def app_overrides():
    # The shipped defaults, not the test suite's generous per-IP limit.
    defaults = config.load()
    return {name: defaults[name] for name in LIMITS}


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def mails_to(address: str) -> list[OutboxMessage]:
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_addr == address)))


def register(client, event, **fields):
    url = f"/events/{event.slug}/register"
    return client.submit(url, {**PERSON, **fields})


def test_fifty_sign_ups_from_one_ip_address_within_a_minute_all_succeed(client, make_event):
    event = make_event()
    statuses = [
        register(client, event, email=f"staff{n}@pref.example.lg.jp").status_code for n in range(50)
    ]
    assert statuses == [302] * 50
    assert db.session.scalar(select(func.count()).select_from(Registration)) == 50


def test_thirty_sign_ups_for_one_event_and_address_make_one_mail(client, make_event):
    event = make_event()
    statuses = [register(client, event).status_code for _ in range(30)]
    assert statuses[0] == 302
    assert set(statuses[1:]) <= {422, 429}  # already registered, then limited
    assert 429 in statuses
    assert len(mails_to(PERSON["email"])) == 1


def test_thirty_sign_ups_for_one_address_to_thirty_events_do_not_make_thirty_mails(
    client, make_event
):
    events = [make_event() for _ in range(30)]
    statuses = [register(client, event).status_code for event in events]
    assert statuses.count(302) == 10  # SIGNUP_MAIL_LIMIT: 10 per hour, counted in the outbox
    assert set(statuses) == {302, 429}
    assert len(mails_to(PERSON["email"])) == 10


def test_resends_to_one_address_are_throttled_where_the_mail_is_made(app, make_event):
    event = make_event()
    register_attendee(event.id, RegistrationInput(**SIGNUP), clock.now())
    db.session.commit()
    sent = [
        resend_confirmation(event.id, PERSON["email"], throttle_at=clock.now()) for _ in range(30)
    ]
    db.session.commit()
    assert sent.count(True) == 2  # with the sign-up's own mail: REQUESTED_MAIL_LIMIT, 3 an hour
    assert len(mails_to(PERSON["email"])) == 3


def test_the_mail_budget_frees_up_when_the_window_has_passed(app, make_event, frozen_now):
    event = make_event()
    register_attendee(event.id, RegistrationInput(**SIGNUP), clock.now())
    for _ in range(5):
        resend_confirmation(event.id, PERSON["email"], throttle_at=clock.now())
    db.session.commit()
    assert len(mails_to(PERSON["email"])) == 3
    frozen_now(NOW + timedelta(hours=1, seconds=1))
    assert resend_confirmation(event.id, PERSON["email"], throttle_at=clock.now())


def test_resend_requests_for_one_address_are_limited_and_mail_a_few_times_only(client, make_event):
    event = make_event()
    register(client, event)
    url = f"/events/{event.slug}/register"
    statuses = [
        client.submit(url, {"email": PERSON["email"]}, action=f"/events/{event.slug}/resend")
        for _ in range(12)
    ]
    assert [r.status_code for r in statuses[:10]] == [302] * 10  # the same answer every time
    limited = statuses[-1]
    assert limited.status_code == 429
    assert "確認メールを再送する" in text_of(limited)  # the resend form, ready for later
    assert int(limited.headers["Retry-After"]) > 0
    assert len(mails_to(PERSON["email"])) == 3


def test_a_limited_sign_up_sees_the_form_again_with_what_was_typed_and_the_wait(
    client, make_event, app
):
    event = make_event()
    app.config["SIGNUP_RATE_LIMIT"] = "2 per minute"
    typed = {**PERSON, "privacy": "", "department": "総務部 情報政策課"}
    for _ in range(2):
        assert register(client, event, **typed).status_code == 422  # the box left unticked
    response = register(client, event, **typed)
    assert response.status_code == 429
    page = text_of(response)
    assert "短時間に多くの送信がありました。1分ほど待ってから、もう一度送信してください。" in page
    assert 'value="山田 花子"' in page
    assert 'value="hanako@city.example.jp"' in page
    assert 'value="総務部 情報政策課"' in page
    assert 0 < int(response.headers["Retry-After"]) <= 61
    assert response.headers["Cache-Control"] == "no-store"


def test_the_wait_is_said_in_english_too(client, make_event, app):
    event = make_event()
    app.config["SIGNUP_RATE_LIMIT"] = "1 per minute"
    client.set_cookie("lang", "en")
    register(client, event, privacy="")
    page = text_of(register(client, event, privacy=""))
    assert "Please wait about 1 min. and send the form again" in page


def test_other_people_at_the_same_gateway_are_not_limited_by_one_address(client, make_event, app):
    event = make_event()
    app.config["SIGNUP_RATE_LIMIT"] = "1 per minute"
    register(client, event, privacy="")
    assert register(client, event, privacy="").status_code == 429
    assert register(client, event, email="colleague@city.example.jp").status_code == 302


def test_a_limited_membership_application_sees_the_form_again(client):
    statuses = [client.submit("/join", APPLICANT) for _ in range(11)]
    assert [r.status_code for r in statuses[:10]] == [302] * 10
    limited = statuses[-1]
    assert limited.status_code == 429
    page = text_of(limited)
    assert 'value="総務部デジタル推進課 DX推進係"' in page
    assert "分ほど待ってから" in page
    confirmations = [m for m in mails_to(PERSON["email"]) if m.category == "member_confirm"]
    assert len(confirmations) == 3  # REQUESTED_MAIL_LIMIT, whatever the door let through


def test_the_api_answers_a_limited_sign_up_with_a_problem_and_retry_after(app, make_event):
    event = make_event()
    app.config["SIGNUP_RATE_LIMIT"] = "1 per minute"
    api = app.test_client()
    url = f"/api/v1/events/{event.id}/registrations"
    body = {**PERSON, "privacy": True}
    assert api.post(url, json=body).status_code == 201
    response = api.post(url, json=body)
    assert response.status_code == 429
    assert response.mimetype == "application/problem+json"
    assert 0 < int(response.headers["Retry-After"]) <= 61


def test_the_api_shares_the_mail_budget_with_the_pages(client, app, make_event):
    app.config["SIGNUP_MAIL_LIMIT"] = "2 per hour"
    first, second, third = (make_event() for _ in range(3))
    assert register(client, first).status_code == 302
    api = app.test_client()
    body = {**PERSON, "privacy": True}
    assert api.post(f"/api/v1/events/{second.id}/registrations", json=body).status_code == 201
    response = api.post(f"/api/v1/events/{third.id}/registrations", json=body)
    assert response.status_code == 429
    assert response.mimetype == "application/problem+json"
    assert int(response.headers["Retry-After"]) == 3600
    assert len(mails_to(PERSON["email"])) == 2


def test_production_refuses_to_start_with_limits_counted_per_process(monkeypatch):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 48)
    monkeypatch.setenv("SECRETARIAT_ADDRESS", "〒000-0000 どこか")
    monkeypatch.setenv("SECRETARIAT_CONTACT", "info@example.jp")
    monkeypatch.delenv("REDIS_URL", raising=False)
    monkeypatch.delenv("RATELIMIT_STORAGE_URI", raising=False)
    with pytest.raises(RuntimeError, match="REDIS_URL must be set"):
        config.load()
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    assert config.load()["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/0"


def test_readyz_says_where_limits_are_counted(client):
    check = client.get("/readyz").get_json()["checks"]["rate_limits"]
    assert check == {"ok": True, "storage": "memory", "shared": False}


def test_the_contact_form_is_limited_per_address_not_per_office(client):
    inquiry = {
        "name": "山田 花子",
        "email": "hanako@city.example.jp",
        "organization": "鳥取県",
        "subject": "資料について",
        "body": "資料をお送りいただけますか。",
        "privacy": "y",
    }
    statuses = [client.submit("/contact", inquiry).status_code for _ in range(11)]
    assert statuses == [302] * 10 + [429]  # each inquiry mails an acknowledgement to the address
    colleague = {**inquiry, "email": "colleague@city.example.jp"}
    assert client.submit("/contact", colleague).status_code == 302
