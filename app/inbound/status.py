"""An address's email_status for the API and the console: `bounced` when bulk mail skips it
(a hard bounce, repeated soft ones, or a server's 5xx at delivery), `soft_bounce` after a recent
soft bounce, else `ok`; with the last reason given."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from flask import current_app
from sqlalchemy import select

from app import clock
from app.extensions import db
from app.inbound.models import BounceKind, MailBounce
from app.mail.suppression import SuppressedAddress


class EmailStatus(StrEnum):
    OK = "ok"
    SOFT_BOUNCE = "soft_bounce"
    BOUNCED = "bounced"


@dataclass(frozen=True)
class AddressStatus:
    status: EmailStatus
    reason: str | None = None
    since: datetime | None = None


def email_status(email: str, now: datetime | None = None) -> AddressStatus:
    """What the last bounces say about this address."""
    now = now or clock.now()
    suppressed = db.session.scalar(
        select(SuppressedAddress).where(SuppressedAddress.email == email)
    )
    if suppressed is not None:
        return AddressStatus(EmailStatus.BOUNCED, suppressed.reason, suppressed.created_at)
    since = now - timedelta(days=current_app.config["SOFT_BOUNCE_DAYS"])
    soft = db.session.scalar(
        select(MailBounce)
        .where(
            MailBounce.email == email,
            MailBounce.kind == BounceKind.SOFT,
            MailBounce.received_at >= since,
        )
        .order_by(MailBounce.received_at.desc(), MailBounce.id.desc())
        .limit(1)
    )
    if soft is not None:
        return AddressStatus(EmailStatus.SOFT_BOUNCE, soft.reason, soft.received_at)
    return AddressStatus(EmailStatus.OK)
