"""Webhook endpoints as organizers configure them in the console."""

import re
import secrets
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.audit.actor import Actor
from app.audit.services import record
from app.errors import DomainError
from app.extensions import db
from app.webhooks import targets
from app.webhooks.models import EVENT_TYPES, DeliveryStatus, WebhookDelivery, WebhookEndpoint

SECRET_PREFIX = "whsec_"
HTTP_STATUS = re.compile(r"HTTP [1-5][0-9][0-9]")


class InvalidEndpoint(DomainError):
    message = _l("入力内容をご確認ください。")


class EndpointNotFound(DomainError):
    message = _l("この送信先は見つかりません。")


# What a delivery's stored failure category means, as the console shows it.
FAILURE_LABELS = {
    "blocked": _l("宛先が許可されていません"),
    "dns": _l("宛先のホスト名が見つかりません"),
    "scheme": _l("宛先が許可されていません"),
    "connect": _l("接続できませんでした"),
    "timeout": _l("タイムアウト"),
    "tls": _l("TLS エラー"),
    "redirect": _l("リダイレクト（転送先には送りません）"),
    "protocol": _l("応答が HTTP ではありません"),
    "inactive": _l("送信先が停止されています"),
}


def failure_label(category: str) -> str:
    """The console's words for a stored failure; "HTTP 500" as it is; anything else (rows from
    before categories) only as a failure, never its text."""
    if not category:
        return ""
    if category in FAILURE_LABELS:
        return FAILURE_LABELS[category]
    if HTTP_STATUS.fullmatch(category):
        return category
    return _l("送信できませんでした")


def _check_url(url: str) -> str:
    url = (url or "").strip()
    if len(url) > 500:
        raise InvalidEndpoint(_l("%(max)d文字以内で入力してください。", max=500), "url")
    try:
        targets.check(url)
    except targets.TargetRefused as refused:
        raise InvalidEndpoint(_REFUSALS[refused.category](), "url") from None
    return url


def _scheme_message():
    if "http" in targets.allowed_schemes():
        return _l("http:// または https:// で始まるURLを入力してください。")
    return _l("https:// で始まるURLを入力してください。")


_REFUSALS = {
    "scheme": _scheme_message,
    "dns": lambda: _l("このホスト名の宛先が見つかりません。URLをご確認ください。"),
    "blocked": lambda: _l(
        "この宛先には送信できません。内部ネットワークやこのサーバー自身のアドレスは指定できません。"
    ),
}


def create_endpoint(
    url: str, events: list[str], description: str = "", *, actor: Actor
) -> WebhookEndpoint:
    """A new endpoint with a fresh signing secret (the receiver verifies with the same value).
    Its host must resolve to public addresses only (targets.py)."""
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
    record(actor, "webhook.create", f"webhook:{endpoint.id}", url=endpoint.url)
    return endpoint


def delete_endpoint(endpoint_id: int, *, actor: Actor) -> WebhookEndpoint:
    """Remove an endpoint; its queued deliveries go with it."""
    endpoint = db.session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None:
        raise EndpointNotFound()
    db.session.delete(endpoint)
    db.session.flush()
    record(actor, "webhook.delete", f"webhook:{endpoint_id}", url=endpoint.url)
    return endpoint


@dataclass(frozen=True)
class EndpointSummary:
    endpoint: WebhookEndpoint
    counts: dict[str, int]
    last_error: str  # the category's label (failure_label), never the receiver's answer


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
        summaries.append(EndpointSummary(row, counts[row.id], failure_label(last_error or "")))
    return summaries
