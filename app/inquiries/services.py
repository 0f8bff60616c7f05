"""Inquiries (お問い合わせ): stored, mailed to the secretariat, marked handled in the console."""

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import func, select

from app.audit.actor import Actor
from app.audit.services import record
from app.errors import DomainError
from app.extensions import db
from app.inquiries import notifications
from app.inquiries.models import Inquiry
from app.organizers.models import Organizer

OPEN = "open"
HANDLED = "handled"
ALL = "all"
STATES = (OPEN, HANDLED, ALL)


class InquiryNotFound(DomainError):
    pass


@dataclass
class InquiryInput:
    name: str
    email: str
    subject: str
    body: str
    organization: str = ""
    locale: str = "ja"


def notify_addresses() -> list[str]:
    """INQUIRY_NOTIFY_ADDRESS (comma-separated), or else every active organizer's address."""
    configured = [a.strip() for a in current_app.config["INQUIRY_NOTIFY_ADDRESS"].split(",")]
    if any(configured):
        return [address for address in configured if address]
    query = select(Organizer.email).where(Organizer.active.is_(True)).order_by(Organizer.id)
    return list(db.session.scalars(query))


def submit_inquiry(data: InquiryInput, now: datetime) -> Inquiry:
    """Store the inquiry, mail it to the secretariat and acknowledge it to the sender."""
    inquiry = Inquiry(
        name=data.name,
        email=data.email,
        organization_name=data.organization,
        subject=data.subject,
        # Browsers send a textarea with CRLF; kept with LF like every other text we store.
        body=data.body.replace("\r\n", "\n").replace("\r", "\n").strip(),
        locale=data.locale,
        created_at=now,
    )
    db.session.add(inquiry)
    db.session.flush()
    notifications.notify_organizers(inquiry, notify_addresses())
    notifications.notify_sender(inquiry)
    return inquiry


def get_inquiry(inquiry_id: int) -> Inquiry:
    inquiry = db.session.get(Inquiry, inquiry_id)
    if inquiry is None:
        raise InquiryNotFound()
    return inquiry


def handled_by(inquiry: Inquiry) -> Organizer | None:
    """The organizer who marked the inquiry handled, if the account still exists."""
    return db.session.get(Organizer, inquiry.handled_by_id) if inquiry.handled_by_id else None


def _filtered(query, state: str):
    if state == OPEN:
        return query.where(Inquiry.handled_at.is_(None))
    if state == HANDLED:
        return query.where(Inquiry.handled_at.is_not(None))
    return query


def list_inquiries(state: str, limit: int, offset: int = 0) -> list[Inquiry]:
    """Newest first; `state` is open (未対応), handled (対応済み) or all."""
    query = select(Inquiry).order_by(Inquiry.created_at.desc(), Inquiry.id.desc())
    return list(db.session.scalars(_filtered(query, state).limit(limit).offset(offset)))


def state_counts() -> dict[str, int]:
    total, handled = db.session.execute(
        select(func.count(Inquiry.id), func.count(Inquiry.handled_at))
    ).one()
    return {OPEN: total - handled, HANDLED: handled, ALL: total}


def set_handled(inquiry_id: int, handled: bool, now: datetime, *, actor: Actor) -> bool:
    """Mark the inquiry handled (対応済み) by this organizer, or open again; returns False when it
    already was in that state (a second click changes nothing)."""
    inquiry = get_inquiry(inquiry_id)
    if (inquiry.handled_at is not None) == handled:
        return False
    inquiry.handled_at = now if handled else None
    inquiry.handled_by_id = actor.organizer_id if handled else None
    db.session.flush()
    record(actor, "inquiry.handle" if handled else "inquiry.reopen", f"inquiry:{inquiry_id}")
    return True
