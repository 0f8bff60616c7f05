"""Personal data does not pile up: registrations of events that ended RETENTION_MONTHS ago are
anonymised (name, e-mail, furigana, department, position), and the mail sent to them is deleted.
The organisation and the status stay, so statistics such as "14 自治体・27 名" still add up.
Inquiries received that long ago go with their mail; the webhook deliveries that are done go too
(app/webhooks/delivery.py delete_finished_deliveries, called by the same sweep step)."""

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import delete, select

from app.events.models import Event
from app.extensions import db
from app.inquiries.models import Inquiry
from app.mail.outbox import OutboxMessage, OutboxStatus
from app.members.applications import delete_expired_applications
from app.registrations.models import Registration

INQUIRY_MAIL = ("inquiry_received", "inquiry_ack")
# Longer than any upload takes, even a slow one of MATERIALS_MAX_BYTES.
ABANDONED_UPLOAD_AGE = timedelta(days=1)


def retention_cutoff(now: datetime) -> datetime:
    return now - timedelta(days=round(current_app.config["RETENTION_MONTHS"] * 30.44))


def anonymise_expired(now: datetime) -> int:
    """Anonymise what the retention rule says; returns how many registrations (the caller
    commits)."""
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
    return len(expired)


def delete_expired_records(now: datetime) -> None:
    """Delete old inquiries with their mail and membership applications whose link expired
    (the caller commits).

    The queues are searched through their (status, next_attempt_at) index: a row is never due
    before it was written, so one last tried before the cutoff was written before it too."""
    cutoff = retention_cutoff(now)
    db.session.execute(delete(Inquiry).where(Inquiry.created_at < cutoff))
    delete_expired_applications(now)  # what /join typed, never confirmed
    db.session.execute(
        delete(OutboxMessage).where(
            OutboxMessage.status.in_(list(OutboxStatus)),
            OutboxMessage.next_attempt_at < cutoff,
            OutboxMessage.category.in_(INQUIRY_MAIL),
        )
    )
