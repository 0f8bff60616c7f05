"""Getting an announcement out: drafts, schedules, and the queueing of one message per recipient."""

import logging
from datetime import datetime, time
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app import clock
from app.announcements.audience import (
    Recipient,
    audience_event,
    normalize_audience,
    resolve_audience,
)
from app.announcements.composition import mail_settings, render
from app.announcements.errors import (
    AnnouncementAlreadyQueued,
    AnnouncementNotFound,
    InvalidAnnouncement,
    InvalidAudience,
    NoRecipients,
)
from app.announcements.inputs import AnnouncementInput
from app.announcements.models import Announcement, AnnouncementStatus
from app.audit.actor import Actor
from app.audit.services import record
from app.extensions import db
from app.mail.compose import queue_mail
from app.notices.schedule import is_working_day

log = logging.getLogger(__name__)

OFFICE_OPENS = time(8, 30)
OFFICE_CLOSES = time(17, 15)


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


def _target(announcement_id: int) -> str:
    return f"announcement:{announcement_id}"


def create_announcement(
    data: AnnouncementInput, created_by: str, now: datetime | None = None, *, actor: Actor
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
    record(
        actor,
        "announcement.create",
        _target(announcement.id),
        status=announcement.status,
        audience=announcement.audience["kind"],
    )
    return announcement


def update_announcement(
    announcement_id: int, data: AnnouncementInput, now: datetime, *, actor: Actor
) -> Announcement:
    """Change a draft or scheduled announcement; without `send_at` it becomes a draft again."""
    announcement = _lock_unsent(announcement_id)
    announcement.audience = _checked(data, now)
    announcement.subject = data.subject
    announcement.body = data.body
    announcement.send_at = data.send_at
    announcement.status = AnnouncementStatus.SCHEDULED if data.send_at else AnnouncementStatus.DRAFT
    db.session.flush()
    record(actor, "announcement.update", _target(announcement_id), status=announcement.status)
    return announcement


def schedule_announcement(
    announcement_id: int, send_at: datetime, now: datetime, *, actor: Actor
) -> Announcement:
    """Have the worker send the announcement at `send_at`, which must be after `now`."""
    announcement = _lock_unsent(announcement_id)
    _check_send_at(send_at, now)
    # The audience may have lost its event since the draft was written.
    normalize_audience(announcement.audience)
    announcement.send_at = send_at
    announcement.status = AnnouncementStatus.SCHEDULED
    db.session.flush()
    record(actor, "announcement.schedule", _target(announcement_id), send_at=send_at.isoformat())
    return announcement


def unschedule_announcement(announcement_id: int, *, actor: Actor) -> Announcement:
    """Take a scheduled announcement back to draft, before the worker queues it."""
    announcement = _lock_unsent(announcement_id)
    announcement.send_at = None
    announcement.status = AnnouncementStatus.DRAFT
    db.session.flush()
    record(actor, "announcement.unschedule", _target(announcement_id))
    return announcement


def outside_office_hours(moment: datetime) -> bool:
    """Whether a send time falls outside municipal office hours (working days, 8:30–17:15 JST),
    when mail is likely to sit unread under a pile."""
    local = moment.astimezone(ZoneInfo(current_app.config["APP_TIMEZONE"]))
    return not is_working_day(local.date()) or not (OFFICE_OPENS <= local.time() <= OFFICE_CLOSES)


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
    event = audience_event(announcement.audience)
    if recipients is None:
        recipients = resolve_audience(announcement.audience)
    count = 0
    for recipient in recipients:
        subject, body = render(announcement, recipient, event)
        try:
            queue_mail(
                "announcement",
                to_addr=recipient.email,
                to_name=recipient.name,
                **mail_settings(announcement, recipient, subject, body, sample=False),
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


def send_now(announcement_id: int, now: datetime, *, actor: Actor) -> int:
    """The console's 「今すぐ送信」: queue every recipient's message now; returns how many.

    Unlike queue_announcement() it says no, rather than nothing, to an announcement already sent
    (a second click) or to an audience with nobody in it.
    """
    announcement = _lock_unsent(announcement_id)
    recipients = resolve_audience(announcement.audience)
    if not recipients:
        raise NoRecipients()
    count = _expand(announcement, now, recipients)
    record(actor, "announcement.send", _target(announcement_id), recipients=count)
    return count


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
