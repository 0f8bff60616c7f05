"""Defining an event's survey: create or replace it from a SurveyInput, keeping the questions
that carry their id (so answers already given stay with them), and find it again."""

from datetime import timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.audit.actor import Actor
from app.audit.services import record
from app.errors import DomainError
from app.events.lookup import get_event
from app.extensions import db
from app.surveys.inputs import SurveyInput, default_closing
from app.surveys.models import Survey, SurveyQuestion, SurveyResponse


class AnonymityLocked(DomainError):
    """Switching between anonymous and named after someone answered would break a promise."""

    message = _l(
        "回答がすでにあるため、匿名・記名の設定は変更できません。元の設定のまま保存してください。"
    )
    field = "anonymous"


class UnknownQuestion(DomainError):
    message = _l(
        "この質問はこのアンケートにありません。id を外して新しい質問として送ってください。"
    )
    field = "questions"


class ClosesBeforeFollowUp(DomainError):
    """A survey closing before its follow-up mail goes could never be answered."""

    message = _l(
        "回答の締切は、依頼メールを送る日時（イベント終了＋指定の分数）より後にしてください。"
    )
    field = "closes_at"


def survey_of(event_id: int) -> Survey | None:
    """The event's survey, or None when it has none."""
    return db.session.scalar(select(Survey).where(Survey.event_id == event_id))


def response_count(survey_id: int) -> int:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(SurveyResponse)
            .where(SurveyResponse.survey_id == survey_id)
        )
        or 0
    )


def save_survey(event_id: int, data: SurveyInput, *, actor: Actor) -> Survey:
    """Create the event's survey or replace its definition (the caller commits)."""
    event = get_event(event_id)
    survey = survey_of(event.id)
    created = survey is None
    if survey is not None and survey.anonymous != data.anonymous and response_count(survey.id):
        raise AnonymityLocked()
    closes_at = data.closes_at or default_closing(event.ends_at)
    if closes_at <= event.ends_at + timedelta(minutes=data.send_after_minutes):
        raise ClosesBeforeFollowUp()
    if survey is None:
        survey = Survey(event_id=event.id)
        db.session.add(survey)
    survey.intro = data.intro
    survey.anonymous = data.anonymous
    survey.send_after_minutes = data.send_after_minutes
    survey.reminder_after_days = data.reminder_after_days
    survey.closes_at = closes_at
    _replace_questions(survey, data)
    db.session.flush()
    record(
        actor,
        "survey.create" if created else "survey.update",
        f"event:{event.id}",
        questions=len(data.questions),
        anonymous=data.anonymous,
    )
    return survey


def _replace_questions(survey: Survey, data: SurveyInput) -> None:
    existing = {question.id: question for question in survey.questions}
    kept = []
    for index, row in enumerate(data.questions):
        if row.id is not None and row.id not in existing:
            raise UnknownQuestion(field=f"questions-{index}-id")
        question = existing.get(row.id) if row.id is not None else None
        if question is None:
            question = SurveyQuestion()
        question.position = index
        question.label = row.label
        question.type = row.type
        question.required = row.required
        question.choices = list(row.choices)
        kept.append(question)
    survey.questions = kept
