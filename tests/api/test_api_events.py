"""Events through the API: listing and reading (public), creating with everything the console's
form takes, changing (a reschedule mails updated invites and moves reminders), publishing and
cancelling (organizers)."""

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import func, select

from app.audit.models import AuditEntry
from app.events.models import Event, EventStatus
from app.extensions import db
from app.mail.outbox import OutboxMessage
from app.scheduling.sweep import queue_reminders
from tests.api.conftest import problem_fields
from tests.conftest import NOW

NEW_EVENT = {
    "title": "セミナー＆情報交換会",
    "kind": "exchange_session",
    "description": "基調講演と情報交換",
    "starts_at": "2026-09-15T14:00:00+09:00",
    "ends_at": "2026-09-15T17:00:00+09:00",
    "format": "hybrid",
    "venue": "鳥取県庁 第1会議室",
    "meeting_url": "https://meet.example.jp/abc",
    "capacity": 60,
    "registration_opens_at": "2026-08-01T00:00:00Z",
    "registration_closes_at": "2026-09-14T17:00:00+09:00",
    "requires_approval": False,
    "parts": [
        {
            "title": "第一部 基調講演",
            "starts_at": "2026-09-15T14:00:00+09:00",
            "ends_at": "2026-09-15T15:30:00+09:00",
            "capacity": 60,
        },
        {
            "title": "第二部 情報交換会",
            "starts_at": "2026-09-15T15:40:00+09:00",
            "ends_at": "2026-09-15T17:00:00+09:00",
            "uses_tables": True,
        },
    ],
    "tables": [
        {"title": "企業・市民向け事業", "capacity": 20},
        {"title": "庁内職員向け事業", "capacity": 20, "description": "職員研修"},
    ],
    "questions": [
        {"label": "聞きたいこと", "type": "long_text"},
        {
            "label": "懇親会",
            "type": "single_choice",
            "required": True,
            "choices": ["参加", "不参加"],
        },
    ],
    "reminder_offsets_minutes": [1440, 60],
}


def count(model, *conditions):
    return db.session.scalar(select(func.count()).select_from(model).where(*conditions))


def last_audit():
    return db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).one()


def test_creating_an_event_stores_everything_the_console_form_takes(api, organizer_token):
    response = api.post("/api/v1/events", token=organizer_token, json=NEW_EVENT)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert response.headers["Location"].endswith(f"/api/v1/events/{body['id']}")
    assert body["status"] == "draft"
    assert body["starts_at"] == "2026-09-15T14:00:00+09:00"
    assert body["registration_opens_at"] == "2026-08-01T09:00:00+09:00"  # any offset in, JST out
    assert [p["title"] for p in body["parts"]] == ["第一部 基調講演", "第二部 情報交換会"]
    assert body["parts"][1]["uses_tables"] is True
    assert [(t["title"], t["capacity"]) for t in body["tables"]] == [
        ("企業・市民向け事業", 20),
        ("庁内職員向け事業", 20),
    ]
    assert body["questions"][1]["choices"] == ["参加", "不参加"]
    assert body["reminder_offsets_minutes"] == [1440, 60]
    assert body["meeting_url"] == "https://meet.example.jp/abc"
    event = db.session.get(Event, body["id"])
    assert event.reminder_rules == ["1440m", "60m"]
    assert event.slug == "exchange-20260915"
    assert (last_audit().action, last_audit().target) == ("event.create", f"event:{event.id}")


def test_creating_refuses_naive_times_and_names_each_bad_field(api, organizer_token):
    body = {
        **NEW_EVENT,
        "starts_at": "2026-09-15T14:00:00",
        "kind": "party",
        "capacity": -1,
        "parts": [{"title": ""}],
        "questions": [{"label": "Q", "type": "essay"}],
    }
    response = api.post("/api/v1/events", token=organizer_token, json=body)
    assert response.status_code == 422
    assert problem_fields(response) == {
        "starts_at",
        "kind",
        "capacity",
        "parts[0].title",
        "questions[0].type",
    }
    assert count(Event) == 0


def test_creating_without_the_required_fields_names_them(api, organizer_token):
    response = api.post("/api/v1/events", token=organizer_token, json={})
    assert response.status_code == 422
    assert problem_fields(response) == {"title", "starts_at", "ends_at"}


def test_service_rules_come_back_with_the_api_field_name(api, organizer_token, make_event):
    ends_first = {**NEW_EVENT, "ends_at": "2026-09-15T13:00:00+09:00"}
    response = api.post("/api/v1/events", token=organizer_token, json=ends_first)
    assert response.status_code == 422
    assert problem_fields(response) == {"ends_at"}

    outside = {
        **NEW_EVENT,
        "parts": [{**NEW_EVENT["parts"][0], "ends_at": "2026-09-15T18:00:00+09:00"}],
    }
    response = api.post("/api/v1/events", token=organizer_token, json=outside)
    assert response.status_code == 422
    assert problem_fields(response) == {"parts[0].starts_at"}

    choice_without_options = {**NEW_EVENT, "questions": [{"label": "Q", "type": "single_choice"}]}
    response = api.post("/api/v1/events", token=organizer_token, json=choice_without_options)
    assert problem_fields(response) == {"questions[0].choices"}

    # The slug is the server's (read-only, like id): a copied representation never collides.
    make_event(slug="taken")
    response = api.post(
        "/api/v1/events", token=organizer_token, json={**NEW_EVENT, "slug": "taken"}
    )
    assert response.status_code == 201
    assert response.get_json()["slug"] != "taken"


def test_the_list_is_paginated_with_a_next_link(api, make_event):
    for i in range(5):
        make_event(
            starts_at=NOW + timedelta(days=10 + i), ends_at=NOW + timedelta(days=10 + i, hours=2)
        )
    make_event(status=EventStatus.DRAFT)
    first = api.get("/api/v1/events?per_page=2").get_json()
    assert (first["page"], first["per_page"], first["total"]) == (1, 2, 5)
    assert len(first["items"]) == 2
    next_url = urlsplit(first["next"])
    assert next_url.path == "/api/v1/events"
    assert parse_qs(next_url.query) == {"page": ["2"], "per_page": ["2"]}
    last = api.get("/api/v1/events?page=3&per_page=2").get_json()
    assert len(last["items"]) == 1 and last["next"] is None
    starts = [item["starts_at"] for item in first["items"]]
    assert starts == sorted(starts)


def test_the_list_filters_by_status_and_upcoming(api, organizer_token, make_event):
    make_event(status=EventStatus.DRAFT)
    make_event(status=EventStatus.CANCELLED)
    make_event(starts_at=NOW - timedelta(days=3), ends_at=NOW - timedelta(days=3, hours=-2))
    make_event()
    assert api.get("/api/v1/events").get_json()["total"] == 3
    assert api.get("/api/v1/events?upcoming=true").get_json()["total"] == 2
    assert api.get("/api/v1/events?status=cancelled").get_json()["total"] == 1
    drafts = api.get("/api/v1/events?status=draft", token=organizer_token).get_json()
    assert drafts["total"] == 1
    assert api.get("/api/v1/events", token=organizer_token).get_json()["total"] == 4


def test_reading_an_event_gives_the_contract_fields(api, make_event):
    event = make_event(
        capacity=10,
        parts=[{"title": "第一部", "capacity": 5}],
        tables=[{"title": "庁内職員向け事業", "capacity": 3}],
    )
    body = api.get(f"/api/v1/events/{event.id}").get_json()
    assert {
        "id",
        "slug",
        "title",
        "kind",
        "description",
        "starts_at",
        "ends_at",
        "format",
        "venue",
        "capacity",
        "registration_opens_at",
        "registration_closes_at",
        "status",
        "parts",
        "tables",
        "questions",
        "reminder_offsets_minutes",
    } <= set(body)
    assert body["parts"][0] == {
        "id": event.parts[0].id,
        "title": "第一部",
        "starts_at": None,
        "ends_at": None,
        "capacity": 5,
        "uses_tables": False,
    }
    # The defaults of an online event: 7 days and 1 day before at 10:00, and an hour before.
    assert body["reminder_offsets_minutes"][-1] == 60


def test_rescheduling_mails_updated_invites_and_moves_reminders(
    api, organizer_token, make_event, make_registration, frozen_now
):
    starts = NOW + timedelta(days=10)
    event = make_event(
        starts_at=starts, ends_at=starts + timedelta(hours=2), reminder_rules=["60m"]
    )
    make_registration(event)
    make_registration(event)
    before = count(OutboxMessage)
    moved = starts + timedelta(days=1)
    response = api.patch(
        f"/api/v1/events/{event.id}",
        token=organizer_token,
        json={"starts_at": moved.isoformat(), "ends_at": (moved + timedelta(hours=2)).isoformat()},
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["starts_at"] == "2026-08-12T10:00:00+09:00"
    updates = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.id > before).order_by(OutboxMessage.id)
    ).all()
    assert len(updates) == 2
    assert all(
        m.subject.startswith("【日時・会場変更】") and m.calendar_method == "REQUEST"
        for m in updates
    )
    assert last_audit().action == "event.update"
    # The reminder follows the new start: nothing at the old time, one each at the new.
    frozen_now(starts - timedelta(minutes=59))
    assert queue_reminders(starts - timedelta(minutes=59)) == 0
    assert queue_reminders(moved - timedelta(minutes=59)) == 2


def test_a_reschedule_with_notify_false_mails_nobody(
    api, organizer_token, make_event, make_registration
):
    event = make_event()
    make_registration(event)
    before = count(OutboxMessage)
    response = api.patch(
        f"/api/v1/events/{event.id}?notify=false",
        token=organizer_token,
        json={"venue": "本庁舎", "format": "hybrid"},
    )
    assert response.status_code == 200
    assert response.get_json()["venue"] == "本庁舎"
    assert count(OutboxMessage) == before


def test_patch_keeps_what_it_does_not_mention(api, organizer_token, make_event):
    event = make_event(capacity=30, parts=[{"title": "第一部"}], tables=[{"title": "A"}])
    body = api.patch(
        f"/api/v1/events/{event.id}", token=organizer_token, json={"title": "新しい題"}
    ).get_json()
    assert body["title"] == "新しい題"
    assert body["capacity"] == 30
    assert [p["title"] for p in body["parts"]] == ["第一部"]
    body = api.patch(
        f"/api/v1/events/{event.id}", token=organizer_token, json={"capacity": None}
    ).get_json()
    assert body["capacity"] is None


def test_raising_the_capacity_confirms_the_first_in_line(
    api, organizer_token, make_event, make_registration
):
    event = make_event(capacity=1)
    make_registration(event)
    waiting = make_registration(event)
    response = api.patch(f"/api/v1/events/{event.id}", token=organizer_token, json={"capacity": 2})
    assert response.status_code == 200
    db.session.refresh(waiting)
    assert waiting.status == "confirmed"
    assert last_audit().detail["promoted"] == [waiting.id]


def test_patch_may_not_take_away_a_part_people_signed_up_for(
    api, organizer_token, make_event, make_registration
):
    event = make_event(parts=[{"title": "第一部"}, {"title": "第二部"}])
    make_registration(event, part_ids=[event.parts[1].id])
    response = api.patch(
        f"/api/v1/events/{event.id}",
        token=organizer_token,
        json={"parts": [{"id": event.parts[0].id, "title": "第一部"}]},
    )
    assert response.status_code == 409
    assert problem_fields(response) == {"parts"}


def test_patch_refuses_null_for_times(api, organizer_token, make_event):
    event = make_event()
    response = api.patch(
        f"/api/v1/events/{event.id}", token=organizer_token, json={"starts_at": None}
    )
    assert response.status_code == 422
    assert problem_fields(response) == {"starts_at"}


def test_publishing_opens_a_draft_once(api, organizer_token, make_event):
    event = make_event(status=EventStatus.DRAFT)
    response = api.post(f"/api/v1/events/{event.id}/publish", token=organizer_token)
    assert response.status_code == 200
    assert response.get_json()["status"] == "published"
    assert last_audit().action == "event.publish"
    again = api.post(f"/api/v1/events/{event.id}/publish", token=organizer_token)
    assert again.status_code == 409
    assert again.mimetype == "application/problem+json"


def test_cancelling_mails_attendees_and_the_waitlist(
    api, organizer_token, make_event, make_registration
):
    event = make_event(capacity=1)
    make_registration(event)
    make_registration(event)
    before = count(OutboxMessage)
    response = api.post(f"/api/v1/events/{event.id}/cancel", token=organizer_token)
    assert response.status_code == 200
    assert response.get_json()["status"] == "cancelled"
    assert count(OutboxMessage) == before + 2
    assert last_audit().detail["mailed"] == 2
    # Public readers still see it, as cancelled.
    assert api.get(f"/api/v1/events/{event.id}").get_json()["status"] == "cancelled"


def test_organizer_operations_on_a_missing_event_are_404(api, organizer_token):
    for method, path in (
        ("patch", "/api/v1/events/999"),
        ("post", "/api/v1/events/999/publish"),
        ("post", "/api/v1/events/999/cancel"),
    ):
        response = getattr(api, method)(path, token=organizer_token, json={})
        assert response.status_code == 404, path
        assert response.mimetype == "application/problem+json"
