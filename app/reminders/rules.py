"""Reminder rules: "7d@10:00" (seven days before, at 10:00 in the app's zone) or "60m" (an hour
before the start). An event keeps its own list; None means the defaults below."""

import re
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

RULE = re.compile(
    r"^(?:(?P<days>\d{1,3})d@(?P<hour>[01]\d|2[0-3]):(?P<minute>[0-5]\d)|(?P<minutes>\d{1,6})m)$"
)
DEFAULT_RULES = ("7d@10:00", "1d@10:00")
ONLINE_RULE = "60m"  # carries the join link, so only for events with an online side


def is_valid(rule: str) -> bool:
    return bool(RULE.match(rule))


def rules_for(event) -> list[str]:
    if event.reminder_rules is not None:
        return list(event.reminder_rules)
    return [*DEFAULT_RULES, ONLINE_RULE] if event.is_online else list(DEFAULT_RULES)


def due_at(rule: str, starts_at: datetime, timezone: str) -> datetime:
    """When the reminder goes out for an event starting at `starts_at`."""
    match = RULE.match(rule)
    if match is None:
        raise ValueError(f"not a reminder rule: {rule!r}")
    if match["minutes"]:
        return starts_at - timedelta(minutes=int(match["minutes"]))
    zone = ZoneInfo(timezone)
    day = starts_at.astimezone(zone).date() - timedelta(days=int(match["days"]))
    return datetime.combine(day, time(int(match["hour"]), int(match["minute"])), tzinfo=zone)


def from_minutes(offsets: list[int]) -> list[str]:
    """Rules from plain minute offsets (how the API speaks)."""
    return [f"{int(minutes)}m" for minutes in offsets]


def to_minutes(rules: list[str], starts_at: datetime, timezone: str) -> list[int]:
    """Each rule as minutes before the start, for the API."""
    return [
        int((starts_at - due_at(rule, starts_at, timezone)).total_seconds() // 60) for rule in rules
    ]
