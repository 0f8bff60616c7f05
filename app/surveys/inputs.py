"""The input models of a survey: its definition (what an organizer types in the console or
sends to the API) and one attendee's answers. The question rules are the sign-up question's
(app/events/inputs.py QuestionInput) with two more kinds: a 1–5 rating and a free comment."""

from datetime import datetime, timedelta
from typing import Annotated

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from pydantic import Field, StrictInt, StrictStr, field_validator

from app.events.inputs import MAX_QUESTIONS, QuestionInput
from app.inputs import Count, Flag, InputModel, Moment, Text, rule
from app.surveys.models import SurveyQuestionKind

INTRO_MAX = 2000
MAX_SEND_AFTER_MINUTES = 60 * 24 * 30  # a month after the event at the latest
MAX_REMINDER_DAYS = 30
DEFAULT_OPEN_DAYS = 14  # closes this long after the event unless the organizer says otherwise
RATING_MIN, RATING_MAX = 1, 5
# Past this an answer is not read at all; each question's own limit is checked by the service.
ANSWER_TEXT_MAX = 10_000


class SurveyQuestionInput(QuestionInput):
    """A question of the survey; choices belong to choice questions only (as on sign-up)."""

    # Widens the sign-up kinds (pydantic takes the subclass's field); the inherited choices
    # rule reads the survey's kinds as it reads the sign-up's.
    type: SurveyQuestionKind = SurveyQuestionKind.SHORT_TEXT  # type: ignore[assignment]


class SurveyInput(InputModel):
    """A survey as every door gives it: questions in display order (rows kept carry their id)."""

    labels = {
        "questions": _l("質問"),
        "questions.label": _l("質問文"),
        "questions.choices": _l("選択肢"),
        "closes_at": _l("回答の締切"),
    }

    intro: Annotated[str, Text(INTRO_MAX)] = ""
    """Shown above the questions."""
    anonymous: Flag = False
    """Anonymous: results and downloads name nobody; cannot change once someone answered."""
    send_after_minutes: Annotated[int, Count(MAX_SEND_AFTER_MINUTES)] = 60
    """The follow-up mail goes this many minutes after the event ends."""
    reminder_after_days: Annotated[int, Count(MAX_REMINDER_DAYS)] = 3
    """One reminder to those who have not answered, this many days after the follow-up; 0: none."""
    closes_at: Moment | None = None
    """Answers are taken (and editable) until then; none: 14 days after the event ends."""
    questions: Annotated[tuple[SurveyQuestionInput, ...], Field(max_length=MAX_QUESTIONS)] = Field(
        (), validate_default=True
    )

    @field_validator("questions")
    @classmethod
    def _at_least_one(
        cls, questions: tuple[SurveyQuestionInput, ...]
    ) -> tuple[SurveyQuestionInput, ...]:
        if not questions:
            raise rule(_("質問を1つ以上入力してください。"))
        return questions


def default_closing(ends_at: datetime) -> datetime:
    """When a survey closes if the organizer gives no date."""
    return ends_at + timedelta(days=DEFAULT_OPEN_DAYS)


AnswerValue = (
    Annotated[StrictStr, Field(max_length=ANSWER_TEXT_MAX)]
    | Annotated[tuple[Annotated[StrictStr, Field(max_length=200)], ...], Field(max_length=100)]
    | StrictInt
    | None
)


class AnswerInput(InputModel):
    """One attendee's answers keyed by question id (as text); each is checked against its
    question by the service (app/surveys/answering.py), which knows the survey."""

    answers: Annotated[
        dict[Annotated[str, Field(max_length=12)], AnswerValue], Field(max_length=MAX_QUESTIONS)
    ] = Field(default_factory=dict)
