"""Mail to organizers about their account."""

from flask_babel import lazy_gettext as _l

from app.mail.compose import public_url, queue_mail
from app.organizers.models import Organizer


def notify_password_reset(organizer: Organizer, token: str) -> None:
    queue_mail(
        "organizer_password_reset",
        to_addr=organizer.email,
        to_name=organizer.name or organizer.email,
        locale="ja",
        subject=_l("【事務局】パスワード再設定のご案内"),
        reset_url=public_url("admin.reset_password", token=token),
    )
