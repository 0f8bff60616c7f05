"""One rule, one home: the same bad event gives the same field and message from the console's
form, the JSON API and the input model the services take; the API takes back what it shows;
and text pasted from PDF and Word (U+2028 and friends) never breaks a sign-up or its mail."""

import re

import pytest
from sqlalchemy import select

from app import clock
from app.events.inputs import EventInput
from app.events.models import Event, EventStatus
from app.extensions import db
from app.inputs import InvalidInput, parse
from app.mail.delivery import deliver_due
from app.mail.outbox import OutboxMessage, OutboxStatus
from app.registrations.models import Registration
from tests.factories import make_member

CONSOLE = {
    "title": "2026年9月 セミナー",
    "kind": "seminar",
    "starts_at": "2026-09-15T14:00",
    "ends_at": "2026-09-15T16:30",
    "format": "online",
    "meeting_url": "https://meet.example.jp/abc",
    "capacity": "100",
    "registration_opens_at": "2026-08-01T10:00",
    "registration_closes_at": "2026-09-12T17:00",
    "reminder_rules": "7d@10:00",
    "parts-0-title": "第一部 基調講演",
    "parts-0-starts_at": "14:00",
    "parts-0-ends_at": "15:00",
    "tables-0-title": "庁内職員向け事業",
    "tables-0-capacity": "20",
    "questions-0-label": "参加のしかた",
    "questions-0-type": "single_choice",
    "questions-0-choices": "カメラオン\nカメラオフ",
}
API = {
    "title": "2026年9月 セミナー",
    "kind": "seminar",
    "starts_at": "2026-09-15T14:00:00+09:00",
    "ends_at": "2026-09-15T16:30:00+09:00",
    "format": "online",
    "meeting_url": "https://meet.example.jp/abc",
    "capacity": 100,
    "registration_opens_at": "2026-08-01T10:00:00+09:00",
    "registration_closes_at": "2026-09-12T17:00:00+09:00",
    "parts": [
        {
            "title": "第一部 基調講演",
            "starts_at": "2026-09-15T14:00:00+09:00",
            "ends_at": "2026-09-15T15:00:00+09:00",
        }
    ],
    "tables": [{"title": "庁内職員向け事業", "capacity": 20}],
    "questions": [
        {"label": "参加のしかた", "type": "single_choice", "choices": ["カメラオン", "カメラオフ"]}
    ],
}


def _part(**fields):
    return {"parts": [{**API["parts"][0], **fields}]}


def _question(**fields):
    return {"questions": [{**API["questions"][0], **fields}]}


# (console changes, API changes, the model's place) for every rule of the event's input model.
RULES = [
    pytest.param({"title": ""}, {"title": ""}, ("title",), id="blank-title"),
    pytest.param({"title": "あ" * 201}, {"title": "あ" * 201}, ("title",), id="long-title"),
    pytest.param({"title": "題\x00名"}, {"title": "題\x00名"}, ("title",), id="nul-in-title"),
    pytest.param(
        {"description": "説明\x1b[31m"}, {"description": "説明\x1b[31m"}, ("description",), id="esc"
    ),
    pytest.param({"venue": "会" * 301}, {"venue": "会" * 301}, ("venue",), id="long-venue"),
    pytest.param({"capacity": "-1"}, {"capacity": -1}, ("capacity",), id="negative-capacity"),
    pytest.param({"capacity": "100001"}, {"capacity": 100001}, ("capacity",), id="huge-capacity"),
    pytest.param(
        {"ends_at": "2026-09-15T13:00"},
        {"ends_at": "2026-09-15T13:00:00+09:00"},
        ("ends_at",),
        id="ends-before-start",
    ),
    pytest.param(
        {"starts_at": "1999-09-15T14:00"},
        {"starts_at": "1999-09-15T14:00:00+09:00"},
        ("starts_at",),
        id="implausible-year",
    ),
    pytest.param(
        {"registration_closes_at": "2026-07-31T10:00"},
        {"registration_closes_at": "2026-07-31T10:00:00+09:00"},
        ("registration_closes_at",),
        id="closes-before-opens",
    ),
    pytest.param(
        {"registration_closes_at": "2026-09-16T10:00"},
        {"registration_closes_at": "2026-09-16T10:00:00+09:00"},
        ("registration_closes_at",),
        id="closes-after-the-end",
    ),
    pytest.param(
        {"meeting_url": "http://meet.example.jp/x"},
        {"meeting_url": "http://meet.example.jp/x"},
        ("meeting_url",),
        id="http-meeting-url",
    ),
    pytest.param(
        {"parts-0-title": " "}, _part(title=" "), ("parts", 0, "title"), id="blank-part-title"
    ),
    pytest.param(
        {"parts-0-ends_at": ""}, _part(ends_at=None), ("parts", 0, "ends_at"), id="start-only"
    ),
    pytest.param(
        {"parts-0-ends_at": "13:30"},
        _part(ends_at="2026-09-15T13:30:00+09:00"),
        ("parts", 0, "ends_at"),
        id="part-ends-before-it-starts",
    ),
    pytest.param(
        {"parts-0-ends_at": "17:00"},
        _part(ends_at="2026-09-15T17:00:00+09:00"),
        ("parts", 0, "starts_at"),
        id="part-outside-the-event",
    ),
    pytest.param(
        {"tables-0-capacity": "-3"},
        {"tables": [{"title": "庁内職員向け事業", "capacity": -3}]},
        ("tables", 0, "capacity"),
        id="table-capacity",
    ),
    pytest.param(
        {"questions-0-choices": ""},
        _question(choices=[]),
        ("questions", 0, "choices"),
        id="choice-question-without-choices",
    ),
    pytest.param(
        {"questions-0-choices": "はい\nはい"},
        _question(choices=["はい", "はい"]),
        ("questions", 0, "choices"),
        id="duplicate-choices",
    ),
]


def _console_error(page: str, field: str) -> str:
    beside = re.search(rf'<p class="error" id="{field}-error">([^<]*)</p>', page)
    assert beside, f"no error beside {field}"
    return beside.group(1)


def _api_name(loc: tuple) -> str:
    return "".join(
        f"[{p}]" if isinstance(p, int) else (f".{p}" if i else p) for i, p in enumerate(loc)
    )


@pytest.mark.parametrize(("console", "api_body", "loc"), RULES)
def test_a_bad_event_gets_the_same_field_and_message_from_every_door(
    organizer_client, api, organizer_token, console, api_body, loc
):
    # The model, as the services take it.
    with pytest.raises(InvalidInput) as raised:
        parse(EventInput, {**API, **api_body})
    errors = {error.loc: error.message for error in raised.value.errors}
    assert list(errors) == [loc]
    message = errors[loc]

    # The JSON API.
    response = api.post("/api/v1/events", token=organizer_token, json={**API, **api_body})
    assert response.status_code == 422
    assert response.get_json()["errors"] == [{"field": _api_name(loc), "message": message}]

    # The console.
    response = organizer_client.submit("/admin/events/new", {**CONSOLE, **console})
    assert response.status_code == 422
    field = "-".join(str(part) for part in loc)
    assert _console_error(response.get_data(as_text=True), field) == message

    assert db.session.scalar(select(Event.id)) is None


def test_the_console_shows_every_mistake_in_one_round(organizer_client):
    typed = {**CONSOLE, "title": "", "capacity": "-1", "parts-0-title": "", "meeting_url": "x"}
    page = organizer_client.submit("/admin/events/new", typed).get_data(as_text=True)
    for field in ("title", "capacity", "parts-0-title", "meeting_url"):
        assert _console_error(page, field)


# --- the API takes back what it shows --------------------------------------------------------


def test_the_get_representation_sent_back_creates_a_published_event(api, organizer_token):
    created = api.post("/api/v1/events", token=organizer_token, json={**API, "status": "published"})
    assert created.status_code == 201, created.get_json()
    shown = api.get(f"/api/v1/events/{created.get_json()['id']}", token=organizer_token).get_json()
    assert shown["status"] == "published" and shown["venue"] == ""

    copy = api.post("/api/v1/events", token=organizer_token, json={**shown, "venue": None})
    assert copy.status_code == 201, copy.get_json()
    again = copy.get_json()
    server_decides = {"id", "slug", "created_at", "updated_at"}
    assert {k: v for k, v in again.items() if k not in server_decides} | {
        "parts": [],
        "tables": [],
        "questions": [],
    } == {k: v for k, v in shown.items() if k not in server_decides} | {
        "parts": [],
        "tables": [],
        "questions": [],
    }
    for rows in ("parts", "tables", "questions"):
        strip = [{k: v for k, v in row.items() if k != "id"} for row in shown[rows]]
        assert [{k: v for k, v in row.items() if k != "id"} for row in again[rows]] == strip


def test_put_replaces_and_patch_changes_a_subset(api, organizer_token):
    event = api.post("/api/v1/events", token=organizer_token, json=API).get_json()
    replaced = api.client.put(
        f"/api/v1/events/{event['id']}",
        headers={"Authorization": f"Bearer {organizer_token}"},
        json={**event, "title": "改題"},
    )
    assert replaced.status_code == 200, replaced.get_json()
    assert replaced.get_json() == {
        **event,
        "title": "改題",
        "updated_at": replaced.get_json()["updated_at"],
    }

    patched = api.patch(
        f"/api/v1/events/{event['id']}", token=organizer_token, json={"status": "published"}
    )
    assert patched.status_code == 200 and patched.get_json()["status"] == "published"
    assert patched.get_json()["title"] == "改題"


def test_an_announcement_round_trips_and_is_sent_in_one_call(
    api, organizer_token, make_event, make_registration
):
    event = make_event()
    make_registration(event)
    body = {
        "subject": "{event_title} のご案内",
        "body": "当日の資料をお送りします。",
        "audience": {"kind": "event_registrants", "event_id": event.id},
    }
    draft = api.post("/api/v1/announcements", token=organizer_token, json=body).get_json()
    assert draft["status"] == "draft"
    resent = api.client.put(
        f"/api/v1/announcements/{draft['id']}",
        headers={"Authorization": f"Bearer {organizer_token}"},
        json=draft,
    )
    assert resent.status_code == 200
    assert {k: v for k, v in resent.get_json().items()} == draft

    sent = api.post(
        "/api/v1/announcements", token=organizer_token, json={**body, "status": "queued"}
    )
    assert sent.status_code == 201
    assert sent.get_json()["status"] == "queued"
    assert sent.get_json()["progress"]["total"] == 1


# --- pasted text never breaks a sign-up ------------------------------------------------------


@pytest.mark.parametrize("breaker", ["\u2028", "\u2029", "\x85", "\r", "\n", "\t", "\u200b"])
def test_a_title_pasted_with_a_line_separator_is_cleaned_and_sign_up_works(
    api, organizer_token, client, breaker
):
    body = {**API, "title": f"セミナー{breaker}第1回", "status": "published"}
    body.pop("questions")
    created = api.post("/api/v1/events", token=organizer_token, json=body)
    assert created.status_code == 201
    event = db.session.get(Event, created.get_json()["id"])
    assert event.title in ("セミナー 第1回", "セミナー第1回")

    page = client.get(f"/events/{event.slug}/register")
    assert page.status_code == 200
    response = client.submit(
        f"/events/{event.slug}/register",
        {
            "name": "鳥取 太郎",
            "email": "taro@city.example.jp",
            "organization": "鳥取県",
            "parts": str(event.parts[0].id),
            "table": str(event.tables[0].id),
            "privacy": "y",
        },
    )
    assert response.status_code in (302, 303), response.get_data(as_text=True)
    mail = db.session.scalars(select(OutboxMessage)).one()
    assert mail.status == OutboxStatus.QUEUED and event.title in mail.subject
    assert deliver_due(clock.now()) == 1  # the development mailbox takes it, as a relay would
    db.session.expire_all()
    assert db.session.get(OutboxMessage, mail.id).status == OutboxStatus.SENT


def test_a_title_stored_before_the_input_model_still_signs_up_and_mails(client, make_event):
    """Written straight into the database, as rows from before the model may hold."""
    event = make_event(status=EventStatus.PUBLISHED)
    event.title = "旧データ\u2028のタイトル\r\nBcc: x@example.jp"
    db.session.commit()

    response = client.submit(
        f"/events/{event.slug}/register",
        {
            "name": "鳥取 太郎",
            "email": "taro@city.example.jp",
            "organization": "鳥取県",
            "privacy": "y",
        },
    )
    assert response.status_code in (302, 303)
    mail = db.session.scalars(select(OutboxMessage)).one()
    assert mail.status == OutboxStatus.QUEUED
    assert "\n" not in mail.subject and "\u2028" not in mail.subject
    headers = mail.mime.split(b"\r\n\r\n", 1)[0]
    assert b"\nBcc:" not in headers
    assert deliver_due(clock.now()) == 1


def test_a_mail_that_cannot_be_built_is_recorded_failed_and_the_sign_up_stays(
    client, make_event, monkeypatch
):
    from app.mail import outbox

    def broken(message):
        raise ValueError("the builder refused it")

    monkeypatch.setattr(outbox, "mime_bytes", broken)
    event = make_event(status=EventStatus.PUBLISHED)
    response = client.submit(
        f"/events/{event.slug}/register",
        {
            "name": "鳥取 太郎",
            "email": "taro@city.example.jp",
            "organization": "鳥取県",
            "privacy": "y",
        },
    )
    assert response.status_code in (302, 303)
    assert db.session.scalars(select(Registration.email)).all() == ["taro@city.example.jp"]
    mail = db.session.scalars(select(OutboxMessage)).one()
    assert mail.status == OutboxStatus.FAILED
    assert "the builder refused it" in mail.last_error


# --- sign-ups and membership applications: the page, the API and the model agree ------------

PERSON = {
    "name": "山田 花子",
    "email": "hanako@city.example.jp",
    "organization": "鳥取県",
    "department": "総務部",
    "privacy": True,
}
PERSON_RULES = [
    pytest.param({"name": ""}, ("name",), id="blank-name"),
    pytest.param({"name": "あ" * 101}, ("name",), id="long-name"),
    pytest.param({"name": "山田\x00"}, ("name",), id="nul-in-name"),
    pytest.param({"email": "hanako@"}, ("email",), id="bad-address"),
    pytest.param({"email": "山田@city.example.jp"}, ("email",), id="non-ascii-address"),
    pytest.param({"organization": ""}, ("organization",), id="blank-organization"),
    pytest.param({"department": "課" * 201}, ("department",), id="long-department"),
    pytest.param({"privacy": False}, ("privacy",), id="no-consent"),
]


def _as_form(body: dict) -> dict:
    form = {key: value for key, value in body.items() if not isinstance(value, bool)}
    for key, value in body.items():
        if isinstance(value, bool) and value:
            form[key] = "y"
    return form


@pytest.fixture(params=["sign-up", "application"])
def person_doors(request, make_event):
    """(input model, API path, page path, extra fields) of a sign-up or a membership application."""
    from app.members.inputs import JoinInput
    from app.registrations.inputs import SignUpInput

    if request.param == "sign-up":
        event = make_event(status=EventStatus.PUBLISHED)
        return (
            SignUpInput,
            f"/api/v1/events/{event.id}/registrations",
            f"/events/{event.slug}/register",
            {},
        )
    return JoinInput, "/api/v1/members", "/join", {"consent": True}


@pytest.mark.parametrize(("changes", "loc"), PERSON_RULES)
def test_a_bad_person_gets_the_same_field_and_message_from_every_door(
    client, api, person_doors, changes, loc
):
    model, api_path, page_path, extra = person_doors
    body = {**PERSON, **extra, **changes}
    with pytest.raises(InvalidInput) as raised:
        parse(model, body)
    [error] = raised.value.errors
    assert error.loc == loc

    response = api.post(api_path, json=body)
    assert response.status_code == 422
    assert response.get_json()["errors"] == [{"field": loc[0], "message": error.message}]

    page = client.submit(page_path, _as_form(body))
    assert page.status_code == 422
    assert _console_error(page.get_data(as_text=True), loc[0]) == error.message


def test_a_member_round_trips_through_put(api, organizer_token, client):
    member = make_member("hanako@city.example.jp", name="山田 花子", theme_interests=["staff"])
    auth = {"Authorization": f"Bearer {organizer_token}"}
    shown = api.get(f"/api/v1/members/{member.id}", token=organizer_token).get_json()

    same = api.client.put(f"/api/v1/members/{member.id}", headers=auth, json=shown)
    assert same.status_code == 200, same.get_json()
    assert same.get_json() == shown

    changed = api.client.put(
        f"/api/v1/members/{member.id}",
        headers=auth,
        json={**shown, "name": "山田\u2028花子", "email": "other@example.jp"},
    )
    assert changed.status_code == 200
    assert changed.get_json()["name"] == "山田 花子"
    assert changed.get_json()["email"] == "hanako@city.example.jp"  # read-only: ignored

    bad = api.client.put(f"/api/v1/members/{member.id}", headers=auth, json={**shown, "name": ""})
    assert bad.status_code == 422
    assert bad.get_json()["errors"] == [{"field": "name", "message": "お名前を入力してください。"}]


ANNOUNCEMENT_RULES = [
    pytest.param({"subject": ""}, ("subject",), id="blank-subject"),
    pytest.param({"subject": "件名\x00"}, ("subject",), id="nul-in-subject"),
    pytest.param({"body": ""}, ("body",), id="blank-body"),
    pytest.param({"body": "あ" * 20_001}, ("body",), id="long-body"),
    pytest.param({"body": "{nmae} 様"}, ("body",), id="unknown-placeholder"),
    pytest.param({"subject": "{manage_url}", "kind": "members"}, ("subject",), id="no-link"),
    pytest.param({"kind": "members_by_theme"}, ("audience", "themes"), id="no-theme"),
]


@pytest.mark.parametrize(("changes", "loc"), ANNOUNCEMENT_RULES)
def test_a_bad_announcement_gets_the_same_field_and_message_from_every_door(
    organizer_client, api, organizer_token, make_event, changes, loc
):
    from app.announcements.inputs import AnnouncementInput

    event = make_event()
    typed = {"subject": "ご案内", "body": "{name} 様", "kind": "event_registrants", **changes}
    audience = {"kind": typed["kind"]}
    if typed["kind"] == "event_registrants":
        audience["event_id"] = event.id
    body = {"subject": typed["subject"], "body": typed["body"], "audience": audience}

    with pytest.raises(InvalidInput) as raised:
        parse(AnnouncementInput, body)
    [error] = raised.value.errors
    assert error.loc == loc

    response = api.post("/api/v1/announcements", token=organizer_token, json=body)
    assert response.status_code == 422
    assert response.get_json()["errors"] == [{"field": _api_name(loc), "message": error.message}]

    form = {
        "subject": typed["subject"],
        "body": typed["body"],
        "kind": typed["kind"],
        "event_id": str(event.id) if typed["kind"] == "event_registrants" else "",
        "statuses": "confirmed",
    }
    page = organizer_client.submit("/admin/announcements/new", form)
    assert page.status_code == 422
    assert _console_error(page.get_data(as_text=True), loc[-1]) == error.message
