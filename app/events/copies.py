"""Duplicating an event: a new draft moved to its next date, a 定期共有会 renamed for its
half-year."""

import re
from calendar import monthrange
from datetime import datetime, timedelta

from app.audit.actor import Actor
from app.audit.services import record
from app.events.console import event_zone, generated_slug
from app.events.lookup import get_event
from app.events.models import Event, EventKind, EventPart, EventStatus, Question, ThemeTable
from app.extensions import db

# 2026年度上期 / 令和8年度下期 in the title of a 定期共有会; a copy gets the next half-year's name.
HALF_YEAR = re.compile(
    r"(?:(?P<western>\d{4})|令和(?P<reiwa>\d{1,2}|元))年度(?P<half>上半期|下半期|上期|下期)"
)
REIWA_OFFSET = 2018  # 令和元年度 = fiscal 2019


def _add_months(moment: datetime, months: int) -> datetime:
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    return moment.replace(year=year, month=month, day=min(moment.day, monthrange(year, month)[1]))


def _copy_shift(event: Event, now: datetime) -> timedelta:
    """How far a copy moves: a 定期共有会 by half-years, anything else by whole weeks (same
    weekday and time), as few steps as put the copy's start after `now`."""
    start = event.starts_at.astimezone(event_zone())
    step = 1
    while True:
        if event.kind == EventKind.SHARING_SESSION:
            moved = _add_months(start, 6 * step)
        else:
            moved = start + timedelta(weeks=step)
        if moved > now:
            return moved - start
        step += 1


def half_year_title(title: str, starts_at: datetime) -> str:
    """The title with its 年度上期/下期 (fiscal half-year, April–September and October–March)
    replaced by the half-year `starts_at` falls in, in the same style (2026年度 or 令和8年度)."""
    local = starts_at.astimezone(event_zone())
    fiscal_year = local.year if local.month >= 4 else local.year - 1
    first_half = 4 <= local.month <= 9

    def replace(match: re.Match) -> str:
        if match["western"]:
            year = str(fiscal_year)
        else:
            reiwa = fiscal_year - REIWA_OFFSET
            year = "令和" + ("元" if reiwa == 1 else str(reiwa))
        if "半" in match["half"]:
            half = "上半期" if first_half else "下半期"
        else:
            half = "上期" if first_half else "下期"
        return f"{year}年度{half}"

    return HALF_YEAR.sub(replace, title, count=1)


def duplicate_event(event_id: int, now: datetime, *, actor: Actor) -> Event:
    """A new draft copied from an event (parts, tables, questions, reminders), moved to its
    next date (see _copy_shift). The meeting URL is left blank: a reused link would send the
    new attendees to the old meeting."""
    source = get_event(event_id)
    shift = _copy_shift(source, now)
    starts_at = source.starts_at + shift
    title = source.title
    if source.kind == EventKind.SHARING_SESSION:
        title = half_year_title(title, starts_at)

    def moved(moment: datetime | None) -> datetime | None:
        return None if moment is None else moment + shift

    copy = Event(
        slug=generated_slug(source.kind, starts_at),
        title=title,
        kind=source.kind,
        description=source.description,
        starts_at=starts_at,
        ends_at=source.ends_at + shift,
        all_day=source.all_day,
        format=source.format,
        venue=source.venue,
        meeting_url="",
        capacity=source.capacity,
        registration_opens_at=moved(source.registration_opens_at),
        registration_closes_at=moved(source.registration_closes_at),
        status=EventStatus.DRAFT,
        reminder_rules=None if source.reminder_rules is None else list(source.reminder_rules),
        requires_approval=source.requires_approval,
        parts=[
            EventPart(
                position=i,
                title=part.title,
                starts_at=moved(part.starts_at),
                ends_at=moved(part.ends_at),
                capacity=part.capacity,
                uses_tables=part.uses_tables,
            )
            for i, part in enumerate(source.parts)
        ],
        tables=[
            ThemeTable(
                position=i,
                title=table.title,
                description=table.description,
                capacity=table.capacity,
            )
            for i, table in enumerate(source.tables)
        ],
        questions=[
            Question(
                position=i,
                label=question.label,
                type=question.type,
                required=question.required,
                choices=list(question.choices),
            )
            for i, question in enumerate(source.questions)
        ],
    )
    db.session.add(copy)
    db.session.flush()
    record(actor, "event.duplicate", f"event:{copy.id}", source=f"event:{source.id}")
    return copy
