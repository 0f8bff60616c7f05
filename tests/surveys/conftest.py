"""Fixtures of the survey tests: an event that has ended, with attendees and a survey."""

from datetime import timedelta

import pytest

from app.audit.actor import SYSTEM
from app.extensions import db
from app.surveys.inputs import SurveyInput
from app.surveys.services import save_survey
from tests.conftest import NOW
from tests.factories import make_api_token

QUESTIONS = (
    {"label": "全体の満足度", "type": "rating", "required": True},
    {"label": "参考になった部", "type": "multiple_choice", "choices": ["第一部", "第二部"]},
    {"label": "次回の参加", "type": "single_choice", "choices": ["参加したい", "未定"]},
    {"label": "所属での活用予定", "type": "short_text"},
    {"label": "ご意見・ご感想", "type": "comment"},
)


@pytest.fixture
def ended_event(make_event):
    """A published event that ended an hour before NOW (so sign-ups were made before it)."""

    def make(**fields):
        return make_event(
            starts_at=NOW - timedelta(hours=3), ends_at=NOW - timedelta(hours=1), **fields
        )

    return make


@pytest.fixture
def upcoming_with_attendees(make_event, make_registration):
    """An event in a week with `count` confirmed attendees; returns (event, registrations)."""

    def make(count=3, **fields):
        event = make_event(
            starts_at=NOW + timedelta(days=7), ends_at=NOW + timedelta(days=7, hours=2), **fields
        )
        people = [make_registration(event) for _ in range(count)]
        return event, people

    return make


@pytest.fixture
def api_token(make_organizer):
    """A bearer token of an organizer, for the API's survey endpoints."""
    _row, token = make_api_token(make_organizer())
    return token


@pytest.fixture
def make_survey(app):
    def make(event, questions=QUESTIONS, **fields):
        survey = save_survey(event.id, SurveyInput(questions=questions, **fields), actor=SYSTEM)
        db.session.commit()
        return survey

    return make
