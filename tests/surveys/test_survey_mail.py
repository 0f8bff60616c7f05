"""The follow-up and reminder mails: who gets them, when, once only, within the throttle."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app import clock
from app.extensions import db
from app.mail.outbox import OutboxMessage
from app.registrations.inputs import RegistrationInput
from app.registrations.signup import register_attendee
from app.scheduling.sweep import run_sweep
from app.surveys import followups
from app.surveys.answering import submit_answers
from app.surveys.inputs import AnswerInput
from app.surveys.models import SurveyInvitation


def _mails(category):
    return db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.category == category).order_by(OutboxMessage.id)
    ).all()


def test_follow_up_goes_an_hour_after_the_end_to_each_confirmed_attendee_once(
    upcoming_with_attendees, make_survey, frozen_now
):
    event, people = upcoming_with_attendees(3)
    make_survey(event)
    frozen_now(event.ends_at + timedelta(minutes=59))
    assert run_sweep(event.ends_at + timedelta(minutes=59))["surveys"] == 0
    at = frozen_now(event.ends_at + timedelta(minutes=60))
    assert run_sweep(at)["surveys"] == 3
    assert run_sweep(at + timedelta(minutes=1))["surveys"] == 0  # the sweep runs again
    mails = _mails("survey_invitation")
    assert sorted(m.to_addr for m in mails) == sorted(p.email for p in people)
    text = mails[0].text_body
    assert event.title in text
    assert "https://reskilling.example.jp/surveys/" in text
    assert "年" in text and "回答の締切" in text


def test_the_organizers_offset_moves_the_follow_up(upcoming_with_attendees, make_survey):
    event, _ = upcoming_with_attendees(1)
    make_survey(event, send_after_minutes=24 * 60)
    assert followups.send_survey_mail(1, event.ends_at + timedelta(hours=23)) == 0
    assert followups.surveys_with_mail_due(event.ends_at + timedelta(hours=23)) == []
    assert followups.surveys_with_mail_due(event.ends_at + timedelta(hours=24)) == [1]


def test_when_attendance_was_taken_only_those_checked_in_are_asked(
    upcoming_with_attendees, make_survey
):
    event, people = upcoming_with_attendees(3)
    people[1].checked_in_at = event.starts_at
    db.session.commit()
    make_survey(event)
    assert followups.send_survey_mail(1, event.ends_at + timedelta(hours=1)) == 1
    db.session.commit()
    assert [m.to_addr for m in _mails("survey_invitation")] == [people[1].email]


def test_cancelled_and_waitlisted_people_are_not_asked(
    upcoming_with_attendees, make_registration, make_survey
):
    event, people = upcoming_with_attendees(2)
    people[0].status = "cancelled"
    db.session.commit()
    make_survey(event)
    assert followups.send_survey_mail(1, event.ends_at + timedelta(hours=1)) == 1


def test_one_reminder_after_three_days_to_those_who_have_not_answered(
    upcoming_with_attendees, make_survey
):
    event, people = upcoming_with_attendees(2)
    survey = make_survey(event)
    sent = event.ends_at + timedelta(hours=1)
    followups.send_survey_mail(survey.id, sent)
    db.session.commit()
    invitation = db.session.scalar(
        select(SurveyInvitation).where(SurveyInvitation.registration_id == people[0].id)
    )
    submit_answers(invitation, AnswerInput(answers={str(survey.questions[0].id): 4}), sent)
    db.session.commit()
    assert followups.send_survey_mail(survey.id, sent + timedelta(days=2, hours=23)) == 0
    assert followups.send_survey_mail(survey.id, sent + timedelta(days=3)) == 1
    db.session.commit()
    assert followups.send_survey_mail(survey.id, sent + timedelta(days=4)) == 0
    assert [m.to_addr for m in _mails("survey_reminder")] == [people[1].email]


def test_no_mail_after_the_survey_closed(upcoming_with_attendees, make_survey):
    event, _ = upcoming_with_attendees(1)
    make_survey(event, closes_at=event.ends_at + timedelta(hours=2))
    late = event.ends_at + timedelta(hours=2)  # the worker was down until the close
    assert followups.surveys_with_mail_due(late) == []
    assert followups.send_survey_mail(1, late) == 0
    assert _mails("survey_invitation") == []


def test_the_per_recipient_throttle_holds_back_mail_until_a_later_sweep(
    app, upcoming_with_attendees, make_survey, frozen_now
):
    app.config["REQUESTED_MAIL_LIMIT"] = "1 per hour"
    events = [upcoming_with_attendees(0)[0] for _ in range(2)]
    for event in events:
        register_attendee(
            event.id,
            RegistrationInput(name="同じ人", email="same@city.example.jp", organization="鳥取県"),
            clock.now(),
        )
        db.session.commit()
        make_survey(event)
    at = frozen_now(events[0].ends_at + timedelta(hours=1))
    first = followups.send_survey_mail(1, at) + followups.send_survey_mail(2, at)
    db.session.commit()
    assert first == 1
    later = followups.send_survey_mail(2, frozen_now(at + timedelta(minutes=61)))
    db.session.commit()
    assert later == 1
    assert len(_mails("survey_invitation")) == 2
    assert db.session.scalar(select(func.count()).select_from(SurveyInvitation)) == 2


def test_an_invitation_is_unique_per_registration_in_the_database(
    upcoming_with_attendees, make_survey
):
    event, people = upcoming_with_attendees(1)
    survey = make_survey(event)
    db.session.add(SurveyInvitation(survey_id=survey.id, registration_id=people[0].id))
    db.session.commit()
    db.session.add(SurveyInvitation(survey_id=survey.id, registration_id=people[0].id))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
