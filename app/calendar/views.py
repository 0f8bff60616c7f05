"""Public calendar downloads: one event, and the feed of all published events."""

from datetime import timedelta

from flask import Blueprint, abort, current_app
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app import clock
from app.calendar.entries import calendar_settings, public_entry
from app.calendar.http import calendar_response
from app.calendar.ics import build_calendar
from app.errors import EventNotFound
from app.events.models import Event, EventStatus
from app.events.public import get_public_event
from app.extensions import db
from app.formatting import current_locale
from app.mail.compose import public_url

bp = Blueprint("calendar", __name__)

# Cancelled events stay in the feed for a while, so subscribed calendars see STATUS:CANCELLED.
CANCELLED_KEPT_FOR = timedelta(days=90)


def _feed_condition():
    return Event.status.in_([EventStatus.PUBLISHED, EventStatus.CANCELLED]) & (
        (Event.status == EventStatus.PUBLISHED)
        | (Event.ends_at >= clock.now() - CANCELLED_KEPT_FOR)
    )


@bp.route("/events/<slug>.ics")
def event_ics(slug):
    try:
        event = get_public_event(slug)
    except EventNotFound:
        abort(404)
    settings = calendar_settings()
    return calendar_response(
        lambda: build_calendar(
            [public_entry(event, public_url("events.detail", slug=event.slug), settings)],
            settings,
            "PUBLISH",
        ),
        version=f"event:{event.id}:{event.sequence}:{event.updated_at.isoformat()}",
        last_modified=event.updated_at,
        filename=f"{event.slug}.ics",
    )


@bp.route("/calendar.ics")
def feed():
    """Every published event (and recently cancelled ones): subscribe with webcal://."""
    count, last_modified, id_sum, sequences = db.session.execute(
        select(
            func.count(), func.max(Event.updated_at), func.sum(Event.id), func.sum(Event.sequence)
        ).where(_feed_condition())
    ).one()

    last = last_modified.isoformat() if last_modified else "-"
    version = f"feed:{count}:{id_sum}:{sequences}:{last}"
    cache_key = f"{version}:{current_locale()}"

    def build():
        # Every subscriber polls the same feed: build it once per version, not once per poll.
        # The last feed this app built, with the version and language it was built for.
        feed_cache = current_app.extensions.setdefault("calendar_feed_cache", {})
        if feed_cache.get("key") != cache_key:
            settings = calendar_settings()
            events = db.session.scalars(
                select(Event)
                .where(_feed_condition())
                .options(selectinload(Event.parts))
                .order_by(Event.starts_at)
            )
            entries = [
                public_entry(e, public_url("events.detail", slug=e.slug), settings) for e in events
            ]
            feed_cache.update(key=cache_key, body=build_calendar(entries, settings, "PUBLISH"))
        return feed_cache["body"]

    return calendar_response(
        build,
        version=version,
        last_modified=last_modified,
        filename="reskilling-network.ics",
    )
