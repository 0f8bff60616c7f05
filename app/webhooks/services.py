"""Webhook endpoints as organizers configure them in the console."""

import secrets
from dataclasses import dataclass
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.errors import DomainError
from app.extensions import db
from app.webhooks.models import EVENT_TYPES, DeliveryStatus, WebhookDelivery, WebhookEndpoint

SECRET_PREFIX = "whsec_"


class InvalidEndpoint(DomainError):
    message = _l("入力内容をご確認ください。")


class EndpointNotFound(DomainError):
    message = _l("この送信先は見つかりません。")


def _check_url(url: str) -> str:
    url = (url or "").strip()
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname or any(c.isspace() for c in url):
        raise InvalidEndpoint(_l("http:// または https:// で始まるURLを入力してください。"), "url")
    if len(url) > 500:
        raise InvalidEndpoint(_l("%(max)d文字以内で入力してください。", max=500), "url")
    return url


def create_endpoint(url: str, events: list[str], description: str = "") -> WebhookEndpoint:
    """A new endpoint with a fresh signing secret (the receiver verifies with the same value)."""
    url = _check_url(url)
    chosen = [name for name in EVENT_TYPES if name in set(events or [])]
    if not chosen or set(events) - set(EVENT_TYPES):
        raise InvalidEndpoint(_l("送信するイベントを1つ以上選んでください。"), "events")
    endpoint = WebhookEndpoint(
        url=url,
        description=(description or "").strip()[:200],
        secret=SECRET_PREFIX + secrets.token_urlsafe(32),
        events=chosen,
        active=True,
    )
    db.session.add(endpoint)
    db.session.flush()
    return endpoint


def delete_endpoint(endpoint_id: int) -> WebhookEndpoint:
    """Remove an endpoint; its queued deliveries go with it."""
    endpoint = db.session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None:
        raise EndpointNotFound()
    db.session.delete(endpoint)
    db.session.flush()
    return endpoint


@dataclass(frozen=True)
class EndpointSummary:
    endpoint: WebhookEndpoint
    counts: dict[str, int]
    last_error: str


def endpoints() -> list[EndpointSummary]:
    """Every endpoint with its deliveries counted by status and the latest failure's reason."""
    rows = list(db.session.scalars(select(WebhookEndpoint).order_by(WebhookEndpoint.id)))
    counts: dict[int, dict[str, int]] = {row.id: dict.fromkeys(DeliveryStatus, 0) for row in rows}
    for endpoint_id, status, n in db.session.execute(
        select(WebhookDelivery.endpoint_id, WebhookDelivery.status, func.count()).group_by(
            WebhookDelivery.endpoint_id, WebhookDelivery.status
        )
    ):
        if endpoint_id in counts:
            counts[endpoint_id][status] = n
    summaries = []
    for row in rows:
        last_error = db.session.scalar(
            select(WebhookDelivery.last_error)
            .where(WebhookDelivery.endpoint_id == row.id, WebhookDelivery.last_error != "")
            .order_by(WebhookDelivery.id.desc())
            .limit(1)
        )
        summaries.append(EndpointSummary(row, counts[row.id], last_error or ""))
    return summaries
