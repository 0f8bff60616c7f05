"""The survey's mails, as a step of the minute's sweep: the follow-up with a personal link to
each attendee once the event has ended (plus the organizer's offset), and one reminder to those
who have not answered.

Who is asked: when attendance was taken (anyone of the event checked in), the people who checked
in; otherwise every confirmed registration. Anonymised registrations are never asked.

At most once: the follow-up is recorded by a SurveyInvitation row, unique per survey and
registration, inserted (in a savepoint) before its mail is queued in the same transaction; a
second sweep finds the row, and a racing worker's insert fails on the unique key and queues
nothing. The reminder is claimed by an UPDATE ... WHERE reminded_at IS NULL, which only one
transaction can win. Both mails respect the per-recipient throttle (app/mail/throttle.py): a
mail held back goes at a later sweep.
"""

from datetime import datetime, timedelta

from sqlalchemy import CursorResult, Select, exists, select, update
from sqlalchemy.exc import IntegrityError

from app.events.models import Event, EventStatus
from app.extensions import db
from app.mail import throttle
from app.registrations.models import Registration, RegistrationStatus
from app.surveys import notifications
from app.surveys.models import Survey, SurveyInvitation

# The survey's mails, counted together by the throttle.
SURVEY_MAIL = (notifications.INVITATION, notifications.REMINDER)
MAIL_LIMIT = "REQUESTED_MAIL_LIMIT"


def follow_up_at(survey: Survey) -> datetime:
    """When the follow-up mail goes: the organizer's offset after the event ends."""
    return survey.event.ends_at + timedelta(minutes=survey.send_after_minutes)


def surveys_with_mail_due(now: datetime) -> list[int]:
    """The ids of the open surveys of ended, published events whose follow-up time has come."""
    surveys = db.session.scalars(
        select(Survey)
        .join(Event, Event.id == Survey.event_id)
        .where(Event.status == EventStatus.PUBLISHED, Event.ends_at <= now, Survey.closes_at > now)
        .order_by(Survey.id)
    ).all()
    return [survey.id for survey in surveys if follow_up_at(survey) <= now]


def attendance_taken(event_id: int) -> bool:
    return bool(
        db.session.scalar(
            select(
                exists().where(
                    Registration.event_id == event_id, Registration.checked_in_at.is_not(None)
                )
            )
        )
    )


def audience_query(event_id: int) -> Select[Registration]:
    """Who the survey asks (see the module's docstring), as a query of registrations."""
    query = select(Registration).where(
        Registration.event_id == event_id, Registration.anonymised_at.is_(None)
    )
    if attendance_taken(event_id):
        return query.where(
            Registration.checked_in_at.is_not(None),
            Registration.status != RegistrationStatus.CANCELLED,
        )
    return query.where(Registration.status == RegistrationStatus.CONFIRMED)


def send_survey_mail(survey_id: int, now: datetime) -> int:
    """Queue the survey's due follow-ups and reminders (the caller commits); returns how many."""
    survey = db.session.get(Survey, survey_id)
    if survey is None or survey.closes_at <= now or follow_up_at(survey) > now:
        return 0
    if survey.event.status != EventStatus.PUBLISHED:
        return 0
    return _follow_ups(survey, now) + _reminders(survey, now)


def _follow_ups(survey: Survey, now: datetime) -> int:
    asked = select(SurveyInvitation.registration_id).where(SurveyInvitation.survey_id == survey.id)
    waiting = db.session.scalars(
        audience_query(survey.event_id)
        .where(Registration.id.not_in(asked))
        .order_by(Registration.id)
    ).all()
    queued = 0
    for registration in waiting:
        if not throttle.may_send(registration.email, SURVEY_MAIL, MAIL_LIMIT, now):
            continue  # held back: the next sweep tries again
        invitation = SurveyInvitation(
            survey_id=survey.id, registration_id=registration.id, sent_at=now
        )
        try:
            with db.session.begin_nested():
                db.session.add(invitation)
        except IntegrityError:
            continue  # another worker asked this person a moment ago
        notifications.notify_survey_invitation(invitation)
        queued += 1
    db.session.flush()
    return queued


def _reminders(survey: Survey, now: datetime) -> int:
    if not survey.reminder_after_days:
        return 0
    sent_before = now - timedelta(days=survey.reminder_after_days)
    due = db.session.scalars(
        select(SurveyInvitation)
        .where(
            SurveyInvitation.survey_id == survey.id,
            SurveyInvitation.answered_at.is_(None),
            SurveyInvitation.reminded_at.is_(None),
            SurveyInvitation.sent_at <= sent_before,
        )
        .order_by(SurveyInvitation.id)
    ).all()
    queued = 0
    for invitation in due:
        if not throttle.may_send(invitation.registration.email, SURVEY_MAIL, MAIL_LIMIT, now):
            continue
        claimed = db.session.execute(
            update(SurveyInvitation)
            .where(SurveyInvitation.id == invitation.id, SurveyInvitation.reminded_at.is_(None))
            .values(reminded_at=now)
            .execution_options(synchronize_session=False)
        )
        if not isinstance(claimed, CursorResult) or claimed.rowcount != 1:
            continue  # another worker reminded them, or they answered meanwhile
        notifications.notify_survey_reminder(invitation)
        queued += 1
    db.session.flush()
    return queued
