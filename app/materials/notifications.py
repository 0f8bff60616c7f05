"""The mail that hands out an event's materials, one per recipient with their own links."""

from flask_babel import lazy_gettext as _l

from app.events.models import Event
from app.mail.compose import queue_mail
from app.members.models import Member
from app.members.services import unsubscribe_token


def notify_materials_available(
    event: Event,
    items: list,
    to_addr: str,
    to_name: str,
    locale: str,
    message: str,
    member: Member | None,
) -> None:
    """Queue the mail; a member's copy is bulk mail with their unsubscribe link and
    List-Unsubscribe, a registrant's is mail about their own event and has none."""
    queue_mail(
        "materials_available",
        to_addr=to_addr,
        to_name=to_name,
        locale=locale,
        subject=_l("【資料のご案内】%(title)s", title=event.title),
        unsubscribe_token=unsubscribe_token(member) if member is not None else None,
        event=event,
        items=items,
        message=message,
        for_member=member is not None,
    )
