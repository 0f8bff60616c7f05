"""The numbers behind the statistics pages: per event (sign-ups over time, statuses, "N 自治体・M 名"
and the survey's response rate, theme tables, prefectures) and for the whole network (members,
organisations, prefectures).

Organisations are counted by 団体コード, or by name for bodies without one; the prefecture is the
first two digits of the code.
"""

import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache

from flask_babel import gettext as _
from sqlalchemy import func, select

from app.events.models import Event, EventStatus
from app.extensions import db
from app.formatting import local
from app.members.models import Member, MemberStatus
from app.organizations.services import local_governments
from app.registrations.models import Registration, RegistrationStatus, registration_parts
from app.surveys.results import ResponseRate, response_rate
from app.surveys.services import survey_of

PREFECTURE_COUNT = 47


@cache
def prefecture_names() -> dict[str, str]:
    """{"01": "北海道", ..., "47": "沖縄県"}, from the prefectures' own rows of the official list."""
    return {lg.code[:2]: lg.prefecture for lg in local_governments() if not lg.municipality}


def prefecture_of(code: str | None) -> str | None:
    """The prefecture of a 団体コード; None for a body without a (known) code."""
    return prefecture_names().get(code[:2]) if code else None


def organization_key(code: str | None, name: str) -> str:
    """What makes two people the same organisation: the code, else the name as written."""
    return code or " ".join(unicodedata.normalize("NFKC", name).split())


@dataclass(frozen=True)
class Headcount:
    """ "N 自治体・M 名": distinct organisations and people."""

    organizations: int
    people: int


@dataclass(frozen=True)
class Person:
    """The facts about one person that the counts need."""

    organization_code: str | None
    organization_name: str


def headcount(people: Iterable[Person]) -> Headcount:
    people = list(people)
    organizations = {organization_key(p.organization_code, p.organization_name) for p in people}
    return Headcount(organizations=len(organizations), people=len(people))


@dataclass(frozen=True)
class PrefectureRow:
    """People and organisations of one prefecture; `code` is None for bodies without a code."""

    code: str | None
    name: str
    organizations: int
    people: int


def by_prefecture(people: Iterable[Person]) -> list[PrefectureRow]:
    """Prefectures in the official order (北海道 first), then bodies without a code."""
    groups: dict[str | None, list[Person]] = defaultdict(list)
    for person in people:
        code = person.organization_code
        groups[code[:2] if code and code[:2] in prefecture_names() else None].append(person)
    rows = []
    for code in sorted(groups, key=lambda c: (c is None, c or "")):
        count = headcount(groups[code])
        name = prefecture_names()[code] if code else _("その他（団体コードなし）")
        rows.append(PrefectureRow(code, name, count.organizations, count.people))
    return rows


@dataclass(frozen=True)
class SignupDay:
    """Running totals at the end of a day (local time): every sign-up so far, and those still on."""

    day: date
    signed_up: int
    active: int


def _signups_over_time(rows, last_day: date) -> list[SignupDay]:
    created = Counter(local(row.created_at).date() for row in rows)
    cancelled = Counter(
        local(row.cancelled_at or row.updated_at).date()
        for row in rows
        if row.status == RegistrationStatus.CANCELLED
    )
    if not created:
        return []
    first = min(created)
    last = max(last_day, *created, *cancelled)
    days, signed_up, active = [], 0, 0
    day = first
    while day <= last:
        signed_up += created[day]
        active += created[day] - cancelled[day]
        days.append(SignupDay(day, signed_up, active))
        day += timedelta(days=1)
    return days


@dataclass(frozen=True)
class SeatRow:
    """Sign-ups for one part or theme table; capacity None means unlimited."""

    title: str
    capacity: int | None
    confirmed: int
    waitlisted: int
    pending: int


@dataclass(frozen=True)
class EventStatistics:
    event: Event
    statuses: dict[RegistrationStatus, int]
    attended: int
    confirmed: Headcount
    # None until someone has checked in (受付).
    attendance: Headcount | None
    signups: list[SignupDay]
    parts: list[SeatRow]
    tables: list[SeatRow]
    prefectures: list[PrefectureRow]
    # The survey's response rate; None when the event has no survey.
    survey: ResponseRate | None = None

    @property
    def total(self) -> int:
        return sum(self.statuses.values())


def _seat_row(title, capacity, statuses: Counter) -> SeatRow:
    return SeatRow(
        title=title,
        capacity=capacity,
        confirmed=statuses[RegistrationStatus.CONFIRMED],
        waitlisted=statuses[RegistrationStatus.WAITLISTED],
        pending=statuses[RegistrationStatus.PENDING],
    )


def event_statistics(event: Event, now: datetime) -> EventStatistics:
    """Everything the event's statistics page shows; an event nobody signed up for gives zeros."""
    rows = db.session.execute(
        select(
            Registration.status,
            Registration.organization_code,
            Registration.organization_name,
            Registration.table_id,
            Registration.created_at,
            Registration.cancelled_at,
            Registration.updated_at,
            Registration.checked_in_at,
        ).where(Registration.event_id == event.id)
    ).all()
    statuses = Counter({status: 0 for status in RegistrationStatus})
    statuses.update(row.status for row in rows)
    confirmed = [
        Person(row.organization_code, row.organization_name)
        for row in rows
        if row.status == RegistrationStatus.CONFIRMED
    ]
    attended = [
        Person(row.organization_code, row.organization_name)
        for row in rows
        if row.checked_in_at is not None
    ]
    by_table: dict[int, Counter] = defaultdict(Counter)
    for row in rows:
        if row.table_id is not None:
            by_table[row.table_id][row.status] += 1
    by_part: dict[int, Counter] = defaultdict(Counter)
    part_rows = db.session.execute(
        select(registration_parts.c.part_id, Registration.status, func.count())
        .join(Registration, Registration.id == registration_parts.c.registration_id)
        .where(Registration.event_id == event.id)
        .group_by(registration_parts.c.part_id, Registration.status)
    )
    for part_id, status, count in part_rows:
        by_part[part_id][status] = count
    last_day = local(min(now, event.starts_at)).date()
    survey = survey_of(event.id)
    return EventStatistics(
        event=event,
        statuses=dict(statuses),
        attended=len(attended),
        confirmed=headcount(confirmed),
        attendance=headcount(attended) if attended else None,
        signups=_signups_over_time(rows, last_day),
        parts=[_seat_row(p.title, p.capacity, by_part[p.id]) for p in event.parts],
        tables=[_seat_row(t.title, t.capacity, by_table[t.id]) for t in event.tables],
        prefectures=by_prefecture(confirmed),
        survey=response_rate(survey.id) if survey else None,
    )


@dataclass(frozen=True)
class EventSummary:
    """One line of the network page's list of events."""

    event: Event
    confirmed: Headcount
    attendance: Headcount | None


@dataclass(frozen=True)
class NetworkStatistics:
    members: dict[MemberStatus, int]
    # Active members: "N 自治体・M 名".
    active: Headcount
    prefectures_covered: int
    prefectures: list[PrefectureRow]
    events: list[EventSummary]
    prefecture_total: int = PREFECTURE_COUNT


def _event_summaries() -> list[EventSummary]:
    events = db.session.scalars(
        select(Event).where(Event.status != EventStatus.DRAFT).order_by(Event.starts_at.desc())
    ).all()
    rows = db.session.execute(
        select(
            Registration.event_id,
            Registration.status,
            Registration.organization_code,
            Registration.organization_name,
            Registration.checked_in_at,
        ).where(
            (Registration.status == RegistrationStatus.CONFIRMED)
            | Registration.checked_in_at.is_not(None)
        )
    ).all()
    confirmed: dict[int, list[Person]] = defaultdict(list)
    attended: dict[int, list[Person]] = defaultdict(list)
    for row in rows:
        person = Person(row.organization_code, row.organization_name)
        if row.status == RegistrationStatus.CONFIRMED:
            confirmed[row.event_id].append(person)
        if row.checked_in_at is not None:
            attended[row.event_id].append(person)
    return [
        EventSummary(
            event=event,
            confirmed=headcount(confirmed[event.id]),
            attendance=headcount(attended[event.id]) if attended[event.id] else None,
        )
        for event in events
    ]


def network_statistics() -> NetworkStatistics:
    """Members by status; active members by organisation and prefecture; every event's headcount."""
    rows = db.session.execute(
        select(Member.status, Member.organization_code, Member.organization_name)
    ).all()
    members = Counter({status: 0 for status in MemberStatus})
    members.update(row.status for row in rows)
    active = [
        Person(row.organization_code, row.organization_name)
        for row in rows
        if row.status == MemberStatus.ACTIVE
    ]
    prefectures = by_prefecture(active)
    return NetworkStatistics(
        members=dict(members),
        active=headcount(active),
        prefectures_covered=sum(1 for row in prefectures if row.code is not None),
        prefectures=prefectures,
        events=_event_summaries(),
    )
