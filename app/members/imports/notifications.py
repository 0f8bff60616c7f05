"""The one mail an import may send: to a contact imported without a consent record, asking them
to confirm (double opt-in), when the organizer chose to send it."""

from datetime import datetime

from flask_babel import lazy_gettext as _l

from app.mail import throttle
from app.mail.compose import public_url, queue_mail
from app.members.models import Member

CATEGORY = "member_import_invite"


def notify_import_invitation(member: Member, token: str, now: datetime) -> bool:
    """Queue the confirmation request, unless the address had its share of such mail lately
    (the same limit as /join). Returns whether it was queued."""
    categories = (*throttle.MEMBERSHIP_MAIL, CATEGORY)
    if not throttle.may_send(member.email, categories, "REQUESTED_MAIL_LIMIT", now):
        return False
    queue_mail(
        CATEGORY,
        to_addr=member.email,
        to_name=member.name,
        locale=member.locale,
        subject=_l("【ご確認ください】全国自治体リスキリングネットワーク お知らせ受信のご案内"),
        member=member,
        confirm_url=public_url("members.confirm", token=token),
    )
    return True
