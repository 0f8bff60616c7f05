"""The attendee's own calendar entries: personal UID, personal join link, SEQUENCE per attendee."""

from datetime import timedelta
from typing import Any

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _

from app import clock
from app.calendar.entries import calendar_settings, event_location
from app.calendar.ics import Entry, build_calendar, stretches
from app.events.models import EventStatus
from app.formatting import format_datetime, format_span, format_time
from app.mail.compose import public_url
from app.registrations.models import Registration


def join_opens_at(registration: Registration):
    minutes = current_app.config["JOIN_OPENS_MINUTES_BEFORE"]
    return registration.event.starts_at - timedelta(minutes=minutes)


def links(registration: Registration) -> dict[str, Any]:
    """The personal URLs every mail and page about this registration may show."""
    event = registration.event
    return {
        "event_url": public_url("events.detail", slug=event.slug),
        "manage_url": public_url("registrations.manage", token=registration.manage_token),
        "invite_url": public_url("registrations.invite", token=registration.manage_token),
        "join_url": public_url("registrations.join", token=registration.join_token),
    }


def _description(registration: Registration, urls: dict[str, str], parts: list) -> str:
    event = registration.event
    lines = [event.title, format_span(event.starts_at, event.ends_at)]
    for part in parts:
        when = (
            f"（{format_time(part.starts_at)}〜{format_time(part.ends_at)}）"
            if part.starts_at and part.ends_at
            else ""
        )
        lines.append(f"・{part.title}{when}")
    if registration.table:
        lines.append(_("テーブル: %(title)s", title=registration.table.title))
    lines.append("")
    if event.is_online:
        opens = format_datetime(join_opens_at(registration))
        lines.append(_("オンライン参加用URL（あなた専用・%(opens)sから有効）:", opens=opens))
        lines.append(urls["join_url"])
    if event.has_venue and event.venue:
        lines.append(_("会場: %(venue)s", venue=event.venue))
    lines += ["", _("申込内容の確認・キャンセル:"), urls["manage_url"]]
    return "\n".join(lines)


def attendee_entries(registration: Registration, sequence: int, cancelled: bool) -> list[Entry]:
    """One entry per stretch of chosen parts (or one for the whole event)."""
    event = registration.event
    settings = calendar_settings()
    urls = links(registration)
    location = event_location(event, urls["join_url"])
    stamp = clock.now()
    groups = stretches(registration.parts, event.starts_at, event.ends_at) or [
        ([], event.starts_at, event.ends_at)
    ]
    entries = []
    for parts, start, end in groups:
        suffix = f"-part-{parts[0].id}" if parts and len(groups) > 1 else ""
        summary = event.title if len(groups) == 1 else f"{event.title}（{parts[0].title}）"
        entries.append(
            Entry(
                uid=f"registration-{registration.id}{suffix}@{settings.domain}",
                sequence=sequence,
                stamp=stamp,
                start=start,
                end=end,
                summary=summary,
                description=_description(registration, urls, parts),
                location=location,
                url=urls["event_url"],
                cancelled=cancelled,
                all_day=event.all_day,
                attendee=(registration.email, registration.name),
                alarm_minutes=current_app.config["CALENDAR_ALARM_MINUTES"],
            )
        )
    return entries


def invite(
    registration: Registration, *, cancel: bool = False, new_sequence: bool = True
) -> tuple[str, str]:
    """(METHOD, iCalendar text) to mail: REQUEST to add or move the entry, CANCEL to remove it.

    Each mailed invite raises the attendee's SEQUENCE, so calendars replace the older copy. A
    download (`new_sequence` off) repeats the last one mailed and writes nothing: before any,
    it is 0, the number the first mailed invite will carry.
    """
    if new_sequence:
        sequence = registration.next_calendar_sequence()
    else:
        sequence = registration.calendar_sequence or 0
    cancelled = cancel or registration.event.status == EventStatus.CANCELLED
    method = "CANCEL" if cancelled else "REQUEST"
    with force_locale(registration.locale):  # the calendar speaks the mail's language
        entries = attendee_entries(registration, sequence, cancelled)
    return method, build_calendar(entries, calendar_settings(), method).decode()
