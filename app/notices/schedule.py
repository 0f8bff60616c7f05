"""When the half-yearly notice goes out: the first working day of April and October, 10:00 JST.

Working days skip weekends, national holidays (jpholiday) and the government offices' year-end
closure, 29 December to 3 January (行政機関の休日).
"""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import jpholiday


def is_working_day(day: date) -> bool:
    if day.weekday() >= 5 or jpholiday.is_holiday(day):
        return False
    return not ((day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3))


def first_working_day(year: int, month: int) -> date:
    day = date(year, month, 1)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def notice_time(year: int, month: int, at: time, timezone: str) -> datetime:
    return datetime.combine(first_working_day(year, month), at, tzinfo=ZoneInfo(timezone))


def current_period(now: datetime, months: tuple[int, ...], at: time, timezone: str):
    """(period, send time) of the latest notice whose time has come, or None before the first."""
    candidates = [
        (f"{year}-{month:02d}", notice_time(year, month, at, timezone))
        for year in (now.year - 1, now.year)
        for month in months
    ]
    passed = [item for item in candidates if item[1] <= now]
    return max(passed, key=lambda item: item[1]) if passed else None


def next_notice(now: datetime, months: tuple[int, ...], at: time, timezone: str):
    """(period, send time) of the next notice still to come."""
    candidates = [
        (f"{year}-{month:02d}", notice_time(year, month, at, timezone))
        for year in (now.year, now.year + 1)
        for month in months
    ]
    return min((item for item in candidates if item[1] > now), key=lambda item: item[1])
