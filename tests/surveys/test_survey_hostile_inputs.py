"""Hostile answers and definitions at every door of the survey (the answer page, the console,
the API): NUL and other control characters, pasted line separators, wrong types, huge numbers
and texts. Each is refused with a message naming its field, or cleaned; none is a 500."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.mail.outbox import OutboxMessage
from app.surveys import followups
from app.surveys.models import SurveyResponse
from tests.api.conftest import ApiClient

HOSTILE_TEXTS = ["\x00", "a\x00b", "\u2028改行", "\x1b[31m", "x" * 50_000, "\u200b\u3000"]


@pytest.fixture
def answer_url(upcoming_with_attendees, make_survey, frozen_now):
    event, _people = upcoming_with_attendees(1)
    survey = make_survey(event)
    followups.send_survey_mail(survey.id, frozen_now(event.ends_at + timedelta(hours=1)))
    db.session.commit()
    mail = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.category == "survey_invitation")
    )
    path = re.search(r"https://reskilling\.example\.jp(/surveys/\S+)", mail.text_body).group(1)
    return survey, path


@pytest.mark.parametrize("text", HOSTILE_TEXTS)
def test_hostile_text_answers_are_refused_or_cleaned_never_a_500(client, answer_url, text):
    survey, path = answer_url
    rating, _parts, nxt, short, comment = (f"question_{q.id}" for q in survey.questions)
    response = client.submit(path, {rating: "3", short: text, comment: text, nxt: text})
    assert response.status_code in (302, 422), response.status_code
    if response.status_code == 422:
        assert "error" in response.get_data(as_text=True)
    stored = db.session.scalar(select(SurveyResponse))
    if stored is not None:
        for value in stored.answers.values():
            assert "\x00" not in str(value)


@pytest.mark.parametrize("rating", ["0", "6", "-1", "1.5", "９", "9" * 5000, "true", ""])
def test_a_rating_that_is_not_one_to_five_is_refused(client, answer_url, rating):
    survey, path = answer_url
    response = client.submit(path, {f"question_{survey.questions[0].id}": rating})
    assert response.status_code == 422
    assert "「全体の満足度」" in response.get_data(as_text=True)
    assert db.session.scalar(select(SurveyResponse)) is None


@pytest.mark.parametrize(
    "body",
    [
        {"questions": [{"label": "\x00", "type": "rating"}]},
        {"questions": [{"label": "a", "type": "nonsense"}]},
        {"questions": [{"label": "a", "type": "rating", "id": 2**40}]},
        {"questions": [{"label": "a", "type": "rating", "id": 999}]},
        {"questions": "not a list"},
        {"questions": [{"label": "a"}], "send_after_minutes": 10**30},
        {"questions": [{"label": "a"}], "closes_at": "2026-09-30T17:00:00"},
        {"questions": [{"label": "a"}], "anonymous": "yes"},
        {"questions": [{"label": "a"}], "intro": "x" * 50_000},
        {"questions": [{"label": "a"}], "unknown": 1},
        [],
        "text",
    ],
)
def test_hostile_survey_definitions_through_the_api_are_4xx(app, make_event, api_token, body):
    event = make_event()
    token = api_token
    api = ApiClient(app.test_client())
    response = api.client.open(
        f"/api/v1/events/{event.id}/survey",
        method="PUT",
        headers={"Authorization": f"Bearer {token}"},
        json=body,
    )
    assert 400 <= response.status_code < 500, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"


def test_hostile_console_rows_are_named_not_a_500(organizer_client, make_event):
    event = make_event()
    response = organizer_client.submit(
        f"/admin/events/{event.id}/survey",
        {
            "questions-0-label": "満足度\x00",
            "questions-0-type": "rating",
            "questions-0-row_id": "9" * 5000,
            "questions-1-label": "x",
            "questions-1-type": "bogus",
            "send_after_minutes": "9" * 5000,
            "closes_at": "20266-01-01 10:00",
        },
    )
    assert response.status_code == 422
