"""A survey of an event, its questions, one invitation per attendee and the answers.

The invitation row is unique per survey and registration and is written in the same
transaction as the follow-up mail it records, so a second sweep or a racing worker cannot mail
anyone twice. An anonymous survey's response carries no registration: it is found from the
invitation by a keyed hash, so answers are editable yet not linked to a person in the tables.
"""

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app import clock
from app.database import UTCDateTime
from app.events.models import Event, QuestionType
from app.extensions import Model
from app.registrations.models import Registration
from app.tokens import make_token, new_nonce

ANSWER_PURPOSE = "survey-answer"


class SurveyQuestionKind(StrEnum):
    """The sign-up question kinds (app/events/models.py QuestionType) plus a rating and a comment."""

    SHORT_TEXT = QuestionType.SHORT_TEXT.value
    LONG_TEXT = QuestionType.LONG_TEXT.value
    SINGLE_CHOICE = QuestionType.SINGLE_CHOICE.value
    MULTIPLE_CHOICE = QuestionType.MULTIPLE_CHOICE.value
    RATING = "rating"  # 1 (low) to 5 (high)
    COMMENT = "comment"  # free comment, listed as written in the results


class Survey(Model):
    """The questionnaire of one event and when its mails go and it closes."""

    __tablename__ = "surveys"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), unique=True)
    intro: Mapped[str] = mapped_column(Text, default="")
    # Anonymous: results and downloads name nobody, and responses hold no registration.
    anonymous: Mapped[bool] = mapped_column(default=False)
    # The follow-up mail goes this many minutes after the event ends.
    send_after_minutes: Mapped[int] = mapped_column(default=60)
    # The one reminder goes this many days after the follow-up; 0 sends none.
    reminder_after_days: Mapped[int] = mapped_column(default=3)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, onupdate=clock.now)

    event: Mapped[Event] = relationship()
    questions: Mapped[list["SurveyQuestion"]] = relationship(
        back_populates="survey", order_by="SurveyQuestion.position", cascade="all, delete-orphan"
    )


class SurveyQuestion(Model):
    """One question of a survey; `type` and `choices` read as a sign-up question's do."""

    __tablename__ = "survey_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    label: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(20), default=SurveyQuestionKind.SHORT_TEXT)
    required: Mapped[bool] = mapped_column(default=False)
    choices: Mapped[list[str]] = mapped_column(JSON, default=list)

    survey: Mapped[Survey] = relationship(back_populates="questions")


class SurveyInvitation(Model):
    """The follow-up mail sent to one attendee, its reminder, and whether they answered."""

    __tablename__ = "survey_invitations"
    __table_args__ = (UniqueConstraint("survey_id", "registration_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"))
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("registrations.id", ondelete="CASCADE"), index=True
    )
    nonce: Mapped[str] = mapped_column(String(32), default=new_nonce)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    survey: Mapped[Survey] = relationship()
    registration: Mapped[Registration] = relationship()

    @property
    def token(self) -> str:
        return make_token(ANSWER_PURPOSE, self.id, self.nonce)


class SurveyResponse(Model):
    """One attendee's answers: {question id (as text): text, list of choices or 1–5}."""

    __tablename__ = "survey_responses"

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_id: Mapped[int] = mapped_column(ForeignKey("surveys.id", ondelete="CASCADE"), index=True)
    # A keyed hash of the invitation (app/surveys/answering.py): one response per invitation.
    respondent_key: Mapped[str] = mapped_column(String(64), unique=True)
    # Set for named surveys only.
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registrations.id", ondelete="SET NULL")
    )
    answers: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    registration: Mapped[Registration | None] = relationship()
