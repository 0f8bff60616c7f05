"""Add-to-calendar links for people who do not import files: Google Calendar and Outlook on the web."""

from datetime import UTC, timedelta
from urllib.parse import quote, urlencode
from zoneinfo import ZoneInfo

from app.calendar.ics import Entry

GOOGLE = "https://calendar.google.com/calendar/render"
OUTLOOK_COM = "https://outlook.live.com/calendar/0/action/compose"
MICROSOFT_365 = "https://outlook.office.com/calendar/0/action/compose"


def add_to_calendar_links(entry: Entry, timezone: str) -> dict[str, str]:
    """{"google": ..., "outlook": ..., "office365": ...} for one entry."""
    zone = ZoneInfo(timezone)
    title, start, end = entry.summary, entry.start, entry.end
    details, location = entry.description, entry.location
    if entry.all_day:
        first = start.astimezone(zone).date()
        after_last = end.astimezone(zone).date() + timedelta(days=1)
        google_dates = f"{first:%Y%m%d}/{after_last:%Y%m%d}"
        outlook_times = {
            "startdt": first.isoformat(),
            "enddt": after_last.isoformat(),
            "allday": "true",
        }
    else:
        google_dates = (
            f"{start.astimezone(UTC):%Y%m%dT%H%M%SZ}/{end.astimezone(UTC):%Y%m%dT%H%M%SZ}"
        )
        outlook_times = {
            "startdt": start.astimezone(UTC).isoformat().replace("+00:00", "Z"),
            "enddt": end.astimezone(UTC).isoformat().replace("+00:00", "Z"),
        }
    google = {
        "action": "TEMPLATE",
        "text": title,
        "dates": google_dates,
        "details": details,
        "location": location,
        "ctz": timezone,
    }
    outlook = {
        "path": "/calendar/action/compose",
        "rru": "addevent",
        "subject": title,
        "body": details,
        "location": location,
        **outlook_times,
    }
    return {
        "google": f"{GOOGLE}?{urlencode(google)}",
        "outlook": f"{OUTLOOK_COM}?{urlencode(outlook, quote_via=quote)}",
        "office365": f"{MICROSOFT_365}?{urlencode(outlook, quote_via=quote)}",
    }
