"""The reminder mail: the session, how to join (the personal link), and how to cancel."""

from flask_babel import lazy_gettext as _l

from app.formatting import format_span
from app.mail.compose import queue_mail
from app.registrations import invites
from app.registrations.models import Registration


def notify_reminder(registration: Registration, rule: str) -> None:
    event = registration.event
    with_join_link = rule.endswith("m")  # the last-minute reminder leads with the join link
    queue_mail(
        "reminder",
        to_addr=registration.email,
        to_name=registration.name,
        locale=registration.locale,
        subject=_l(
            "【リマインド】%(title)s（%(when)s）",
            title=event.title,
            when=format_span(event.starts_at, event.ends_at),
        ),
        registration=registration,
        event=event,
        lead_with_join=with_join_link,
        join_opens_at=invites.join_opens_at(registration),
        has_invite=False,
        **invites.links(registration),
    )
