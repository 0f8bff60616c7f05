"""Reading an event's registrations for the console: search and filters, the check-in list, the
attendance count and how many hold, wait for or await a seat."""

import math
import unicodedata
from dataclasses import dataclass

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from app.events.models import EventPart
from app.extensions import db
from app.organizations.services import local_governments
from app.registrations.models import Registration, RegistrationStatus

REGISTRANTS_PER_PAGE = 50


@dataclass(frozen=True)
class RegistrantQuery:
    """The console's search and filters over one event's registrations; empty means any."""

    q: str = ""
    status: str = ""
    part_id: int | None = None
    table_id: int | None = None
    prefecture: str = ""  # the first two digits of the 団体コード
    organization: str = ""
    page: int = 1


@dataclass(frozen=True)
class RegistrantPage:
    items: list[Registration]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(math.ceil(self.total / self.per_page), 1)


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _search_condition(q: str):
    """Name, furigana, e-mail or organisation containing the text, as typed or NFKC-normalised
    (full-width letters typed into the search box still find an address)."""
    terms = {q.strip(), unicodedata.normalize("NFKC", q).strip()} - {""}
    columns = (
        Registration.name,
        Registration.furigana,
        Registration.email,
        Registration.organization_name,
    )
    return or_(*(column.ilike(_like(term), escape="\\") for term in terms for column in columns))


def _registrant_conditions(event_id: int, query: RegistrantQuery) -> list:
    conditions = [Registration.event_id == event_id]
    if query.q.strip():
        conditions.append(_search_condition(query.q))
    if query.status in set(RegistrationStatus):
        conditions.append(Registration.status == query.status)
    if query.part_id is not None:
        conditions.append(Registration.parts.any(EventPart.id == query.part_id))
    if query.table_id is not None:
        conditions.append(Registration.table_id == query.table_id)
    if len(query.prefecture) == 2 and query.prefecture.isdigit():
        conditions.append(Registration.organization_code.startswith(query.prefecture))
    if query.organization:
        conditions.append(Registration.organization_name == query.organization)
    return conditions


def search_registrants(
    event_id: int, query: RegistrantQuery, per_page: int = REGISTRANTS_PER_PAGE
) -> RegistrantPage:
    """One page of an event's registrations matching the search, in sign-up order."""
    conditions = _registrant_conditions(event_id, query)
    total = (
        db.session.scalar(select(func.count()).select_from(Registration).where(*conditions)) or 0
    )
    page = min(max(query.page, 1), max(math.ceil(total / per_page), 1))
    items = db.session.scalars(
        select(Registration)
        .where(*conditions)
        .options(selectinload(Registration.parts), joinedload(Registration.table))
        .order_by(Registration.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return RegistrantPage(list(items), total, page, per_page)


def prefecture_names() -> dict[str, str]:
    """Prefecture by the first two digits of a 団体コード ("31" -> 鳥取県)."""
    return {lg.code[:2]: lg.prefecture for lg in local_governments() if not lg.municipality}


@dataclass(frozen=True)
class RegistrantFilters:
    """What the console's filters offer for one event: only values its registrations have."""

    prefectures: list[tuple[str, str]]
    organizations: list[str]


def registrant_filters(event_id: int) -> RegistrantFilters:
    rows = db.session.execute(
        select(Registration.organization_code, Registration.organization_name)
        .where(Registration.event_id == event_id)
        .distinct()
    ).all()
    names = prefecture_names()
    prefixes = {code[:2] for code, _ in rows if code and code[:2] in names}
    return RegistrantFilters(
        prefectures=[(prefix, names[prefix]) for prefix in sorted(prefixes)],
        organizations=sorted({name for _, name in rows if name}),
    )


def checkin_list(event_id: int, q: str = "") -> list[Registration]:
    """Everyone who may arrive on the day (all but the cancelled), by reading then name."""
    conditions = [
        Registration.event_id == event_id,
        Registration.status != RegistrationStatus.CANCELLED,
    ]
    if q.strip():
        conditions.append(_search_condition(q))
    return list(
        db.session.scalars(
            select(Registration)
            .where(*conditions)
            .options(joinedload(Registration.table))
            # Those without furigana after the kana order, not before it.
            .order_by(
                case((Registration.furigana == "", 1), else_=0),
                Registration.furigana,
                Registration.name,
                Registration.id,
            )
        )
    )


@dataclass(frozen=True)
class AttendanceCount:
    expected: int  # confirmed seats
    checked_in: int


def attendance_count(event_id: int) -> AttendanceCount:
    confirmed, checked_in = db.session.execute(
        select(
            func.count().filter(Registration.status == RegistrationStatus.CONFIRMED),
            func.count(Registration.checked_in_at),
        ).where(
            Registration.event_id == event_id,
            Registration.status != RegistrationStatus.CANCELLED,
        )
    ).one()
    return AttendanceCount(confirmed, checked_in)


@dataclass(frozen=True)
class SignUps:
    """How many people hold, wait for or await approval of a seat at one event."""

    confirmed: int = 0
    waitlisted: int = 0
    pending: int = 0

    @property
    def active(self) -> int:
        return self.confirmed + self.waitlisted + self.pending


def sign_ups(event_id: int) -> SignUps:
    rows = db.session.execute(
        select(Registration.status, func.count())
        .where(Registration.event_id == event_id)
        .group_by(Registration.status)
    )
    counts = dict(rows.all())
    return SignUps(
        confirmed=counts.get(RegistrationStatus.CONFIRMED, 0),
        waitlisted=counts.get(RegistrationStatus.WAITLISTED, 0),
        pending=counts.get(RegistrationStatus.PENDING, 0),
    )
