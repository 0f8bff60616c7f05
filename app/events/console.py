"""The console's events: the list with drafts, creating one, publishing it and taking it back
to draft. Services flush; the caller commits once."""

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app import clock
from app.audit.actor import Actor
from app.audit.services import record
from app.events.details import apply_details, check_event_input
from app.events.errors import EventInUse, EventStatusError
from app.events.inputs import EventInput
from app.events.lookup import get_event
from app.events.models import Event, EventKind, EventStatus
from app.extensions import db

KIND_SLUGS = {
    EventKind.SEMINAR: "seminar",
    EventKind.SHARING_SESSION: "sharing",
    EventKind.EXCHANGE_SESSION: "exchange",
    EventKind.JOINT_DECLARATION: "declaration",
}


def console_events(now: datetime) -> tuple[list[Event], list[Event]]:
    """Every event, drafts included: (not yet ended, soonest first), (ended, latest first)."""
    upcoming = select(Event).where(Event.ends_at >= now).order_by(Event.starts_at, Event.id)
    past = select(Event).where(Event.ends_at < now).order_by(Event.starts_at.desc(), Event.id)
    return list(db.session.scalars(upcoming)), list(db.session.scalars(past))


def event_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["APP_TIMEZONE"])


def _unique_slug(base: str) -> str:
    """`base`, or `base-2`, `base-3`... whichever no event uses yet."""
    taken = set(db.session.scalars(select(Event.slug).where(Event.slug.like(f"{base}%"))))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug


def generated_slug(kind: str, starts_at: datetime) -> str:
    return _unique_slug(
        f"{KIND_SLUGS[EventKind(kind)]}-{starts_at.astimezone(event_zone()):%Y%m%d}"
    )


def create_event(data: EventInput, now: datetime | None = None, *, actor: Actor) -> Event:
    """A new event with its parts, tables and questions: a draft, or published at once when the
    input says so (checked as publish_event checks it)."""
    check_event_input(data)
    # The format first: the reminder rules are compared with that format's defaults.
    event = Event(status=EventStatus.DRAFT, format=data.format)
    apply_details(event, data)
    event.slug = data.slug or generated_slug(data.kind, data.starts_at)
    db.session.add(event)
    db.session.flush()
    if data.status == EventStatus.PUBLISHED.value:
        _publish(event, now or clock.now())
    record(
        actor,
        "event.create",
        f"event:{event.id}",
        title=event.title,
        slug=event.slug,
        status=event.status,
    )
    return event


def publish_event(event_id: int, now: datetime, *, actor: Actor) -> Event:
    """Open a draft to the public (its page, the feeds, sign-up within the window)."""
    event = _publish(get_event(event_id), now)
    record(actor, "event.publish", f"event:{event.id}")
    return event


def _publish(event: Event, now: datetime) -> Event:
    if event.status == EventStatus.PUBLISHED:
        raise EventStatusError(_l("このイベントは既に公開されています。"))
    if event.status == EventStatus.CANCELLED:
        raise EventStatusError(
            _l("中止したイベントは公開できません。「複製」から新しいイベントを作成してください。")
        )
    if event.ends_at <= now:
        raise EventStatusError(_l("終了したイベントは公開できません。"))
    event.status = EventStatus.PUBLISHED
    db.session.flush()
    return event


def unpublish_event(event_id: int, signed_up: int, *, actor: Actor) -> Event:
    """Take a published event back to draft; only while nobody has signed up."""
    event = get_event(event_id)
    if event.status != EventStatus.PUBLISHED:
        raise EventStatusError(_l("公開中のイベントではありません。"))
    if signed_up:
        raise EventInUse(
            _l("お申し込みがあるため非公開にできません。開催しない場合は「中止」してください。")
        )
    event.status = EventStatus.DRAFT
    db.session.flush()
    record(actor, "event.unpublish", f"event:{event.id}")
    return event
