"""The survey's two mails: the follow-up with the attendee's personal link, and the reminder.
Transactional (no unsubscribe link): they follow from the attendee's own registration."""

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from app.mail.compose import public_url, queue_mail
from app.surveys.models import SurveyInvitation

INVITATION = "survey_invitation"
REMINDER = "survey_reminder"


def answer_url(invitation: SurveyInvitation) -> str:
    return public_url("surveys.answer", token=invitation.token)


def _queue(name: str, invitation: SurveyInvitation, subject: LazyString) -> None:
    registration = invitation.registration
    survey = invitation.survey
    queue_mail(
        name,
        to_addr=registration.email,
        to_name=registration.name,
        locale=registration.locale,
        subject=subject,
        event=survey.event,
        survey=survey,
        question_count=len(survey.questions),
        answer_url=answer_url(invitation),
    )


def notify_survey_invitation(invitation: SurveyInvitation) -> None:
    title = invitation.survey.event.title
    _queue(INVITATION, invitation, _l("【アンケートのお願い】%(title)s", title=title))


def notify_survey_reminder(invitation: SurveyInvitation) -> None:
    title = invitation.survey.event.title
    _queue(REMINDER, invitation, _l("【再送・アンケートのお願い】%(title)s", title=title))
