"""The event's statistics page: the 「N 自治体・M 名」 line gains the survey's response rate."""

from datetime import timedelta

from sqlalchemy import select

from app import clock
from app.extensions import db
from app.statistics.services import event_statistics
from app.surveys import followups
from app.surveys.answering import submit_answers
from app.surveys.inputs import AnswerInput
from app.surveys.models import SurveyInvitation


def test_the_headcount_line_shows_the_response_rate(
    organizer_client, upcoming_with_attendees, make_survey
):
    event, _people = upcoming_with_attendees(3)
    page = f"/admin/events/{event.id}/statistics"
    assert "アンケート回答率" not in organizer_client.get(page).get_data(as_text=True)
    survey = make_survey(event)
    sent = event.ends_at + timedelta(hours=1)
    followups.send_survey_mail(survey.id, sent)
    db.session.commit()
    invitation = db.session.scalars(select(SurveyInvitation)).first()
    submit_answers(invitation, AnswerInput(answers={str(survey.questions[0].id): 3}), sent)
    db.session.commit()
    html = organizer_client.get(page).get_data(as_text=True)
    assert "1 自治体・3 名・アンケート回答率 33%（回答 1 / 依頼 3）" in html


def test_an_event_without_a_survey_has_no_rate(make_event):
    stats = event_statistics(make_event(), clock.now())
    assert stats.survey is None
