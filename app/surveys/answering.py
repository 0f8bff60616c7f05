"""Answering a survey through the personal link: find the invitation, check the answers against
the survey's questions (every problem at once, so the page can show them all), and keep them,
editable until the survey closes."""

import hashlib
import hmac
from datetime import datetime
from types import SimpleNamespace
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.errors import DomainError
from app.events.models import QuestionType
from app.extensions import db
from app.registrations.answers import InvalidAnswer, answer_problems
from app.surveys.inputs import RATING_MAX, RATING_MIN, AnswerInput
from app.surveys.models import (
    ANSWER_PURPOSE,
    Survey,
    SurveyInvitation,
    SurveyQuestion,
    SurveyQuestionKind,
    SurveyResponse,
)
from app.tokens import find_signed


class SurveyClosed(DomainError):
    message = _l("このアンケートの回答受付は終了しました。ご協力ありがとうございました。")


class InvalidAnswers(DomainError):
    """Some answers break their question's rule; `problems` holds one per question."""

    message = _l("回答を確認してください。")

    def __init__(self, problems: list[InvalidAnswer]):
        super().__init__()
        self.problems = problems


def find_invitation(token: str) -> SurveyInvitation | None:
    """The invitation a personal link was made for, or None (a wrong or revoked link)."""
    invitation: SurveyInvitation | None = find_signed(
        SurveyInvitation, token, ANSWER_PURPOSE, "nonce"
    )
    return invitation


def respondent_key(invitation: SurveyInvitation) -> str:
    """Finds the invitation's response without the response naming the invitation."""
    key = current_app.config["SECRET_KEY"].encode()
    message = f"survey-response:{invitation.survey_id}:{invitation.id}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def response_of(invitation: SurveyInvitation) -> SurveyResponse | None:
    return db.session.scalar(
        select(SurveyResponse).where(SurveyResponse.respondent_key == respondent_key(invitation))
    )


def is_open(survey: Survey, now: datetime) -> bool:
    return now < survey.closes_at


def _as_sign_up_question(question: SurveyQuestion) -> SimpleNamespace:
    """A comment is checked as a long text answer; the other kinds as on the sign-up form."""
    kind = QuestionType.LONG_TEXT if question.type == SurveyQuestionKind.COMMENT else question.type
    return SimpleNamespace(
        id=question.id,
        label=question.label,
        type=kind,
        required=question.required,
        choices=question.choices,
    )


def _rating_problem(question: SurveyQuestion, value: object) -> InvalidAnswer | None:
    if value is None or value == "":
        if question.required:
            return InvalidAnswer(
                _l("「%(label)s」に回答してください。", label=question.label),
                field=f"question_{question.id}",
            )
        return None
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or not RATING_MIN <= value <= RATING_MAX
    ):
        return InvalidAnswer(
            _l(
                "「%(label)s」は%(min)d〜%(max)dの中から選んでください。",
                label=question.label,
                min=RATING_MIN,
                max=RATING_MAX,
            ),
            field=f"question_{question.id}",
        )
    return None


def check_answers(survey: Survey, data: AnswerInput) -> dict[str, Any]:
    """The answers cleaned and keyed by str(question id); raises InvalidAnswers with every
    problem. Answers to questions the survey does not have are dropped."""
    given = dict(data.answers)
    ratings = [q for q in survey.questions if q.type == SurveyQuestionKind.RATING]
    others = [_as_sign_up_question(q) for q in survey.questions if q not in ratings]
    rating_keys = {str(q.id) for q in ratings}
    texts = {
        key: (list(value) if isinstance(value, tuple) else value)
        for key, value in given.items()
        if key not in rating_keys
    }
    # The sign-up rule reads only id, label, type, required and choices.
    cleaned, problems = answer_problems(others, texts)  # type: ignore[arg-type]
    for question in ratings:
        value = given.get(str(question.id))
        problem = _rating_problem(question, value)
        if problem is not None:
            problems.append(problem)
        elif value not in (None, ""):
            cleaned[str(question.id)] = value
    if problems:
        order = {f"question_{q.id}": i for i, q in enumerate(survey.questions)}
        raise InvalidAnswers(sorted(problems, key=lambda p: order.get(p.field or "", 0)))
    return cleaned


def submit_answers(
    invitation: SurveyInvitation, data: AnswerInput, now: datetime
) -> SurveyResponse:
    """Keep the attendee's answers, replacing earlier ones (the caller commits)."""
    survey = invitation.survey
    if not is_open(survey, now):
        raise SurveyClosed()
    answers = check_answers(survey, data)
    response = response_of(invitation)
    if response is None:
        response = SurveyResponse(
            survey_id=survey.id, respondent_key=respondent_key(invitation), submitted_at=now
        )
        db.session.add(response)
    response.answers = answers
    response.updated_at = now
    response.registration_id = None if survey.anonymous else invitation.registration_id
    if invitation.answered_at is None:
        # An anonymous survey keeps only the day, so the time cannot pair invitation and answers.
        invitation.answered_at = (
            now.replace(hour=0, minute=0, second=0, microsecond=0) if survey.anonymous else now
        )
    db.session.flush()
    return response
