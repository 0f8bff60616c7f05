"""The API's surveys: the definition (GET, PUT, the GET body sent back unchanged), the rules of
the console at this door too, and the results."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.audit.models import AuditEntry
from app.extensions import db
from app.surveys import followups
from app.surveys.answering import submit_answers
from app.surveys.inputs import AnswerInput
from app.surveys.models import SurveyInvitation
from tests.api.conftest import ApiClient, problem_fields


@pytest.fixture
def api(app):
    return ApiClient(app.test_client())


@pytest.fixture
def token(api_token):
    return api_token


def _put(api, path, token, body):
    return api.client.open(
        path, method="PUT", headers={"Authorization": f"Bearer {token}"}, json=body
    )


BODY = {
    "send_after_minutes": 120,
    "closes_at": "2026-09-30T17:00:00+09:00",
    "questions": [
        {"label": "満足度", "type": "rating", "required": True},
        {"label": "ご意見", "type": "comment"},
    ],
}


def test_put_creates_the_survey_and_get_returns_it_which_put_accepts_back(api, token, make_event):
    event = make_event()
    path = f"/api/v1/events/{event.id}/survey"
    assert api.get(path, token=token).status_code == 404
    created = _put(api, path, token, BODY)
    assert created.status_code == 200, created.get_json()
    document = api.get(path, token=token).get_json()
    assert document["send_after_minutes"] == 120
    assert document["closes_at"] == "2026-09-30T17:00:00+09:00"
    assert [q["type"] for q in document["questions"]] == ["rating", "comment"]
    again = _put(api, path, token, document)
    assert again.status_code == 200
    assert [q["id"] for q in again.get_json()["questions"]] == [
        q["id"] for q in document["questions"]
    ]


def test_the_api_refuses_what_the_console_refuses_naming_the_field(api, token, make_event):
    event = make_event()
    path = f"/api/v1/events/{event.id}/survey"
    body = {"questions": [{"label": "どれ", "type": "single_choice"}], "reminder_after_days": 99}
    response = _put(api, path, token, body)
    assert response.status_code == 422
    assert problem_fields(response) == {"questions[0].choices", "reminder_after_days"}
    assert _put(api, path, token, {"questions": []}).status_code == 422


def test_the_survey_needs_the_token(api, make_event):
    event = make_event()
    assert api.get(f"/api/v1/events/{event.id}/survey").status_code == 401


def test_results_through_the_api_are_counted_and_audited(
    api, token, upcoming_with_attendees, make_survey
):
    event, people = upcoming_with_attendees(2)
    survey = make_survey(event)
    sent = event.ends_at + timedelta(hours=1)
    followups.send_survey_mail(survey.id, sent)
    db.session.commit()
    invitation = db.session.scalars(select(SurveyInvitation)).first()
    rating, comment = str(survey.questions[0].id), str(survey.questions[4].id)
    submit_answers(invitation, AnswerInput(answers={rating: 4, comment: "有意義でした"}), sent)
    db.session.commit()
    response = api.get(f"/api/v1/events/{event.id}/survey/results", token=token)
    assert response.status_code == 200
    document = response.get_json()
    assert (document["invited"], document["responded"], document["response_rate"]) == (2, 1, 0.5)
    first = document["questions"][0]
    assert first["average"] == 4 and {"value": "4", "count": 1} in first["counts"]
    assert document["questions"][4]["answers"][0]["text"] == "有意義でした"
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "survey.api_results"))
