"""What the console and the API show of announcements: the list, one announcement as a recipient
reads it, and where its messages are."""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.announcements.audience import Recipient, audience_event, resolve_audience
from app.announcements.composition import preview_as
from app.announcements.errors import AnnouncementNotFound, InvalidAudience, NoRecipients
from app.announcements.models import Announcement
from app.events.models import Event
from app.extensions import db
from app.mail.outbox import OutboxMessage, OutboxStatus

DELIVERY_STATES = tuple(OutboxStatus)
LIST_PAGE_SIZE = 50


def get_announcement(announcement_id: int) -> Announcement:
    announcement = db.session.get(Announcement, announcement_id)
    if announcement is None:
        raise AnnouncementNotFound()
    return announcement


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
    event = audience_event(announcement.audience)
    if not recipients:
        return Review(announcement, event, [])
    recipient = recipients[0]
    if recipient_email:
        wanted = recipient_email.strip().lower()
        chosen = next((r for r in recipients if r.email.lower() == wanted), None)
        if chosen is None:
            raise NoRecipients(
                _l("このメールアドレスの方は配信先に含まれていません。"), "recipient"
            )
        recipient = chosen
    subject, text = preview_as(announcement, recipient)
    return Review(announcement, event, recipients, recipient, subject, text)


def _delivery_counts(announcement_ids: list[int]) -> dict[int, dict[str, int]]:
    """{announcement id: {outbox status: how many}}, every status present (zero if none)."""
    counts: dict[int, dict[str, int]] = {
        announcement_id: dict.fromkeys(DELIVERY_STATES, 0) for announcement_id in announcement_ids
    }
    if announcement_ids:
        rows = db.session.execute(
            select(OutboxMessage.announcement_id, OutboxMessage.status, func.count())
            .where(OutboxMessage.announcement_id.in_(announcement_ids))
            .group_by(OutboxMessage.announcement_id, OutboxMessage.status)
        )
        for announcement_id, status, n in rows:
            if announcement_id is not None:  # always, by the IN above; the column may be NULL
                counts[announcement_id][str(status)] = n
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
    listed = [ListedAnnouncement(a, audience_event(a.audience), counts[a.id]) for a in rows]
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
