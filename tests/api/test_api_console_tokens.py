"""API tokens in the console: made and shown once, listed by prefix, revoked; organizers manage
their own, admins everyone's."""

import re

from flask import g
from sqlalchemy import select

from app.api.tokens import hash_token
from app.audit.models import AuditEntry
from app.extensions import db
from app.organizers.models import ApiToken
from tests.conftest import CsrfClient, sign_in
from tests.factories import make_api_token

TOKEN = re.compile(r'<code id="new-token">(rsk_[^<]+)</code>')


def create_token(client, name="申込フォーム連携"):
    response = client.submit("/admin/api-tokens", {"name": name})
    assert response.status_code == 200, response.get_data(as_text=True)
    return TOKEN.search(response.get_data(as_text=True)).group(1)


def test_a_new_token_is_shown_once_and_stored_as_a_hash(organizer_client, api):
    token = create_token(organizer_client)
    row = db.session.scalar(select(ApiToken))
    assert row.token_hash == hash_token(token) and row.name == "申込フォーム連携"
    listing = organizer_client.get("/admin/api-tokens").get_data(as_text=True)
    assert token not in listing and row.prefix in listing
    assert api.get("/api/v1/members", token=token).status_code == 200
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "api_token.create"))
    assert entry.target == f"api_token:{row.id}"


def test_a_token_needs_a_name(organizer_client):
    response = organizer_client.submit("/admin/api-tokens", {"name": ""})
    assert response.status_code == 422
    assert "用途を入力してください" in response.get_data(as_text=True)
    assert db.session.scalar(select(ApiToken)) is None


def test_revoking_in_the_console_stops_the_token(organizer_client, api):
    token = create_token(organizer_client)
    row = db.session.scalar(select(ApiToken))
    response = organizer_client.submit(
        "/admin/api-tokens", {}, action=f"/admin/api-tokens/{row.id}/revoke"
    )
    assert response.status_code == 302
    assert api.get("/api/v1/members", token=token).status_code == 401
    assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "api_token.revoke"))


def as_user(app, organizer) -> CsrfClient:
    """A client of its own, signed in as `organizer`.

    Requests share the test's app context, where Flask-WTF caches the CSRF token in `g`; drop it
    so each client gets the token of its own session.
    """
    g.pop("csrf_token", None)
    return sign_in(CsrfClient(app.test_client()), organizer)


def test_organizers_see_and_revoke_only_their_own_tokens_admins_all(app, make_organizer):
    alice, bob, admin = make_organizer(), make_organizer(), make_organizer(role="admin")
    make_api_token(alice, "alice の連携")
    bobs, _ = make_api_token(bob, "bob の連携")
    as_alice = as_user(app, alice)
    assert "bob の連携" not in as_alice.get("/admin/api-tokens").get_data(as_text=True)
    refused = as_alice.submit("/admin/api-tokens", {}, action=f"/admin/api-tokens/{bobs.id}/revoke")
    assert refused.status_code == 404
    db.session.refresh(bobs)
    assert bobs.revoked_at is None
    as_admin = as_user(app, admin)
    page = as_admin.get("/admin/api-tokens").get_data(as_text=True)
    assert "alice の連携" in page and "bob の連携" in page
    as_admin.submit("/admin/api-tokens", {}, action=f"/admin/api-tokens/{bobs.id}/revoke")
    db.session.refresh(bobs)
    assert bobs.revoked_at is not None


def test_the_token_pages_need_a_signed_in_organizer(client):
    assert client.get("/admin/api-tokens").status_code == 302
