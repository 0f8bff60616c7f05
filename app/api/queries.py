"""The reads behind the API's lists, one page at a time (plain filters; no rules live here)."""

from datetime import datetime

from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from app.events.models import Event, EventStatus
from app.extensions import db
from app.members.models import Member
from app.registrations.models import Registration

PUBLIC_EVENT_STATUSES = (EventStatus.PUBLISHED, EventStatus.CANCELLED)


def page_of(query: Select, page: int, per_page: int) -> tuple[list, int]:
    """(the rows of page `page`, how many rows there are in all)."""
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = db.session.scalars(query.limit(per_page).offset((page - 1) * per_page))
    return list(rows), total or 0


def events(statuses: tuple[str, ...], ending_after: datetime | None) -> Select:
    query = (
        select(Event)
        .where(Event.status.in_(statuses))
        .options(
            selectinload(Event.parts), selectinload(Event.tables), selectinload(Event.questions)
        )
        .order_by(Event.starts_at, Event.id)
    )
    if ending_after is not None:
        query = query.where(Event.ends_at >= ending_after)
    return query


def registrations(event_id: int, status: str | None) -> Select:
    query = (
        select(Registration)
        .where(Registration.event_id == event_id)
        .options(selectinload(Registration.parts))
        .order_by(Registration.id)
    )
    if status is not None:
        query = query.where(Registration.status == status)
    return query


def members(status: str | None) -> Select:
    query = select(Member).order_by(Member.id)
    if status is not None:
        query = query.where(Member.status == status)
    return query
