"""Calendar entries for events as the public sees them: no meeting URL, ever."""

from email.utils import parseaddr
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _

from app.calendar.ics import CalendarSettings, Entry
from app.events.models import Event, EventStatus


def calendar_settings() -> CalendarSettings:
    config = current_app.config
    organizer = config["CALENDAR_ORGANIZER_EMAIL"] or parseaddr(config["MAIL_DEFAULT_SENDER"])[1]
    return CalendarSettings(
        domain=urlsplit(config["PUBLIC_BASE_URL"]).hostname or "localhost",
        timezone=config["APP_TIMEZONE"],
        organizer_email=organizer,
        organizer_name=config["SECRETARIAT_NAME"],
        calendar_name="全国自治体リスキリングネットワーク",
    )


def event_location(event: Event, online_text: str) -> str:
    """Where it happens: the venue, and/or a note that it is online (never the meeting URL)."""
    places = []
    if event.has_venue and event.venue:
        places.append(event.venue)
    if event.is_online:
        places.append(online_text)
    return " / ".join(places)


def public_entry(event: Event, event_url: str, settings: CalendarSettings) -> Entry:
    """The event for downloads and feeds; the same UID every time, SEQUENCE raised on changes."""
    programme = "\n".join(part.title for part in event.parts)
    link = _("詳細・お申し込み: %(url)s", url=event_url)
    description = "\n\n".join(text for text in (event.description.strip(), programme, link) if text)
    return Entry(
        uid=f"event-{event.id}@{settings.domain}",
        sequence=event.sequence,
        stamp=event.updated_at,
        start=event.starts_at,
        end=event.ends_at,
        summary=event.title,
        description=description,
        location=event_location(event, _("オンライン開催")),
        url=event_url,
        cancelled=event.status == EventStatus.CANCELLED,
        all_day=event.all_day,
    )
