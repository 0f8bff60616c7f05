"""The half-yearly notice mail. In April it also asks whether the member is still the contact."""

from flask_babel import lazy_gettext as _l

from app.mail.compose import RenderedMail, public_url, queue_mail, render_mail
from app.members.models import Member
from app.members.services import handover_token, still_contact_token, unsubscribe_token


def _context(member: Member, sessions, contact_check: bool) -> dict:
    return {
        "member": member,
        "sessions": [
            (event, public_url("registrations.create", slug=event.slug)) for event in sessions
        ],
        "contact_check": contact_check,
        "still_url": public_url("members.still_contact", token=still_contact_token(member)),
        "handover_url": public_url("members.handover", token=handover_token(member)),
    }


SUBJECT = _l("【全国自治体リスキリングネットワーク】定期共有会のご案内")


def notify_half_year(member: Member, sessions, contact_check: bool) -> None:
    queue_mail(
        "half_year_notice",
        to_addr=member.email,
        to_name=member.name,
        locale=member.locale,
        subject=SUBJECT,
        unsubscribe_token=unsubscribe_token(member),
        **_context(member, sessions, contact_check),
    )


def render_half_year(member: Member, sessions, contact_check: bool) -> RenderedMail:
    """The notice as `member` would get it, without queueing anything (for the preview)."""
    return render_mail(
        "half_year_notice",
        to_name=member.name,
        locale=member.locale,
        subject=SUBJECT,
        unsubscribe_token=unsubscribe_token(member),
        **_context(member, sessions, contact_check),
    )
