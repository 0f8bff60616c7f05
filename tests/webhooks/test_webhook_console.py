"""Webhook endpoints in the console: admins add them (the signing secret is shown once) and
remove them; organizers may not."""

import re

from sqlalchemy import select

from app.audit.models import AuditEntry
from app.extensions import db
from app.webhooks.models import EVENT_TYPES, WebhookEndpoint


def test_an_admin_adds_an_endpoint_and_sees_its_secret_once(admin_client):
    response = admin_client.submit(
        "/admin/webhooks",
        {
            "url": "https://hooks.example.jp/in",
            "description": "基幹システム",
            "events": list(EVENT_TYPES),
        },
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    secret = re.search(
        r'<code id="new-secret">(whsec_[^<]+)</code>', response.get_data(as_text=True)
    )
    endpoint = db.session.scalar(select(WebhookEndpoint))
    assert secret.group(1) == endpoint.secret
    assert endpoint.events == list(EVENT_TYPES)
    assert endpoint.secret not in admin_client.get("/admin/webhooks").get_data(as_text=True)
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "webhook.create"))


def test_bad_input_is_shown_beside_the_field_and_nothing_is_stored(admin_client):
    response = admin_client.submit(
        "/admin/webhooks", {"url": "ftp://hooks.example.jp/", "events": ["registration.created"]}
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "https:// で始まるURL" in page
    assert 'value="ftp://hooks.example.jp/"' in page
    response = admin_client.submit("/admin/webhooks", {"url": "https://hooks.example.jp/"})
    assert response.status_code == 422
    assert "送信するイベントを1つ以上選んでください" in response.get_data(as_text=True)
    assert db.session.scalar(select(WebhookEndpoint)) is None


def test_an_admin_removes_an_endpoint(admin_client):
    admin_client.submit(
        "/admin/webhooks", {"url": "https://hooks.example.jp/in", "events": ["event.updated"]}
    )
    endpoint = db.session.scalar(select(WebhookEndpoint))
    response = admin_client.submit(
        "/admin/webhooks", {}, action=f"/admin/webhooks/{endpoint.id}/delete"
    )
    assert response.status_code == 302
    assert db.session.scalar(select(WebhookEndpoint)) is None
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "webhook.delete"))


def test_organizers_may_not_manage_webhooks(organizer_client):
    assert organizer_client.get("/admin/webhooks").status_code == 403
