"""Announcements: who they go to, how their placeholders are filled, and how they reach the outbox.

An announcement to members (配信) is bulk mail under 特定電子メール法: it goes only to active
members, and every copy carries the member's own unsubscribe link (footer and List-Unsubscribe).
An announcement to the registrants of an event is mail about an event they signed up for: it goes
to them whether or not they unsubscribed from notices, and carries no unsubscribe link.
"""

import logging
import re
from dataclasses import dataclass
from datetime import datetime, time
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app import clock
from app.announcements.inputs import (
    AUDIENCE_KINDS,
    EVENT_REGISTRANTS,
    MEMBERS,
    MEMBERS_BY_THEME,
    AnnouncementInput,
)
from app.announcements.models import Announcement, AnnouncementStatus
from app.errors import DomainError
from app.events.models import Event
from app.extensions import db
from app.formatting import format_span
from app.mail.compose import public_url, queue_mail, render_mail
from app.mail.outbox import OutboxMessage, OutboxStatus
from app.mail.suppression import suppressed
from app.members.models import Member, MemberStatus, ThemeInterest
from app.members.services import unsubscribe_token
from app.notices.schedule import is_working_day
from app.registrations import invites
from app.registrations.models import Registration, RegistrationStatus
from app.text import breaks_header

log = logging.getLogger(__name__)

OFFICE_OPENS = time(8, 30)
OFFICE_CLOSES = time(17, 15)
# OutboxMessage.subject is String(300): a subject that grows past it with long values is cut.
RENDERED_SUBJECT_MAX = 300
TEST_PREFIX = "【テスト送信】"
# What gets replaced when rendering: exactly {word}. Nothing else is touched.
_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


class InvalidAnnouncement(DomainError):
    """The subject, body or send time is not acceptable; `field` says which."""


class InvalidAudience(DomainError):
    """The audience description is incomplete or names something that does not exist."""

    message = _l("配信先の指定が正しくありません。")
    field = "kind"


class NoRecipients(DomainError):
    """Nobody (or not the person asked for) is in the audience, so there is nothing to render."""

    message = _l("配信先に該当する方がいません。")


class AnnouncementNotFound(DomainError):
    message = _l("このお知らせは見つかりません。")


class AnnouncementAlreadyQueued(DomainError):
    """Its messages are in the outbox: it can no longer be edited, scheduled or sent again."""

    message = _l("このお知らせは送信済みのため、変更や再送信はできません。")


@dataclass(frozen=True)
class Recipient:
    """One person an announcement goes to, and the registration or member record behind them."""

    email: str
    name: str
    organization: str
    locale: str
    source: Registration | Member

    @property
    def registration(self) -> Registration | None:
        return self.source if isinstance(self.source, Registration) else None

    @property
    def member(self) -> Member | None:
        return self.source if isinstance(self.source, Member) else None


# --- audiences -------------------------------------------------------------------------------


def _int_or_none(value, field: str) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise InvalidAudience(field=field)
    try:
        return int(value)
    except (TypeError, ValueError):
        raise InvalidAudience(field=field) from None


def normalize_audience(audience: dict) -> dict:
    """The audience with defaults filled in, checked against the database; raises InvalidAudience."""
    if not isinstance(audience, dict) or audience.get("kind") not in AUDIENCE_KINDS:
        raise InvalidAudience(field="kind")
    kind = audience["kind"]
    event_id = _int_or_none(audience.get("event_id"), "event_id")
    if event_id is not None and db.session.get(Event, event_id) is None:
        raise InvalidAudience(_l("このイベントは見つかりません。"), field="event_id")
    if kind == EVENT_REGISTRANTS:
        if event_id is None:
            raise InvalidAudience(_l("イベントを選んでください。"), field="event_id")
        statuses = audience.get("statuses") or [RegistrationStatus.CONFIRMED.value]
        known = [status.value for status in RegistrationStatus]
        if not isinstance(statuses, list | tuple) or any(s not in known for s in statuses):
            raise InvalidAudience(_l("選択肢の中から選んでください。"), field="statuses")
        table_id = _int_or_none(audience.get("table_id"), "table_id")
        if table_id is not None:
            event = db.session.get(Event, event_id)
            if table_id not in {table.id for table in event.tables}:
                raise InvalidAudience(_l("選択肢の中から選んでください。"), field="table_id")
        return {
            "kind": kind,
            "event_id": event_id,
            "statuses": [status for status in known if status in statuses],
            "table_id": table_id,
        }
    normalized = {"kind": kind, "event_id": event_id}
    if kind == MEMBERS_BY_THEME:
        themes = audience.get("themes") or []
        known = {theme.value for theme in ThemeInterest}
        if (
            not isinstance(themes, list | tuple)
            or not themes
            or any(t not in known for t in themes)
        ):
            raise InvalidAudience(_l("テーマを選んでください。"), field="themes")
        normalized["themes"] = sorted(set(themes))
    return normalized


def _registrants(audience: dict) -> list[Recipient]:
    query = (
        select(Registration)
        .where(
            Registration.event_id == audience["event_id"],
            Registration.status.in_(audience.get("statuses") or [RegistrationStatus.CONFIRMED]),
        )
        .order_by(Registration.id)
    )
    if audience.get("table_id") is not None:
        query = query.where(Registration.table_id == audience["table_id"])
    return [
        Recipient(r.email, r.name, r.organization_name, r.locale, r)
        for r in db.session.scalars(query)
    ]


def _members(audience: dict) -> list[Recipient]:
    query = select(Member).where(Member.status == MemberStatus.ACTIVE).order_by(Member.id)
    members = list(db.session.scalars(query))
    if audience["kind"] == MEMBERS_BY_THEME:
        # A JSON list: filtered here, the same on SQLite and PostgreSQL (a few thousand rows at most).
        wanted = set(audience.get("themes") or [])
        members = [m for m in members if wanted & set(m.theme_interests or [])]
    return [Recipient(m.email, m.name, m.organization_name, m.locale, m) for m in members]


def resolve_audience(audience: dict) -> list[Recipient]:
    """Everyone the audience reaches now: once per address, minus addresses that bounced for good."""
    audience = normalize_audience(audience)
    found = _registrants(audience) if audience["kind"] == EVENT_REGISTRANTS else _members(audience)
    unique: dict[str, Recipient] = {}
    for recipient in found:
        unique.setdefault(recipient.email.lower(), recipient)
    skip = suppressed({r.email for r in unique.values()})
    return [r for r in unique.values() if r.email not in skip]


def _is_bulk(audience: dict) -> bool:
    """Member audiences are bulk mail: each copy carries the member's unsubscribe link."""
    return audience.get("kind") in (MEMBERS, MEMBERS_BY_THEME)


# --- placeholders ----------------------------------------------------------------------------


def render_placeholders(text: str, values: dict[str, str]) -> str:
    """Fill {name}-style placeholders from `values`; anything else stays exactly as written.

    One pass with plain string values: no attribute or index lookup, no format specs, and a value
    that itself looks like a placeholder (a name typed as "{manage_url}") is not expanded again.
    """

    def replace(match: re.Match) -> str:
        value = values.get(match.group(1))
        return match.group(0) if value is None else str(value)

    return _PLACEHOLDER.sub(replace, text)


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


def _render(
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


def _audience_event(audience: dict) -> Event | None:
    event_id = audience.get("event_id")
    return db.session.get(Event, event_id) if event_id is not None else None


# --- creating, previewing, testing -----------------------------------------------------------


def _checked(data: AnnouncementInput, now: datetime) -> dict:
    """The stored audience, after the rules that need the clock and the database."""
    if data.send_at is not None:
        _check_send_at(data.send_at, now)
    return normalize_audience(data.audience.stored())


def _check_send_at(send_at: datetime, now: datetime) -> None:
    if send_at.tzinfo is None:
        raise InvalidAnnouncement(_l("送信日時が正しくありません。"), field="send_at")
    if send_at <= now:
        # The worker would send a past time at once: say so rather than surprise anyone.
        raise InvalidAnnouncement(
            _l("送信日時には現在より後の日時を指定してください。"), field="send_at"
        )


def create_announcement(
    data: AnnouncementInput, created_by: str, now: datetime | None = None
) -> Announcement:
    """A draft, or a scheduled announcement when `send_at` (after `now`) is given."""
    audience = _checked(data, now or clock.now())
    announcement = Announcement(
        subject=data.subject,
        body=data.body,
        audience=audience,
        created_by=(created_by or "")[:254],
        send_at=data.send_at,
        status=AnnouncementStatus.SCHEDULED if data.send_at else AnnouncementStatus.DRAFT,
        recipients=0,
    )
    db.session.add(announcement)
    db.session.flush()
    return announcement


def update_announcement(
    announcement_id: int, data: AnnouncementInput, now: datetime
) -> Announcement:
    """Change a draft or scheduled announcement; without `send_at` it becomes a draft again."""
    announcement = _lock_unsent(announcement_id)
    announcement.audience = _checked(data, now)
    announcement.subject = data.subject
    announcement.body = data.body
    announcement.send_at = data.send_at
    announcement.status = AnnouncementStatus.SCHEDULED if data.send_at else AnnouncementStatus.DRAFT
    db.session.flush()
    return announcement


def schedule_announcement(announcement_id: int, send_at: datetime, now: datetime) -> Announcement:
    """Have the worker send the announcement at `send_at`, which must be after `now`."""
    announcement = _lock_unsent(announcement_id)
    _check_send_at(send_at, now)
    # The audience may have lost its event since the draft was written.
    normalize_audience(announcement.audience)
    announcement.send_at = send_at
    announcement.status = AnnouncementStatus.SCHEDULED
    db.session.flush()
    return announcement


def unschedule_announcement(announcement_id: int) -> Announcement:
    """Take a scheduled announcement back to draft, before the worker queues it."""
    announcement = _lock_unsent(announcement_id)
    announcement.send_at = None
    announcement.status = AnnouncementStatus.DRAFT
    db.session.flush()
    return announcement


def outside_office_hours(moment: datetime) -> bool:
    """Whether a send time falls outside municipal office hours (working days, 8:30–17:15 JST),
    when mail is likely to sit unread under a pile."""
    local = moment.astimezone(ZoneInfo(current_app.config["APP_TIMEZONE"]))
    return not is_working_day(local.date()) or not (OFFICE_OPENS <= local.time() <= OFFICE_CLOSES)


def _recipient_for(announcement: Announcement, recipient_email: str | None) -> Recipient:
    recipients = resolve_audience(announcement.audience)
    if recipient_email is not None:
        wanted = recipient_email.strip().lower()
        recipients = [r for r in recipients if r.email.lower() == wanted]
    if not recipients:
        raise NoRecipients()
    return recipients[0]


def preview(announcement: Announcement, recipient_email: str | None = None) -> tuple[str, str]:
    """(subject, text) as one real recipient of the audience will read it (the first by default):
    the whole text part, greeting and footer included.

    Like a test mail, it shows sample personal links (manage, join, unsubscribe) that open nothing:
    a console screen is shared and copied, and must not carry someone else's keys.
    """
    return _preview_as(announcement, _recipient_for(announcement, recipient_email))


def _preview_as(announcement: Announcement, recipient: Recipient) -> tuple[str, str]:
    event = _audience_event(announcement.audience)
    subject, body = _render(announcement, recipient, event, personal_links=False)
    mail = render_mail(
        "announcement",
        to_name=recipient.name,
        **_mail_settings(announcement, recipient, subject, body, sample=True),
    )
    return subject, mail.text_body


def send_test(announcement: Announcement, to_email: str, to_name: str) -> OutboxMessage:
    """Queue one copy to the organizer, as the first real recipient will read it, marked as a test.

    The personal links (manage, join, unsubscribe) are samples that open nothing: a test mail is
    often forwarded for review. It does not count in the announcement's progress.
    """
    recipient = _recipient_for(announcement, None)
    event = _audience_event(announcement.audience)
    subject, body = _render(announcement, recipient, event, personal_links=False)
    return queue_mail(
        "announcement",
        to_addr=to_email,
        to_name=to_name,
        **_mail_settings(announcement, recipient, TEST_PREFIX + subject, body, sample=True),
    )


def _mail_settings(
    announcement: Announcement, recipient: Recipient, subject: str, body: str, sample: bool
) -> dict:
    """What render_mail/queue_mail need besides the addressee, as `recipient` will read it.

    Member audiences get the member's unsubscribe link (a sample one in previews and tests);
    only real copies count in the announcement's progress.
    """
    token = None
    if _is_bulk(announcement.audience):
        token = "sample" if sample else unsubscribe_token(recipient.member)
    settings = {
        "locale": recipient.locale,
        "subject": subject,
        "unsubscribe_token": token,
        "body": body,
        "recipient_name": recipient.name,
    }
    if not sample:
        settings["announcement_id"] = announcement.id
    return settings


# --- sending ---------------------------------------------------------------------------------


def _lock(announcement_id: int) -> Announcement:
    announcement = db.session.get(
        Announcement, announcement_id, with_for_update=True, populate_existing=True
    )
    if announcement is None:
        raise AnnouncementNotFound()
    return announcement


def _lock_unsent(announcement_id: int) -> Announcement:
    announcement = _lock(announcement_id)
    if announcement.status == AnnouncementStatus.QUEUED:
        raise AnnouncementAlreadyQueued()
    return announcement


def _expand(
    announcement: Announcement, now: datetime, recipients: list[Recipient] | None = None
) -> int:
    """One outbox message per recipient, each To that one person; marks the announcement QUEUED."""
    event = _audience_event(announcement.audience)
    if recipients is None:
        recipients = resolve_audience(announcement.audience)
    count = 0
    for recipient in recipients:
        subject, body = _render(announcement, recipient, event)
        try:
            queue_mail(
                "announcement",
                to_addr=recipient.email,
                to_name=recipient.name,
                **_mail_settings(announcement, recipient, subject, body, sample=False),
            )
        except ValueError as error:
            # An address the outbox cannot take (not ASCII, say) must not stop everyone else's.
            log.warning(
                "announcement %s: skipped recipient %r: %s", announcement.id, recipient.email, error
            )
            continue
        count += 1
    announcement.status = AnnouncementStatus.QUEUED
    announcement.queued_at = now
    announcement.recipients = count
    db.session.flush()
    return count


def queue_announcement(announcement_id: int, now: datetime) -> int:
    """Put every recipient's message in the outbox (the caller commits); returns how many.

    The row is locked first and nothing happens if it is already queued, so a second click or a
    second worker never sends twice.
    """
    announcement = _lock(announcement_id)
    if announcement.status == AnnouncementStatus.QUEUED:
        return 0
    return _expand(announcement, now)


def send_now(announcement_id: int, now: datetime) -> int:
    """The console's 「今すぐ送信」: queue every recipient's message now; returns how many.

    Unlike queue_announcement() it says no, rather than nothing, to an announcement already sent
    (a second click) or to an audience with nobody in it.
    """
    announcement = _lock_unsent(announcement_id)
    recipients = resolve_audience(announcement.audience)
    if not recipients:
        raise NoRecipients()
    return _expand(announcement, now, recipients)


def due_announcements(now: datetime) -> list[int]:
    """The ids of the scheduled announcements whose time has come, in the order they are due."""
    return list(
        db.session.scalars(
            select(Announcement.id)
            .where(
                Announcement.status == AnnouncementStatus.SCHEDULED,
                Announcement.send_at <= now,
            )
            .order_by(Announcement.send_at, Announcement.id)
        )
    )


def queue_due_announcement(announcement_id: int, now: datetime) -> bool:
    """Queue one due announcement; False when there is nothing to do. It is checked again once
    locked: another worker may have queued it, or an organizer moved it back to draft or to
    later, since the list was read."""
    announcement = _lock(announcement_id)
    if (
        announcement.status != AnnouncementStatus.SCHEDULED
        or announcement.send_at is None
        or announcement.send_at > now
    ):
        return False
    try:
        _expand(announcement, now)
    except InvalidAudience:
        # Its event is gone: nothing was queued. Back to draft for the organizer to see,
        # rather than failing this job (and every other announcement) each minute.
        log.error("announcement %s: audience no longer valid, moved back to draft", announcement.id)
        announcement.status = AnnouncementStatus.DRAFT
        return False
    return True


def queue_due_announcements(now: datetime) -> int:
    """Queue every scheduled announcement whose time has come; returns how many announcements.
    The sweep runs the same two steps with an error boundary per announcement."""
    return sum(
        queue_due_announcement(announcement_id, now) for announcement_id in due_announcements(now)
    )


def progress(announcement_id: int) -> dict:
    """Where the announcement's messages are: waiting, sent, failed, and why each failure failed."""
    rows = db.session.execute(
        select(OutboxMessage.status, func.count())
        .where(OutboxMessage.announcement_id == announcement_id)
        .group_by(OutboxMessage.status)
    ).all()
    counts = {status: n for status, n in rows}
    return {
        "queued": counts.get(OutboxStatus.QUEUED, 0) + counts.get(OutboxStatus.SENDING, 0),
        "sent": counts.get(OutboxStatus.SENT, 0),
        "failed": counts.get(OutboxStatus.FAILED, 0),
        "total": sum(counts.values()),
        "failures": _failures(announcement_id),
    }


def _failures(announcement_id: int) -> list[tuple[str, str]]:
    """(address, the server's answer or other reason) for each message that failed for good."""
    failures = db.session.execute(
        select(OutboxMessage.to_addr, OutboxMessage.last_error)
        .where(
            OutboxMessage.announcement_id == announcement_id,
            OutboxMessage.status == OutboxStatus.FAILED,
        )
        .order_by(OutboxMessage.id)
    ).all()
    return [(email, error) for email, error in failures]


# --- the console's views of announcements ----------------------------------------------------

DELIVERY_STATES = tuple(OutboxStatus)
LIST_PAGE_SIZE = 50


def get_announcement(announcement_id: int) -> Announcement:
    announcement = db.session.get(Announcement, announcement_id)
    if announcement is None:
        raise AnnouncementNotFound()
    return announcement


def audience_events() -> list[Event]:
    """Every event an announcement may be about, the latest first, for the compose form."""
    return list(db.session.scalars(select(Event).order_by(Event.starts_at.desc(), Event.id)))


@dataclass(frozen=True)
class Review:
    """An announcement before it goes: everyone it would reach now, and how one of them reads it.

    `audience_error` says why nobody can be reached (its event is gone, say).
    """

    announcement: Announcement
    event: Event | None
    recipients: list[Recipient]
    recipient: Recipient | None = None
    subject: str = ""
    text: str = ""
    audience_error: str | None = None


def review(announcement_id: int, recipient_email: str | None = None) -> Review:
    """The announcement as `recipient_email` (default: the first recipient) would read it.

    Raises NoRecipients (field "recipient") when that address is not in the audience.
    """
    announcement = get_announcement(announcement_id)
    try:
        recipients = resolve_audience(announcement.audience)
    except InvalidAudience as error:
        return Review(announcement, None, [], audience_error=str(error.message))
    event = _audience_event(announcement.audience)
    if not recipients:
        return Review(announcement, event, [])
    recipient = recipients[0]
    if recipient_email:
        wanted = recipient_email.strip().lower()
        recipient = next((r for r in recipients if r.email.lower() == wanted), None)
        if recipient is None:
            raise NoRecipients(
                _l("このメールアドレスの方は配信先に含まれていません。"), "recipient"
            )
    subject, text = _preview_as(announcement, recipient)
    return Review(announcement, event, recipients, recipient, subject, text)


def _delivery_counts(announcement_ids: list[int]) -> dict[int, dict[str, int]]:
    """{announcement id: {outbox status: how many}}, every status present (zero if none)."""
    counts = {
        announcement_id: dict.fromkeys(DELIVERY_STATES, 0) for announcement_id in announcement_ids
    }
    if announcement_ids:
        rows = db.session.execute(
            select(OutboxMessage.announcement_id, OutboxMessage.status, func.count())
            .where(OutboxMessage.announcement_id.in_(announcement_ids))
            .group_by(OutboxMessage.announcement_id, OutboxMessage.status)
        )
        for announcement_id, status, n in rows:
            counts[announcement_id][status] = n
    return counts


@dataclass(frozen=True)
class ListedAnnouncement:
    announcement: Announcement
    event: Event | None
    counts: dict[str, int]

    @property
    def in_flight(self) -> bool:
        """Messages still waiting for the worker or being sent."""
        return bool(self.counts[OutboxStatus.QUEUED] or self.counts[OutboxStatus.SENDING])


def list_announcements(page: int = 1, per_page: int = LIST_PAGE_SIZE):
    """One page of announcements, newest first, each with its delivery counts; and whether
    there is a next page."""
    rows = list(
        db.session.scalars(
            select(Announcement)
            .order_by(Announcement.created_at.desc(), Announcement.id.desc())
            .limit(per_page + 1)
            .offset((max(page, 1) - 1) * per_page)
        )
    )
    rows, has_next = rows[:per_page], len(rows) > per_page
    counts = _delivery_counts([a.id for a in rows])
    listed = [ListedAnnouncement(a, _audience_event(a.audience), counts[a.id]) for a in rows]
    return listed, has_next


@dataclass(frozen=True)
class DeliveryReport:
    """Where each of an announcement's messages is, and why the failed ones failed."""

    announcement: Announcement
    counts: dict[str, int]
    failures: list[tuple[str, str]]

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def in_flight(self) -> bool:
        return bool(self.counts[OutboxStatus.QUEUED] or self.counts[OutboxStatus.SENDING])

    def as_json(self) -> dict:
        return {
            "announcement_id": self.announcement.id,
            "status": self.announcement.status,
            "recipients": self.announcement.recipients,
            **{str(status): n for status, n in self.counts.items()},
            "total": self.total,
            "done": not self.in_flight,
            "failures": [{"email": email, "error": error} for email, error in self.failures],
        }


def delivery_report(announcement_id: int) -> DeliveryReport:
    """Counts per outbox status (queued, sending, sent, failed, withdrawn) and the failures."""
    announcement = get_announcement(announcement_id)
    failures = _failures(announcement_id)
    return DeliveryReport(
        announcement, _delivery_counts([announcement_id])[announcement_id], failures
    )
