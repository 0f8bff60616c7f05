"""The API's survey resources: the definition as shown (SurveyResource) and as sent back
(SurveyBody, the survey's input model plus the fields the server decides), and the results
(SurveyResultsResource). The OpenAPI document is generated from these."""

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app

from app.api.resources import ReadOnly, Resource
from app.surveys.inputs import SurveyInput
from app.surveys.models import Survey, SurveyQuestionKind
from app.surveys.results import SurveyResults


def _local(moment: datetime) -> datetime:
    return moment.astimezone(ZoneInfo(current_app.config["APP_TIMEZONE"]))


class SurveyQuestionResource(Resource):
    id: int
    label: str
    type: SurveyQuestionKind
    """short_text, long_text, single_choice, multiple_choice (as on sign-up), rating (1–5),
    comment (free comment)."""
    required: bool
    choices: list[str]


class SurveyResource(Resource):
    """An event's survey: its settings and questions."""

    id: int
    event_id: int
    intro: str
    anonymous: bool
    send_after_minutes: int
    """The follow-up mail goes this many minutes after the event ends."""
    reminder_after_days: int
    """One reminder to those who have not answered, this many days after the follow-up; 0: none."""
    closes_at: datetime
    questions: list[SurveyQuestionResource]
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, survey: Survey) -> "SurveyResource":
        return cls(
            id=survey.id,
            event_id=survey.event_id,
            intro=survey.intro,
            anonymous=survey.anonymous,
            send_after_minutes=survey.send_after_minutes,
            reminder_after_days=survey.reminder_after_days,
            closes_at=_local(survey.closes_at),
            questions=[
                SurveyQuestionResource(
                    id=q.id,
                    label=q.label,
                    type=SurveyQuestionKind(q.type),
                    required=q.required,
                    choices=q.choices,
                )
                for q in survey.questions
            ],
            created_at=_local(survey.created_at),
            updated_at=_local(survey.updated_at),
        )


class SurveyBody(SurveyInput):
    """A survey as a client sends it (PUT creates or replaces it): the representation GET
    returns is accepted as it is. Questions kept carry their id; omitted optional fields take
    their defaults."""

    id: ReadOnly = None
    event_id: ReadOnly = None
    created_at: ReadOnly = None
    updated_at: ReadOnly = None

    def to_input(self) -> SurveyInput:
        return SurveyInput(**{name: getattr(self, name) for name in SurveyInput.model_fields})


class ChoiceCountResource(Resource):
    value: str
    """The option, or the rating "1" … "5"."""
    count: int


class WrittenAnswerResource(Resource):
    text: str
    respondent: str | None
    """「氏名（所属）」; null in an anonymous survey."""


class QuestionResultResource(Resource):
    id: int
    label: str
    type: SurveyQuestionKind
    answered: int
    counts: list[ChoiceCountResource] | None
    """Choice and rating questions: how often each option was chosen; null for text."""
    average: float | None
    """Rating questions: the mean of the answers; null otherwise or without answers."""
    answers: list[WrittenAnswerResource] | None
    """Text and comment questions: every answer; null for counted questions."""


class SurveyResultsResource(Resource):
    """How many were asked and answered, and each question's answers."""

    event_id: int
    anonymous: bool
    invited: int
    responded: int
    response_rate: float | None
    """responded / invited, from 0 to 1; null while nobody was asked."""
    questions: list[QuestionResultResource]

    @classmethod
    def of(cls, results: SurveyResults) -> "SurveyResultsResource":
        return cls(
            event_id=results.survey.event_id,
            anonymous=results.survey.anonymous,
            invited=results.response.invited,
            responded=results.response.responded,
            response_rate=results.response.rate,
            questions=[
                QuestionResultResource(
                    id=item.question.id,
                    label=item.question.label,
                    type=SurveyQuestionKind(item.question.type),
                    answered=item.answered,
                    counts=[ChoiceCountResource(value=v, count=c) for v, c in item.counts]
                    if item.is_counted
                    else None,
                    average=item.average,
                    answers=None
                    if item.is_counted
                    else [
                        WrittenAnswerResource(text=a.text, respondent=a.who or None)
                        for a in item.texts
                    ],
                )
                for item in results.questions
            ],
        )
