"""Dates as people read them: 2026年9月15日(火) 14:00〜16:00 in Japanese, in the app's time zone."""

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.lists import format_list
from flask import current_app
from flask_babel import get_locale

WEEKDAYS_JA = "月火水木金土日"
WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS_EN = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def local(moment: datetime) -> datetime:
    return moment.astimezone(ZoneInfo(current_app.config["APP_TIMEZONE"]))


def _english() -> bool:
    return current_locale() == "en"


def format_date(moment: datetime) -> str:
    """2026年9月15日(火) / Tue 15 September 2026."""
    d = local(moment)
    if _english():
        return f"{WEEKDAYS_EN[d.weekday()]} {d.day} {MONTHS_EN[d.month - 1]} {d.year}"
    return f"{d.year}年{d.month}月{d.day}日({WEEKDAYS_JA[d.weekday()]})"


def format_time(moment: datetime) -> str:
    """14:00, in the app's time zone."""
    return f"{local(moment):%H:%M}"


def format_datetime(moment: datetime) -> str:
    """2026年9月15日(火) 14:00."""
    return f"{format_date(moment)} {format_time(moment)}"


def format_span(start: datetime, end: datetime | None) -> str:
    """2026年9月15日(火) 14:00〜16:00, with the end date written out only when it differs."""
    dash = "–" if _english() else "〜"
    text = format_datetime(start)
    if end is None:
        return text
    if local(start).date() == local(end).date():
        return f"{text}{dash}{format_time(end)}"
    return f"{text}{dash}{format_datetime(end)}"


def current_locale() -> str:
    return str(get_locale() or "ja")


def format_items(items) -> str:
    """A list as the reader writes one: 「A、B、C」 / "A, B, and C"."""
    return format_list([str(item) for item in items], locale=current_locale())


def init_app(app) -> None:
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.globals["current_locale"] = current_locale
    app.jinja_env.filters["format_date"] = format_date
    app.jinja_env.filters["format_datetime"] = format_datetime
    app.jinja_env.filters["format_time"] = format_time
    app.jinja_env.globals["format_span"] = format_span
