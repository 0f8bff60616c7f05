"""Sending webhook deliveries: claimed like the mail outbox, POSTed, signed, retried with backoff.

Each request carries
  X-Reskilling-Event: registration.created
  X-Reskilling-Delivery: <delivery id>   (the same on every retry: receivers drop repeats by it)
  X-Reskilling-Signature: t=<unix time>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>
A 2xx answer marks the delivery delivered; anything else, or no answer, is retried after 30 s,
1 min, 2 min ... (at most an hour apart) until WEBHOOK_MAX_ATTEMPTS, then it is marked failed.
Before each attempt the URL is checked again (targets.py): a host that now resolves to an
internal address fails with "blocked" and nothing is sent. A failure is stored as a category
(transport.py), never as what the receiver answered.
"""

import hashlib
import hmac
import json
import logging
from datetime import datetime

from flask import current_app
from sqlalchemy import delete

from app import queueing
from app.extensions import db
from app.webhooks import targets, transport
from app.webhooks.models import DeliveryStatus, WebhookDelivery

log = logging.getLogger(__name__)

SIGNATURE_HEADER = "X-Reskilling-Signature"
# A receiver should refuse signatures older than this (replays); see verify_signature.
SIGNATURE_TOLERANCE_SECONDS = 300


def body_bytes(payload: dict) -> bytes:
    """The JSON body exactly as sent (and signed): the same bytes on every attempt."""
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def sign(secret: str, timestamp: int, body: bytes) -> str:
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(secret: str, timestamp: int, body: bytes) -> str:
    return f"t={timestamp},v1={sign(secret, timestamp, body)}"


def verify_signature(
    secret: str, header: str, body: bytes, now: int, tolerance=SIGNATURE_TOLERANCE_SECONDS
) -> bool:
    """What a receiver does: recompute the HMAC over "<t>.<body>", compare in constant time,
    and refuse a timestamp too far from its own clock."""
    fields = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(fields.get("t", ""))
    except ValueError:
        return False
    if abs(now - timestamp) > tolerance:
        return False
    expected = sign(secret, timestamp, body)
    return hmac.compare_digest(expected, fields.get("v1", ""))


def claim_due(now: datetime, limit: int) -> list[WebhookDelivery]:
    """Lease up to `limit` due deliveries (app/queueing.py); the caller commits the lease."""
    max_attempts = current_app.config["WEBHOOK_MAX_ATTEMPTS"]
    return queueing.claim_due(WebhookDelivery, now, limit, max_attempts)


def record_failed_attempt(delivery: WebhookDelivery, now: datetime, error: str) -> None:
    """Count a failed attempt and schedule the retry, or give up (the caller commits)."""
    max_attempts = current_app.config["WEBHOOK_MAX_ATTEMPTS"]
    queueing.record_failed_attempt(delivery, now, error, max_attempts)


def send(delivery: WebhookDelivery, now: datetime) -> bool:
    """POST one delivery and record the outcome (the caller commits); True when delivered."""
    endpoint = delivery.endpoint
    if endpoint is None or not endpoint.active:
        delivery.status = DeliveryStatus.FAILED
        delivery.last_error = "inactive"
        delivery.claimed_until = None
        return False
    body = body_bytes(delivery.payload)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "reskilling-network-webhooks/1",
        "X-Reskilling-Event": delivery.event_type,
        "X-Reskilling-Delivery": str(delivery.id),
        SIGNATURE_HEADER: signature_header(endpoint.secret, int(now.timestamp()), body),
    }
    timeout = current_app.config["WEBHOOK_TIMEOUT_SECONDS"]
    try:
        target = targets.check(endpoint.url)  # again at every attempt: DNS answers change
        transport.post(target, body, headers, timeout)
    except (targets.TargetRefused, transport.DeliveryFailed) as error:
        record_failed_attempt(delivery, now, error.category)
        log.warning("webhook %s to %s failed: %s", delivery.id, endpoint.url, error.category)
        return False
    delivery.attempts += 1
    delivery.status = DeliveryStatus.DELIVERED
    delivery.delivered_at = now
    delivery.claimed_until = None
    delivery.last_error = ""
    return True


def delete_finished_deliveries(cutoff: datetime) -> None:
    """Delete deliveries done (delivered or given up) before `cutoff`: their payloads carry
    registrants' names and addresses (the caller commits).

    The queue is searched through its (status, next_attempt_at) index: a row is never due before
    it was written, so one last tried before the cutoff was written before it too."""
    db.session.execute(
        delete(WebhookDelivery).where(
            WebhookDelivery.status.in_([DeliveryStatus.DELIVERED, DeliveryStatus.FAILED]),
            WebhookDelivery.next_attempt_at < cutoff,
        )
    )
