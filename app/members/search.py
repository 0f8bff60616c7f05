"""The members list of the console: a search over name, e-mail, organisation and department,
a page of it, and what each member agreed to and signed up for."""

import unicodedata
from dataclasses import dataclass

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import selectinload

from app.events.models import Event
from app.extensions import db
from app.members.consent import WORDING
from app.members.models import Member, MemberStatus
from app.members.services import AWAITING_CONSENT
from app.registrations.models import Registration

MEMBERS_PER_PAGE = 50
# Beyond any real list; keeps a typed page number from overflowing the database's OFFSET.
MAX_PAGE = 100_000


@dataclass(frozen=True)
class MemberSearch:
    """The members list's filters: free text over name, e-mail, organisation and department."""

    text: str = ""
    status: str = ""

    @classmethod
    def parse(cls, text: str | None, status: str | None) -> "MemberSearch":
        """From query-string values; an unknown status means no status filter."""
        text = " ".join(unicodedata.normalize("NFKC", text or "").split())[:100]
        status = status if status in set(MemberStatus) else ""
        return cls(text=text, status=status)


def member_query(search: MemberSearch) -> Select:
    query = select(Member)
    if search.status:
        query = query.where(Member.status == search.status)
    for word in search.text.split():
        query = query.where(
            or_(
                Member.name.icontains(word, autoescape=True),
                Member.email.icontains(word, autoescape=True),
                Member.organization_name.icontains(word, autoescape=True),
                Member.organization_code.icontains(word, autoescape=True),
                Member.department.icontains(word, autoescape=True),
            )
        )
    return query


@dataclass(frozen=True)
class MemberPage:
    members: list[Member]
    page: int
    total: int
    per_page: int

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page * self.per_page < self.total


def find_members(search: MemberSearch, page: int, per_page: int = MEMBERS_PER_PAGE) -> MemberPage:
    """One page of the members matching `search`, newest first."""
    query = member_query(search)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    page = min(max(page, 1), MAX_PAGE)
    members = db.session.scalars(
        query.order_by(Member.id.desc()).limit(per_page).offset((page - 1) * per_page)
    )
    return MemberPage(list(members), page, total or 0, per_page)


def consent_wording(version: str) -> str | None:
    """The text the member agreed to, or None for a successor who has not consented yet (or a
    version whose wording is not on record)."""
    if version == AWAITING_CONSENT:
        return None
    return WORDING.get(version)


def member_registrations(member: Member) -> list[Registration]:
    """The member's sign-ups (matched by e-mail address), newest event first."""
    query = (
        select(Registration)
        .join(Event, Event.id == Registration.event_id)
        .where(Registration.email == member.email)
        .options(selectinload(Registration.event))
        .order_by(Event.starts_at.desc())
    )
    return list(db.session.scalars(query))
