"""A survey's results: how many were asked and answered (the response rate), and per question
the answers counted (choices, the 1–5 rating with its average) or listed (text and comments).
Anonymous surveys list texts without names."""

from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import func, select

from app.extensions import db
from app.surveys.inputs import RATING_MAX, RATING_MIN
from app.surveys.models import (
    Survey,
    SurveyInvitation,
    SurveyQuestion,
    SurveyQuestionKind,
    SurveyResponse,
)

COUNTED = {
    SurveyQuestionKind.SINGLE_CHOICE,
    SurveyQuestionKind.MULTIPLE_CHOICE,
    SurveyQuestionKind.RATING,
}


@dataclass(frozen=True)
class ResponseRate:
    """Answered of asked; `rate` is None while nobody was asked."""

    invited: int
    responded: int

    @property
    def rate(self) -> float | None:
        return self.responded / self.invited if self.invited else None

    @property
    def percent(self) -> int | None:
        return None if self.rate is None else round(self.rate * 100)


@dataclass(frozen=True)
class WrittenAnswer:
    text: str
    # The respondent's name and organisation; empty for anonymous surveys.
    who: str = ""


@dataclass
class QuestionResult:
    question: SurveyQuestion
    answered: int = 0
    counts: list[tuple[str, int]] = field(default_factory=list)
    average: float | None = None
    texts: list[WrittenAnswer] = field(default_factory=list)

    @property
    def is_counted(self) -> bool:
        return self.question.type in COUNTED


@dataclass(frozen=True)
class SurveyResults:
    survey: Survey
    response: ResponseRate
    questions: list[QuestionResult]


def response_rate(survey_id: int) -> ResponseRate:
    invited = db.session.scalar(
        select(func.count())
        .select_from(SurveyInvitation)
        .where(SurveyInvitation.survey_id == survey_id)
    )
    responded = db.session.scalar(
        select(func.count())
        .select_from(SurveyResponse)
        .where(SurveyResponse.survey_id == survey_id)
    )
    return ResponseRate(invited or 0, responded or 0)


def responses(survey: Survey) -> list[SurveyResponse]:
    """The survey's responses, oldest first."""
    return list(
        db.session.scalars(
            select(SurveyResponse)
            .where(SurveyResponse.survey_id == survey.id)
            .order_by(SurveyResponse.submitted_at, SurveyResponse.id)
        )
    )


def respondent(survey: Survey, response: SurveyResponse) -> str:
    """「氏名（所属）」 for a named survey; empty for an anonymous one."""
    registration = response.registration
    if survey.anonymous or registration is None:
        return ""
    return f"{registration.name}（{registration.organization_name}）"


def _question_result(
    survey: Survey, question: SurveyQuestion, rows: list[SurveyResponse]
) -> QuestionResult:
    result = QuestionResult(question)
    key = str(question.id)
    values = [
        (row, row.answers.get(key)) for row in rows if row.answers.get(key) not in (None, "", [])
    ]
    result.answered = len(values)
    if question.type == SurveyQuestionKind.RATING:
        ratings = [v for _row, v in values if isinstance(v, int)]
        tally = Counter(ratings)
        result.counts = [(str(n), tally[n]) for n in range(RATING_MIN, RATING_MAX + 1)]
        result.average = sum(ratings) / len(ratings) if ratings else None
    elif question.type in (SurveyQuestionKind.SINGLE_CHOICE, SurveyQuestionKind.MULTIPLE_CHOICE):
        chosen: Counter[str] = Counter()
        for _row, value in values:
            chosen.update(value if isinstance(value, list) else [str(value)])
        result.counts = [(choice, chosen[choice]) for choice in question.choices]
    else:
        result.texts = [WrittenAnswer(str(value), respondent(survey, row)) for row, value in values]
    return result


def survey_results(survey: Survey) -> SurveyResults:
    """Everything the results page, the API and the downloads show."""
    rows = responses(survey)
    return SurveyResults(
        survey=survey,
        response=ResponseRate(response_rate(survey.id).invited, len(rows)),
        questions=[_question_result(survey, q, rows) for q in survey.questions],
    )
