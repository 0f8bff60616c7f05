"""Members (参加のお申し込み with double opt-in, listed and read by organizers) and
announcements (created and scheduled, progress read back) through the API."""

from datetime import timedelta

from sqlalchemy import func, select

from app.announcements.models import Announcement
from app.announcements.sending import queue_due_announcements
from app.audit.models import AuditEntry
from app.extensions import db
from app.mail.outbox import OutboxMessage
from app.members.models import Member, MemberStatus
from tests.api.conftest import problem_fields
from tests.conftest import NOW
from tests.factories import join_network

APPLICANT = {
    "name": "佐藤 花子",
    "email": "hanako@city.example.jp",
    "organization": "鳥取県",
    "department": "人事課",
    "theme_interests": ["staff"],
    "listed_publicly": True,
    "consent": True,
    "privacy": True,
}


def mails_to(address):
    return db.session.scalars(select(OutboxMessage).where(OutboxMessage.to_addr == address)).all()


def test_an_application_is_accepted_pending_and_mailed_a_confirmation_link(api):
    response = api.post("/api/v1/members", json=APPLICANT)
    assert response.status_code == 202
    assert response.get_json()["status"] == "accepted"
    row = db.session.scalar(select(Member))
    assert (row.status, row.listed_publicly, row.theme_interests) == (
        MemberStatus.PENDING,
        True,
        ["staff"],
    )
    assert row.consent_at == NOW
    [mail] = mails_to("hanako@city.example.jp")
    assert "/join/confirm/" in mail.text_body


def test_an_existing_member_gets_the_same_answer_and_no_second_row(api):
    join_network("hanako@city.example.jp")
    response = api.post("/api/v1/members", json=APPLICANT)
    assert response.status_code == 202
    assert db.session.scalar(select(func.count()).select_from(Member)) == 1


def test_an_application_needs_consent_and_the_forms_fields(api):
    response = api.post(
        "/api/v1/members",
        json={**APPLICANT, "consent": False, "email": "x", "theme_interests": ["golf"], "name": 3},
    )
    assert response.status_code == 422
    assert problem_fields(response) == {"consent", "email", "theme_interests[0]", "name"}
    assert db.session.scalar(select(func.count()).select_from(Member)) == 0


def test_organizers_list_and_read_members(api, organizer_token):
    active = join_network("a@city.example.jp")
    join_network("p@city.example.jp", confirm=False)
    listing = api.get("/api/v1/members", token=organizer_token).get_json()
    assert listing["total"] == 2
    only_active = api.get("/api/v1/members?status=active", token=organizer_token).get_json()
    assert [m["email"] for m in only_active["items"]] == ["a@city.example.jp"]
    body = api.get(f"/api/v1/members/{active.id}", token=organizer_token).get_json()
    assert (body["status"], body["organization_code"]) == ("active", "310000")
    assert api.get(f"/api/v1/members/{active.id}").status_code == 401
    assert api.get("/api/v1/members/999", token=organizer_token).status_code == 404


def test_an_announcement_is_created_scheduled_and_its_progress_read(
    api, organizer_token, make_event, make_registration, frozen_now
):
    event = make_event()
    make_registration(event)
    make_registration(event)
    send_at = NOW + timedelta(days=1)
    response = api.post(
        "/api/v1/announcements",
        token=organizer_token,
        json={
            "subject": "{event_title} のご案内",
            "body": "{name} 様\n{event_date} に開催します。\n{manage_url}",
            "audience": {"kind": "event_registrants", "event_id": event.id},
            "send_at": send_at.isoformat(),
        },
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["status"], body["send_at"]) == ("scheduled", "2026-08-02T10:00:00+09:00")
    assert body["progress"]["total"] == 0
    entry = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    assert entry.action == "announcement.create"

    frozen_now(send_at)
    assert queue_due_announcements(send_at) == 1
    db.session.commit()
    progress = api.get(f"/api/v1/announcements/{body['id']}", token=organizer_token).get_json()
    assert progress["status"] == "queued"
    assert (progress["progress"]["recipients"], progress["progress"]["queued"]) == (2, 2)


def test_without_send_at_an_announcement_is_a_draft(api, organizer_token):
    join_network("m@city.example.jp")
    response = api.post(
        "/api/v1/announcements",
        token=organizer_token,
        json={"subject": "お知らせ", "body": "本文", "audience": {"kind": "members"}},
    )
    assert response.get_json()["status"] == "draft"


def test_announcement_errors_name_the_field(api, organizer_token, make_event):
    cases = [
        ({"subject": "件名", "body": "{nmae} 様", "audience": {"kind": "members"}}, 422, {"body"}),
        (
            {"subject": "件名", "body": "本文", "audience": {"kind": "event_registrants"}},
            422,
            {"audience.event_id"},
        ),
        (
            {"subject": "件名", "body": "本文", "audience": {"kind": "everyone"}},
            422,
            {"audience.kind"},
        ),
        (
            {
                "subject": "件名",
                "body": "本文",
                "audience": {"kind": "members"},
                "send_at": "2026-07-01T10:00:00+09:00",
            },
            422,
            {"send_at"},
        ),
        ({"body": "本文", "audience": "members"}, 422, {"subject", "audience"}),
    ]
    for body, status, fields in cases:
        response = api.post("/api/v1/announcements", token=organizer_token, json=body)
        assert response.status_code == status, body
        assert problem_fields(response) == fields, body
    assert db.session.scalar(select(func.count()).select_from(Announcement)) == 0


def test_announcements_are_for_organizers(api, organizer_token):
    assert api.post("/api/v1/announcements", json={}).status_code == 401
    assert api.get("/api/v1/announcements/1").status_code == 401
    assert api.get("/api/v1/announcements/999", token=organizer_token).status_code == 404
