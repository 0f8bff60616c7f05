"""Checks shared by the calendar tests: every calendar is checked byte by byte, then read with
vobject (a second parser, independent of the icalendar library that wrote it)."""

from datetime import UTC, date, datetime

import vobject
from sqlalchemy import select

from app.extensions import db
from app.mail.outbox import OutboxMessage

# Every event in these tests has its meeting URL on this host; no calendar or mail may show it.
MEETING_HOST = "meet.example.net"
MEETING_URL = f"https://{MEETING_HOST}/secret-room"
BASE_URL = "https://reskilling.example.jp"
DOMAIN = "reskilling.example.jp"


def check_raw(body: str | bytes) -> str:
    """RFC 5545 on the wire: CRLF line ends, lines of at most 75 octets, no character cut in two
    by a fold, and no meeting URL. Returns the text."""
    raw = body.encode() if isinstance(body, str) else body
    assert raw.startswith(b"BEGIN:VCALENDAR\r\n")
    assert raw.endswith(b"END:VCALENDAR\r\n")
    lines = raw.split(b"\r\n")
    assert lines[-1] == b""
    for line in lines[:-1]:
        assert b"\n" not in line and b"\r" not in line, f"bare line break in {line!r}"
        assert len(line) <= 75, f"{len(line)} octets: {line!r}"
        line.decode("utf-8")  # a multibyte character split across a fold fails here
    text = raw.decode()
    assert MEETING_HOST not in text
    return text


def parse(body: str | bytes):
    """The one VCALENDAR in `body`, read by vobject after the raw checks."""
    text = check_raw(body)
    calendars = list(vobject.readComponents(text))
    assert len(calendars) == 1
    calendar = calendars[0]
    assert calendar.name == "VCALENDAR"
    return calendar


def vevents(calendar) -> list:
    return list(calendar.contents.get("vevent", []))


def only_vevent(calendar):
    [vevent] = vevents(calendar)
    return vevent


def utc(value: datetime) -> datetime:
    assert isinstance(value, datetime) and value.tzinfo is not None
    return value.astimezone(UTC)


def tzid(prop) -> str | None:
    """The TZID a DATE-TIME was written with (vobject moves it into X-VOBJ-ORIGINAL-TZID)."""
    for name in ("TZID", "X-VOBJ-ORIGINAL-TZID"):
        if name in prop.params:
            return prop.params[name][0]
    return None


def is_date_only(value) -> bool:
    return isinstance(value, date) and not isinstance(value, datetime)


def outbox(category: str | None = None, to: str | None = None) -> list[OutboxMessage]:
    """Outbox rows in the session (flushed or committed), oldest first."""
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if category:
        query = query.where(OutboxMessage.category == category)
    if to:
        query = query.where(OutboxMessage.to_addr == to)
    return list(db.session.scalars(query))


def invite_of(message: OutboxMessage):
    """The parsed calendar a mail carries; its METHOD agrees with the row's calendar_method."""
    assert message.calendar_body, f"{message.category} to {message.to_addr} has no calendar"
    calendar = parse(message.calendar_body)
    assert calendar.method.value == message.calendar_method
    return calendar
