"""The half-yearly notice: every active member hears of the upcoming sharing sessions.

It goes out once per period ("2027-04", "2027-10"): the NoticeRun row, unique per period, is
written in the same transaction as the messages, so a second sweep or a second scheduler queues
nothing. A notice missed during downtime is sent when the worker is back, within
NOTICE_CATCH_UP_DAYS, and never twice.
"""

from datetime import datetime, time, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from app.events.models import Event, EventKind, EventStatus
from app.extensions import db
from app.mail.suppression import suppressed
from app.members.models import Member, MemberStatus
from app.notices import notifications
from app.notices.models import NoticeRun
from app.notices.schedule import current_period, next_notice


def _schedule() -> tuple[tuple[int, ...], time, str]:
    config = current_app.config
    hour, minute = (int(part) for part in config["NOTICE_TIME"].split(":"))
    return tuple(config["NOTICE_MONTHS"]), time(hour, minute), config["APP_TIMEZONE"]


def upcoming_sessions(now: datetime) -> list[Event]:
    """The published sharing sessions ahead; failing those, every published event ahead."""
    ahead = select(Event).where(Event.status == EventStatus.PUBLISHED, Event.starts_at > now)
    sessions = db.session.scalars(
        ahead.where(Event.kind == EventKind.SHARING_SESSION).order_by(Event.starts_at)
    ).all()
    return list(sessions) or list(db.session.scalars(ahead.order_by(Event.starts_at)))


def _recipients() -> list[Member]:
    members = db.session.scalars(
        select(Member).where(Member.status == MemberStatus.ACTIVE).order_by(Member.id)
    ).all()
    skip = suppressed({m.email for m in members})
    return [m for m in members if m.email not in skip]


def due_period(now: datetime) -> str | None:
    """The period whose notice should go out now, if it has not gone out yet."""
    current = current_period(now, *_schedule())
    if current is None:
        return None
    period, send_at = current
    if now > send_at + timedelta(days=current_app.config["NOTICE_CATCH_UP_DAYS"]):
        return None
    if db.session.scalar(select(NoticeRun.id).where(NoticeRun.period == period)) is not None:
        return None
    return period


def send_half_year_notice(now: datetime) -> int:
    """Queue the notice for the due period, once; returns how many were queued (the caller
    commits the run row and the messages together)."""
    period = due_period(now)
    if period is None:
        return 0
    sessions = upcoming_sessions(now)
    if not sessions:
        return 0  # nothing to announce yet; a later sweep in the catch-up window tries again
    run = NoticeRun(period=period)
    try:
        # A savepoint, so that losing the race leaves the caller's transaction usable.
        with db.session.begin_nested():
            db.session.add(run)
    except IntegrityError:
        return 0  # another scheduler got there first
    members = _recipients()
    for member in members:
        notifications.notify_half_year(member, sessions, contact_check=period.endswith("-04"))
    run.recipients = len(members)
    db.session.flush()
    return len(members)


def preview_next_notice(now: datetime) -> dict:
    """What the next notice will say and when it goes out, for organizers."""
    period, send_at = next_notice(now, *_schedule())
    members = _recipients()
    sessions = upcoming_sessions(send_at)
    preview = None
    if members and sessions:
        preview = notifications.render_half_year(
            members[0], sessions, contact_check=period.endswith("-04")
        )
    return {
        "period": period,
        "send_at": send_at,
        "recipients": len(members),
        "sessions": sessions,
        "preview": preview,
    }
