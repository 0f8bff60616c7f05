"""Registrations through the API: the public sign-up with the HTML form's checks and rules, and
the organizers' list, read, cancel, promote and check-in."""

from datetime import timedelta

from sqlalchemy import func, select

from app.audit.models import AuditEntry
from app.events.models import EventStatus, Question, QuestionType
from app.extensions import db
from app.mail.outbox import OutboxMessage
from app.registrations.models import Registration, RegistrationStatus
from tests.api.conftest import problem_fields
from tests.conftest import NOW

PERSON = {
    "name": "山田 太郎",
    "furigana": "やまだ たろう",
    "email": "ｔａｒｏ＠city.example.jp",
    "organization": "東京都　江戸川区",
    "department": "総務部デジタル推進課",
    "position": "主任",
    "privacy": True,
}


def sign_up(api, event, **fields):
    return api.post(f"/api/v1/events/{event.id}/registrations", json={**PERSON, **fields})


def stored():
    return db.session.scalar(select(func.count()).select_from(Registration))


def last_audit():
    return db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).one()


def test_a_sign_up_is_confirmed_with_201_and_a_confirmation_mail(api, make_event):
    event = make_event(capacity=10)
    response = sign_up(api, event)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["status"] == "confirmed"
    assert body["email"] == "taro@city.example.jp"  # full-width input normalised, as on the form
    assert body["organization"] == "江戸川区" or "江戸川区" in body["organization"]
    assert body["organization_code"] == "131237"
    assert body["event_id"] == event.id and body["checked_in"] is False
    assert body["created_at"] == "2026-08-01T10:00:00+09:00"
    assert response.headers["Location"].endswith(f"/api/v1/registrations/{body['id']}")
    mail = db.session.scalar(select(OutboxMessage))
    assert mail.to_addr == "taro@city.example.jp"
    assert mail.subject.startswith("【お申し込み完了】")


def test_a_full_event_waitlists_with_201(api, make_event, make_registration):
    event = make_event(capacity=1)
    make_registration(event)
    response = sign_up(api, event)
    assert response.status_code == 201
    assert response.get_json()["status"] == "waitlisted"


def test_an_event_in_approval_mode_answers_pending(api, make_event):
    event = make_event(requires_approval=True)
    assert sign_up(api, event).get_json()["status"] == "pending"


def test_the_same_address_twice_is_a_409_on_the_email_field(api, make_event):
    event = make_event()
    assert sign_up(api, event).status_code == 201
    response = sign_up(api, event, email="TARO@city.example.jp")
    assert response.status_code == 409
    assert problem_fields(response) == {"email"}
    assert response.get_json()["type"].endswith("#problem-already-registered")
    assert stored() == 1


def test_outside_the_window_is_409(api, make_event):
    closed = make_event(registration_closes_at=NOW - timedelta(hours=1))
    not_yet = make_event(registration_opens_at=NOW + timedelta(days=1))
    cancelled = make_event(status=EventStatus.CANCELLED)
    for event, kind in (
        (closed, "registration-closed"),
        (not_yet, "registration-not-open"),
        (cancelled, "event-cancelled"),
    ):
        response = sign_up(api, event)
        assert response.status_code == 409
        assert response.get_json()["type"].endswith("#problem-" + kind)
    assert stored() == 0


def test_a_draft_or_missing_event_is_404(api, make_event):
    draft = make_event(status=EventStatus.DRAFT)
    assert sign_up(api, draft).status_code == 404
    assert api.post("/api/v1/events/999/registrations", json=PERSON).status_code == 404


def test_the_form_checks_apply_and_nothing_is_stored(api, make_event):
    event = make_event()
    response = sign_up(
        api,
        event,
        name="",
        email="taro@",
        organization="鳥取\x00県",
        department="x" * 201,
        privacy=False,
    )
    assert response.status_code == 422
    assert problem_fields(response) == {"name", "email", "organization", "department", "privacy"}
    assert stored() == 0
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_parts_and_table_are_checked_by_the_service(api, make_event):
    event = make_event(
        parts=[{"title": "第一部"}, {"title": "第二部", "uses_tables": True}],
        tables=[{"title": "庁内職員向け事業", "capacity": 1}],
    )
    first, second = (part.id for part in event.parts)
    assert problem_fields(sign_up(api, event)) == {"parts"}
    assert problem_fields(sign_up(api, event, parts=[999])) == {"parts"}
    assert problem_fields(sign_up(api, event, parts=[second])) == {"table"}
    assert problem_fields(sign_up(api, event, parts=["x"])) == {"parts[0]"}
    table = event.tables[0].id
    body = sign_up(api, event, parts=[first, second], table=table).get_json()
    assert (body["parts"], body["table"], body["status"]) == ([first, second], table, "confirmed")
    # The table's one seat is taken: the next person waits.
    other = sign_up(api, event, email="b@city.example.jp", parts=[second], table=table)
    assert other.get_json()["status"] == "waitlisted"


def test_answers_to_custom_questions_are_checked_and_kept(api, make_event):
    event = make_event()
    required = Question(
        event=event,
        label="懇親会",
        type=QuestionType.SINGLE_CHOICE,
        required=True,
        choices=["参加", "不参加"],
    )
    several = Question(
        event=event,
        label="関心",
        type=QuestionType.MULTIPLE_CHOICE,
        choices=["A", "B", "C"],
        position=1,
    )
    db.session.add_all([required, several])
    db.session.commit()
    missing = sign_up(api, event)
    assert missing.status_code == 422
    assert problem_fields(missing) == {f"answers.{required.id}"}
    wrong = sign_up(api, event, answers={str(required.id): "たぶん"})
    assert problem_fields(wrong) == {f"answers.{required.id}"}
    assert problem_fields(sign_up(api, event, answers=["参加"])) == {"answers"}
    response = sign_up(api, event, answers={str(required.id): "参加", str(several.id): ["C", "A"]})
    assert response.status_code == 201
    assert response.get_json()["answers"] == {str(required.id): "参加", str(several.id): ["A", "C"]}


def test_organizers_list_an_events_registrations_with_a_status_filter(
    api, organizer_token, make_event, make_registration
):
    event = make_event(capacity=1)
    make_registration(event)
    make_registration(event)
    everyone = api.get(f"/api/v1/events/{event.id}/registrations", token=organizer_token)
    assert everyone.status_code == 200
    assert everyone.get_json()["total"] == 2
    waiting = api.get(
        f"/api/v1/events/{event.id}/registrations?status=waitlisted&per_page=1",
        token=organizer_token,
    ).get_json()
    assert [r["status"] for r in waiting["items"]] == ["waitlisted"]
    assert waiting["next"] is None
    assert api.get(f"/api/v1/events/{event.id}/registrations").status_code == 401
    assert api.get("/api/v1/events/999/registrations", token=organizer_token).status_code == 404


def test_organizers_read_a_registration(api, organizer_token, make_event, make_registration):
    registration = make_registration(make_event())
    body = api.get(f"/api/v1/registrations/{registration.id}", token=organizer_token).get_json()
    assert body["id"] == registration.id and body["name"] == registration.name
    assert api.get(f"/api/v1/registrations/{registration.id}").status_code == 401
    assert api.get("/api/v1/registrations/999", token=organizer_token).status_code == 404


def test_cancelling_frees_the_seat_for_the_first_in_line(
    api, organizer_token, make_event, make_registration
):
    event = make_event(capacity=1)
    seated = make_registration(event)
    waiting = make_registration(event)
    response = api.post(f"/api/v1/registrations/{seated.id}/cancel", token=organizer_token)
    assert response.status_code == 200
    assert response.get_json()["status"] == "cancelled"
    db.session.refresh(waiting)
    assert waiting.status == RegistrationStatus.CONFIRMED
    assert last_audit().action == "registration.cancel"
    assert last_audit().detail["promoted"] == [waiting.id]
    again = api.post(f"/api/v1/registrations/{seated.id}/cancel", token=organizer_token)
    assert again.status_code == 409


def test_promoting_needs_a_free_seat(api, organizer_token, make_event, make_registration):
    event = make_event(capacity=1)
    seated = make_registration(event)
    waiting = make_registration(event)
    full = api.post(f"/api/v1/registrations/{waiting.id}/promote", token=organizer_token)
    assert full.status_code == 409
    assert full.get_json()["type"].endswith("#problem-no-seat-free")
    not_waiting = api.post(f"/api/v1/registrations/{seated.id}/promote", token=organizer_token)
    assert not_waiting.status_code == 409
    event.capacity = 2
    db.session.commit()
    response = api.post(f"/api/v1/registrations/{waiting.id}/promote", token=organizer_token)
    assert response.status_code == 200
    assert response.get_json()["status"] == "confirmed"
    assert last_audit().action == "registration.promote"


def test_check_in_records_attendance_once(
    api, organizer_token, make_event, make_registration, frozen_now
):
    registration = make_registration(make_event())
    frozen_now(NOW + timedelta(hours=1))
    response = api.post(f"/api/v1/registrations/{registration.id}/check-in", token=organizer_token)
    assert response.status_code == 200
    body = response.get_json()
    assert body["checked_in"] is True
    assert body["checked_in_at"] == "2026-08-01T11:00:00+09:00"
    frozen_now(NOW + timedelta(hours=2))
    again = api.post(f"/api/v1/registrations/{registration.id}/check-in", token=organizer_token)
    assert again.get_json()["checked_in_at"] == "2026-08-01T11:00:00+09:00"
    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.action == "registration.check_in")
    ).all()
    assert len(entries) == 1


def test_a_cancelled_registration_cannot_be_checked_in(
    api, organizer_token, make_event, make_registration
):
    registration = make_registration(make_event())
    api.post(f"/api/v1/registrations/{registration.id}/cancel", token=organizer_token)
    response = api.post(f"/api/v1/registrations/{registration.id}/check-in", token=organizer_token)
    assert response.status_code == 409
