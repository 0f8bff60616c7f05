"""Personal data does not pile up: registrations of events that ended RETENTION_MONTHS ago are
anonymised (name, e-mail, furigana, department, position), and the mail sent to them is deleted.
The organisation and the status stay, so statistics such as "14 自治体・27 名" still add up."""

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, select

from app.events.models import Event
from app.extensions import db
from app.mail.outbox import OutboxMessage
from app.registrations.models import Registration


def retention_cutoff(now: datetime) -> datetime:
    return now - timedelta(days=round(current_app.config["RETENTION_MONTHS"] * 30.44))


def anonymise_expired(now: datetime) -> int:
    """Anonymise what the retention rule says; returns how many registrations. Commits."""
    cutoff = retention_cutoff(now)
    expired = db.session.scalars(
        select(Registration)
        .join(Event, Event.id == Registration.event_id)
        .where(Event.ends_at < cutoff, Registration.anonymised_at.is_(None))
        .limit(1000)
    ).all()
    for registration in expired:
        db.session.execute(
            delete(OutboxMessage).where(
                OutboxMessage.to_addr == registration.email, OutboxMessage.created_at < cutoff
            )
        )
        registration.name = "（削除済み）"
        registration.furigana = ""
        registration.email = f"deleted-{registration.id}@invalid"
        registration.department = ""
        registration.position = ""
        registration.anonymised_at = now
    db.session.commit()
    return len(expired)
