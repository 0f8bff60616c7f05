"""A member's personal calendar feed: published events, with their own entry and join link where
they hold a seat."""

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.calendar.entries import calendar_settings, public_entry
from app.calendar.ics import build_calendar
from app.events.models import Event, EventStatus
from app.extensions import db
from app.mail.compose import public_url
from app.members.models import Member
from app.registrations import invites
from app.registrations.models import Registration, RegistrationStatus


def _member_registrations(member: Member) -> list[Registration]:
    query = select(Registration).where(
        Registration.email == member.email, Registration.status == RegistrationStatus.CONFIRMED
    )
    return list(db.session.scalars(query))


def personal_feed_version(member: Member) -> tuple[str, datetime | None]:
    """A cheap fingerprint of the member's feed (events and their registrations), and its age."""
    events = db.session.execute(
        select(func.count(), func.max(Event.updated_at), func.sum(Event.sequence)).where(
            Event.status.in_([EventStatus.PUBLISHED, EventStatus.CANCELLED])
        )
    ).one()
    registrations = db.session.execute(
        select(func.count(), func.max(Registration.updated_at)).where(
            Registration.email == member.email
        )
    ).one()
    moments = [m for m in (events[1], registrations[1]) if m is not None]
    version = f"member:{member.id}:{member.feed_nonce}:{tuple(events)}:{tuple(registrations)}"
    return version, max(moments) if moments else None


def personal_feed(member: Member) -> bytes:
    """Published events, where the member holds a seat replaced by their own entry and join link."""
    settings = calendar_settings()
    mine = {r.event_id: r for r in _member_registrations(member)}
    entries = []
    events = db.session.scalars(
        select(Event)
        .where(Event.status.in_([EventStatus.PUBLISHED, EventStatus.CANCELLED]))
        .options(selectinload(Event.parts))
        .order_by(Event.starts_at)
    )
    for event in events:
        if event.id in mine:
            registration = mine[event.id]
            sequence = registration.calendar_sequence or 0
            cancelled = event.status == EventStatus.CANCELLED
            entries += invites.attendee_entries(registration, sequence, cancelled=cancelled)
        else:
            entries.append(
                public_entry(event, public_url("events.detail", slug=event.slug), settings)
            )
    return build_calendar(entries, settings, "PUBLISH")
