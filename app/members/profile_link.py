"""「登録内容の確認・変更」 by mail: a member asks for the link to their own record, and it goes to
their address only. Pages reached from a forwarded notice never show the record itself."""

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.extensions import db
from app.forms import HoneypotForm, email_field
from app.mail import throttle
from app.members import notifications
from app.members.models import Member, MemberStatus


class ProfileLinkForm(HoneypotForm):
    email = email_field(_l("メールアドレス"))


def send_profile_link(email: str, now: datetime, token_for) -> bool:
    """Mail the profile link to `email` if it is a member's (not a pending one), within
    REQUESTED_MAIL_LIMIT. Returns whether a mail was queued; callers answer the same either way."""
    member = db.session.scalar(select(Member).where(Member.email == email))
    if member is None or member.status == MemberStatus.PENDING:
        return False
    if not throttle.may_send(email, throttle.MEMBERSHIP_MAIL, "REQUESTED_MAIL_LIMIT", now):
        return False
    notifications.notify_profile_link(member, token_for(member))
    return True
