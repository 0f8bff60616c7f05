"""Recording a bounce once, and what follows from it: a hard bounce (5.x.x) keeps bulk mail away
from the address at once; SOFT_BOUNCE_LIMIT soft ones (4.x.x) within SOFT_BOUNCE_DAYS do too.
Services flush; the door commits once per inbound message."""

import hashlib
import logging
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select

from app.audit.actor import Actor
from app.audit.services import record
from app.extensions import db
from app.inbound.dsn import Bounce
from app.inbound.models import BounceKind, MailBounce
from app.mail.outbox import OutboxMessage
from app.mail.suppression import flag_address

log = logging.getLogger(__name__)


def _dedupe_key(outbox_id: int, email: str, kind: str) -> str:
    # One bounce per message, address and kind: the same DSN twice, a second copy from another
    # relay, or the repeated "still trying" notices about one message count once.
    return hashlib.sha256(f"{outbox_id}:{email}:{kind}".encode()).hexdigest()


def find_bounced_message(
    outbox_id: int | None, original_message_id: str | None
) -> OutboxMessage | None:
    """The outbox row a bounce is about: by its return path, else by the returned Message-ID."""
    if outbox_id is not None:
        message = db.session.get(OutboxMessage, outbox_id)
        if message is not None:
            return message
    if original_message_id:
        return db.session.scalar(
            select(OutboxMessage).where(OutboxMessage.message_id == original_message_id[:255])
        )
    return None


def _soft_bounces_recently(email: str, now: datetime) -> int:
    since = now - timedelta(days=current_app.config["SOFT_BOUNCE_DAYS"])
    count = db.session.scalar(
        select(func.count())
        .select_from(MailBounce)
        .where(
            MailBounce.email == email,
            MailBounce.kind == BounceKind.SOFT,
            MailBounce.received_at >= since,
        )
    )
    return count or 0


def record_bounce(
    message: OutboxMessage, bounce: Bounce, now: datetime, *, actor: Actor
) -> list[MailBounce]:
    """Record what the bounce says about the address `message` went to; returns the new rows
    (none when this bounce was recorded before)."""
    email = message.to_addr  # as the outbox and the suppression list keep it
    # Our recipient is the one we mailed, whatever address a forwarder finally tried; a report
    # naming several recipients names ours among them, and one naming only others is ignored.
    ours = [r for r in bounce.recipients if r.email in ("", email.lower())] or (
        bounce.recipients if len(bounce.recipients) == 1 else []
    )
    if not ours:
        log.info("bounce for message %s names none of its recipients; ignored", message.id)
        return []
    # The worst news counts: a failure beside a delay is a failure.
    status = min(ours, key=lambda r: (r.kind != BounceKind.HARD, r.status))
    key = _dedupe_key(message.id, email, status.kind)
    if db.session.scalar(select(MailBounce.id).where(MailBounce.dedupe_key == key)) is not None:
        log.info("bounce for message %s to %s already recorded", message.id, email)
        return []
    row = MailBounce(
        dedupe_key=key,
        email=email,
        outbox_message_id=message.id,
        kind=status.kind,
        status_code=status.status,
        reason=status.reason[:2000],
        received_at=now,
    )
    db.session.add(row)
    db.session.flush()
    suppress = status.kind == BounceKind.HARD or (
        _soft_bounces_recently(email, now) >= current_app.config["SOFT_BOUNCE_LIMIT"]
    )
    if suppress:
        hard = status.kind == BounceKind.HARD
        prefix = "bounce" if hard else "repeated soft bounces, last:"
        flag_address(email, f"{prefix} {status.reason}")
    record(
        actor,
        "mail.bounce",
        f"outbox:{message.id}",
        email=email,
        kind=str(status.kind),
        status=status.status,
        suppressed=suppress,
    )
    return [row]
