"""Who appears in an event's documents, each list in 五十音順 (see reading.py).

- 参加証明書 (certificate): those checked in at reception (受付) whose seat is not cancelled.
- 名札 (name tags): those holding a confirmed seat, and anyone checked in without one.
- 受付名簿 (reception list): everyone who may arrive on the day, as on the check-in page (all
  but the cancelled), their status shown beside those without a confirmed seat.
Registrations whose personal data the retention rule replaced are in none of them.
"""

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import joinedload, selectinload

from app.documents.reading import by_reading
from app.extensions import db
from app.registrations.models import Registration, RegistrationStatus


def may_have_certificate(registration: Registration) -> bool:
    """A certificate says the person attended: only a check-in on the day shows that."""
    return (
        registration.checked_in_at is not None
        and registration.status != RegistrationStatus.CANCELLED
        and registration.anonymised_at is None
    )


def _people(event_id: int, *conditions: ColumnElement[bool]) -> list[Registration]:
    query = (
        select(Registration)
        .where(
            Registration.event_id == event_id,
            Registration.status != RegistrationStatus.CANCELLED,
            Registration.anonymised_at.is_(None),
            *conditions,
        )
        .options(joinedload(Registration.table), selectinload(Registration.parts))
    )
    return by_reading(db.session.scalars(query))


def certificate_holders(event_id: int) -> list[Registration]:
    return _people(event_id, Registration.checked_in_at.is_not(None))


def name_tag_people(event_id: int) -> list[Registration]:
    return _people(
        event_id,
        or_(
            Registration.status == RegistrationStatus.CONFIRMED,
            Registration.checked_in_at.is_not(None),
        ),
    )


def reception_people(event_id: int) -> list[Registration]:
    return _people(event_id)
