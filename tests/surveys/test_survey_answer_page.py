"""The answer page behind the personal link: answering, errors beside their questions with what
was typed kept, editing until the close date, and nothing for a wrong link."""

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.extensions import db
from app.mail.outbox import OutboxMessage
from app.surveys import followups
from app.surveys.models import SurveyInvitation, SurveyResponse


@pytest.fixture
def invited(upcoming_with_attendees, make_survey, frozen_now):
    """A survey mailed to one attendee; returns (survey, path of the personal link)."""
    event, _people = upcoming_with_attendees(1)
    survey = make_survey(event)
    at = frozen_now(event.ends_at + timedelta(hours=1))
    followups.send_survey_mail(survey.id, at)
    db.session.commit()
    mail = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.category == "survey_invitation")
    )
    url = re.search(r"https://reskilling\.example\.jp(/surveys/\S+)", mail.text_body).group(1)
    return survey, url


def _ids(survey):
    return [f"question_{q.id}" for q in survey.questions]


def test_an_attendee_answers_from_the_link_in_the_mail(client, invited):
    survey, url = invited
    rating, parts, nxt, short, comment = _ids(survey)
    page = client.get(url).get_data(as_text=True)
    assert survey.event.title in page and "全体の満足度" in page
    response = client.submit(
        url, {rating: "4", parts: ["第一部", "第二部"], nxt: "参加したい", comment: "良い会でした"}
    )
    assert response.status_code == 302
    saved = db.session.scalar(select(SurveyResponse))
    assert saved.answers[str(survey.questions[0].id)] == 4
    assert saved.answers[str(survey.questions[1].id)] == ["第一部", "第二部"]
    assert saved.registration_id is not None
    assert db.session.scalar(select(SurveyInvitation)).answered_at is not None


def test_a_missing_rating_is_named_and_what_was_typed_stays(client, invited):
    survey, url = invited
    rating, _parts, _next, short, comment = _ids(survey)
    response = client.submit(url, {short: "DX研修に使います", comment: "感想です"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "「全体の満足度」に回答してください。" in html
    assert "DX研修に使います" in html and "感想です" in html
    assert db.session.scalar(select(SurveyResponse)) is None


def test_a_rating_outside_one_to_five_and_a_choice_not_offered_are_refused(client, invited):
    survey, url = invited
    rating, parts, nxt, _short, _comment = _ids(survey)
    response = client.submit(url, {rating: "9", nxt: "その他"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "「全体の満足度」は1〜5の中から選んでください。" in html
    assert "「次回の参加」は選択肢の中から選んでください。" in html


def test_answers_can_be_edited_until_the_close_and_not_after(client, invited, frozen_now):
    survey, url = invited
    rating = _ids(survey)[0]
    first = client.submit(url, {rating: "2"})
    assert first.status_code == 302, first.get_data(as_text=True)
    page = client.get(url).get_data(as_text=True)
    assert "回答済みです" in page
    assert re.search(
        r'<input checked id="question_\d+-1" name="question_\d+" type="radio" value="2">', page
    )
    client.submit(url, {rating: "5"})
    responses = db.session.scalars(select(SurveyResponse)).all()
    assert len(responses) == 1 and responses[0].answers[str(survey.questions[0].id)] == 5
    token = client.token(url)
    frozen_now(survey.closes_at)
    closed = client.post(url, data={"csrf_token": token, rating: "1"})
    assert closed.status_code == 409
    assert "回答受付は終了しました" in closed.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(select(SurveyResponse)).answers[str(survey.questions[0].id)] == 5


def test_a_wrong_or_altered_link_finds_nothing(client, invited):
    _survey, url = invited
    assert client.get(url[:-2] + "xx").status_code == 404
    assert client.get("/surveys/garbage").status_code == 404
    assert client.get("/surveys/99999999999999999999.abc").status_code == 404


def test_posting_without_the_csrf_token_is_refused(client, invited):
    survey, url = invited
    response = client.post(url, data={_ids(survey)[0]: "3"})
    assert response.status_code == 400
    assert db.session.scalar(select(SurveyResponse)) is None


def test_an_anonymous_response_names_nobody(
    client, upcoming_with_attendees, make_survey, frozen_now
):
    event, _people = upcoming_with_attendees(1)
    survey = make_survey(event, anonymous=True)
    followups.send_survey_mail(survey.id, frozen_now(event.ends_at + timedelta(hours=1)))
    db.session.commit()
    mail = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.category == "survey_invitation")
    )
    url = re.search(r"https://reskilling\.example\.jp(/surveys/\S+)", mail.text_body).group(1)
    assert "匿名" in client.get(url).get_data(as_text=True)
    client.submit(url, {f"question_{survey.questions[0].id}": "3"})
    saved = db.session.scalar(select(SurveyResponse))
    assert saved.registration_id is None
    assert saved.answers == {str(survey.questions[0].id): 3}
