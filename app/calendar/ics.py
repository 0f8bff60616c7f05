"""Pure functions from events and registrations to iCalendar bytes.

Every timed value is written with TZID=Asia/Tokyo (and a VTIMEZONE), so a calendar set to any
other zone shows the right local time; all-day events are DATE values. icalendar folds lines at
75 octets without splitting characters and escapes commas, semicolons and newlines.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Timezone, vCalAddress, vText
from icalendar import Event as VEvent

PRODID = "-//Zenkoku Jichitai Reskilling Network//Sign-up service//JA"
# Chosen parts closer than this are one stay in the calendar (第一部 then 第二部 after a break).
JOINED_PARTS_GAP = timedelta(minutes=30)


@dataclass(frozen=True)
class CalendarSettings:
    """What every calendar needs from configuration."""

    domain: str  # right-hand side of every UID
    timezone: str
    organizer_email: str
    organizer_name: str
    calendar_name: str


@dataclass(frozen=True)
class Entry:
    """One VEVENT: a whole event, or the attendee's stretch of its parts."""

    uid: str
    sequence: int
    stamp: datetime
    start: datetime
    end: datetime
    summary: str
    description: str
    location: str = ""
    url: str = ""
    cancelled: bool = False
    all_day: bool = False
    attendee: tuple[str, str] | None = None  # (email, name) for a personal invite
    alarm_minutes: int | None = None
    categories: list[str] = field(default_factory=list)


def _component(entry: Entry, settings: CalendarSettings) -> VEvent:
    zone = ZoneInfo(settings.timezone)
    vevent = VEvent()
    vevent.add("uid", entry.uid)
    vevent.add("sequence", entry.sequence)
    vevent.add("dtstamp", entry.stamp)
    if entry.all_day:
        first_day = entry.start.astimezone(zone).date()
        last_day = entry.end.astimezone(zone).date()
        vevent.add("dtstart", first_day)
        vevent.add("dtend", max(last_day, first_day) + timedelta(days=1))  # DTEND is exclusive
    else:
        vevent.add("dtstart", entry.start.astimezone(zone))
        vevent.add("dtend", entry.end.astimezone(zone))
    vevent.add("summary", entry.summary)
    vevent.add("description", entry.description)
    if entry.location:
        vevent.add("location", entry.location)
    if entry.url:
        vevent.add("url", entry.url)
    vevent.add("status", "CANCELLED" if entry.cancelled else "CONFIRMED")
    vevent.add("transp", "OPAQUE")
    organizer = vCalAddress(f"mailto:{settings.organizer_email}")
    organizer.params["cn"] = vText(settings.organizer_name)
    vevent.add("organizer", organizer)
    if entry.attendee:
        email, name = entry.attendee
        attendee = vCalAddress(f"mailto:{email}")
        attendee.params["cn"] = vText(name)
        attendee.params["role"] = vText("REQ-PARTICIPANT")
        attendee.params["partstat"] = vText("DECLINED" if entry.cancelled else "ACCEPTED")
        # They signed up on our site; no reply is asked for, so "Accept" sends nothing anywhere.
        attendee.params["rsvp"] = vText("FALSE")
        vevent.add("attendee", attendee)
    if entry.alarm_minutes is not None and not entry.cancelled and not entry.all_day:
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", entry.summary)
        alarm.add("trigger", timedelta(minutes=-entry.alarm_minutes))
        vevent.add_component(alarm)
    if entry.categories:
        vevent.add("categories", entry.categories)
    return vevent


@cache
def _vtimezone(tzid: str) -> Timezone:
    """The VTIMEZONE for a zone; building it costs ~30 ms, so once per process."""
    return Timezone.from_tzid(tzid)


def build_calendar(entries: list[Entry], settings: CalendarSettings, method: str | None) -> bytes:
    """A VCALENDAR holding the entries; `method` is REQUEST or CANCEL for mail, PUBLISH or None
    for downloads and feeds."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method:
        calendar.add("method", method)
    calendar.add("x-wr-calname", settings.calendar_name)
    calendar.add("x-wr-timezone", settings.timezone)
    for entry in entries:
        calendar.add_component(_component(entry, settings))
    if any(not entry.all_day for entry in entries):
        calendar.add_component(_vtimezone(settings.timezone))
    return calendar.to_ical()


def stretches(
    parts: list, event_start: datetime, event_end: datetime
) -> list[tuple[list, datetime, datetime]]:
    """Group the chosen parts into the stretches the attendee is there.

    Parts without their own times fall back to the event's. Adjacent parts (a short break
    between them) make one stretch, so choosing 第一部 and 第二部 gives one calendar entry.
    """
    timed = sorted(
        ((p, p.starts_at or event_start, p.ends_at or event_end) for p in parts), key=lambda t: t[1]
    )
    groups: list[tuple[list, datetime, datetime]] = []
    for part, start, end in timed:
        if groups and start - groups[-1][2] <= JOINED_PARTS_GAP:
            members, first, last = groups[-1]
            groups[-1] = (members + [part], first, max(last, end))
        else:
            groups.append(([part], start, end))
    return groups
