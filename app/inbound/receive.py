"""One inbound message, whichever door it came through (the SMTP listener, the IMAP poller):
a calendar reply, a bounce tied to the message it is about, or something to log and drop.
Flushes only; the door commits once per message and rolls back on error."""

import email
import logging
from datetime import datetime
from email import policy
from email.message import Message
from email.utils import getaddresses

from app.audit.actor import Actor
from app.inbound.bounces import find_bounced_message, record_bounce
from app.inbound.dsn import is_auto_reply, parse_bounce
from app.inbound.replies import handle_reply, parse_reply
from app.mail.return_path import outbox_id_of

log = logging.getLogger(__name__)

# Where a mailbox (IMAP) keeps the envelope recipient a server delivered to.
_ENVELOPE_HEADERS = ("Delivered-To", "X-Original-To", "Envelope-To", "X-Envelope-To", "To")


def parse_message(raw: bytes) -> Message:
    """The message as the email package reads anything: compat32 never raises on odd headers."""
    return email.message_from_bytes(raw, policy=policy.compat32)


def _return_path_ids(message: Message, recipients: list[str]) -> list[int]:
    addresses = list(recipients)
    if not addresses:
        for name in _ENVELOPE_HEADERS:
            values = [str(v) for v in message.get_all(name, [])]
            addresses += [address for _, address in getaddresses(values)]
    ids = [outbox_id_of(address) for address in addresses]
    return [i for i in ids if i is not None]


def receive(raw: bytes, recipients: list[str], now: datetime, *, actor: Actor) -> str:
    """Act on one message; returns what it was ("reply", "bounce", "duplicate", "auto-reply",
    "unknown" or "ignored") for the log and the tests."""
    message = parse_message(raw)
    if parse_reply(message):
        return "reply" if handle_reply(message, now, actor=actor) else "ignored"
    ids = _return_path_ids(message, recipients)
    bounce = parse_bounce(message, to_return_path=bool(ids))
    if bounce is None:
        outcome = "auto-reply" if is_auto_reply(message) else "ignored"
        log.info("inbound message to %s is no bounce (%s); dropped", recipients[:3], outcome)
        return outcome
    original = find_bounced_message(ids[0] if ids else None, bounce.original_message_id)
    if original is None:
        log.info("bounce about a message we do not know; dropped")
        return "unknown"
    return "bounce" if record_bounce(original, bounce, now, actor=actor) else "duplicate"
