"""How an announcement reads: its placeholders filled for one recipient, the preview, the test mail."""

import re

from flask_babel import force_locale

from app.announcements import placeholders
from app.announcements.audience import Recipient, audience_event, is_bulk, recipient_for
from app.announcements.models import Announcement
from app.audit.actor import Actor
from app.audit.services import record
from app.events.models import Event
from app.formatting import format_span
from app.mail.compose import public_url, queue_mail, render_mail
from app.mail.outbox import OutboxMessage
from app.members.services import unsubscribe_token
from app.registrations import invites
from app.text import breaks_header

# OutboxMessage.subject is String(300): a subject that grows past it with long values is cut.
RENDERED_SUBJECT_MAX = 300
TEST_PREFIX = "【テスト送信】"


def render_placeholders(text: str, values: dict[str, str]) -> str:
    """Fill the placeholders ({氏名} or {name}) from `values`, keyed by the English token;
    anything else stays exactly as written.

    One pass with plain string values: no attribute or index lookup, no format specs, and a value
    that itself looks like a placeholder (a name typed as "{manage_url}") is not expanded again.
    """

    def replace(match: re.Match) -> str:
        value = values.get(placeholders.BY_SPELLING[match.group(1)].key)
        return match.group(0) if value is None else str(value)

    return placeholders.RENDERED.sub(replace, text)


def placeholder_values(
    recipient: Recipient, event: Event | None, personal_links: bool = True
) -> dict[str, str]:
    """The values for one recipient (call inside force_locale: the date is written in their language).

    Without `personal_links`, manage_url and join_url are sample links that open nothing, for a test
    mail that must not hand someone's personal links to the organizer.
    """
    values = {"name": recipient.name, "organization": recipient.organization}
    if event is not None:
        values["event_title"] = event.title
        values["event_date"] = format_span(event.starts_at, event.ends_at)
    registration = recipient.registration
    if registration is not None:
        if personal_links:
            urls = invites.links(registration)
            values["manage_url"] = urls["manage_url"]
            values["join_url"] = urls["join_url"]
        else:
            values.update(_sample_links())
    return values


def _sample_links() -> dict[str, str]:
    return {
        "manage_url": public_url("registrations.manage", token="sample"),
        "join_url": public_url("registrations.join", token="sample"),
    }


def render(
    announcement: Announcement, recipient: Recipient, event: Event | None, personal_links=True
) -> tuple[str, str]:
    with force_locale(recipient.locale):
        values = placeholder_values(recipient, event, personal_links)
    subject = render_placeholders(announcement.subject, values)
    if breaks_header(subject):
        # Values come from single-line fields, but a header must never break whatever happens.
        subject = " ".join(subject.split())
    if len(subject) > RENDERED_SUBJECT_MAX:
        subject = subject[: RENDERED_SUBJECT_MAX - 1] + "…"
    return subject, render_placeholders(announcement.body, values)


def preview(announcement: Announcement, recipient_email: str | None = None) -> tuple[str, str]:
    """(subject, text) as one real recipient of the audience will read it (the first by default):
    the whole text part, greeting and footer included.

    Like a test mail, it shows sample personal links (manage, join, unsubscribe) that open nothing:
    a console screen is shared and copied, and must not carry someone else's keys.
    """
    return preview_as(announcement, recipient_for(announcement, recipient_email))


def preview_as(announcement: Announcement, recipient: Recipient) -> tuple[str, str]:
    event = audience_event(announcement.audience)
    subject, body = render(announcement, recipient, event, personal_links=False)
    mail = render_mail(
        "announcement",
        to_name=recipient.name,
        **mail_settings(announcement, recipient, subject, body, sample=True),
    )
    return subject, mail.text_body


def send_test(
    announcement: Announcement, to_email: str, to_name: str, *, actor: Actor
) -> OutboxMessage:
    """Queue one copy to the organizer, as the first real recipient will read it, marked as a test.

    The personal links (manage, join, unsubscribe) are samples that open nothing: a test mail is
    often forwarded for review. It does not count in the announcement's progress.
    """
    recipient = recipient_for(announcement, None)
    event = audience_event(announcement.audience)
    subject, body = render(announcement, recipient, event, personal_links=False)
    message = queue_mail(
        "announcement",
        to_addr=to_email,
        to_name=to_name,
        **mail_settings(announcement, recipient, TEST_PREFIX + subject, body, sample=True),
    )
    record(actor, "announcement.test", f"announcement:{announcement.id}", to=to_email)
    return message


def mail_settings(
    announcement: Announcement, recipient: Recipient, subject: str, body: str, sample: bool
) -> dict:
    """What render_mail/queue_mail need besides the addressee, as `recipient` will read it.

    Member audiences get the member's unsubscribe link (a sample one in previews and tests);
    only real copies count in the announcement's progress.
    """
    token = None
    if is_bulk(announcement.audience):
        if sample:
            token = "sample"
        elif recipient.member is not None:  # a member audience's recipients are members
            token = unsubscribe_token(recipient.member)
    settings: dict[str, object] = {
        "locale": recipient.locale,
        "subject": subject,
        "unsubscribe_token": token,
        "body": body,
        "recipient_name": recipient.name,
        # One greeting: the mail's own 「○○ 様」, unless the body's first line already names them.
        "greet": not placeholders.greets_by_name(announcement.body),
    }
    if not sample:
        settings["announcement_id"] = announcement.id
    return settings
