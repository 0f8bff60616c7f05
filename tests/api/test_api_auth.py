"""Who may call what: public endpoints need nothing; organizer endpoints take only a bearer token
(never the console's session cookie), made in the console or with `flask create-api-token`,
stored as a hash, revocable, acting with its organizer's role, and rate limited per token."""

from datetime import timedelta

from sqlalchemy import select

from app import clock
from app.api.tokens import hash_token
from app.audit.models import AuditEntry
from app.extensions import db
from app.organizers.models import ApiToken
from tests.conftest import NOW, sign_in


def test_public_endpoints_need_no_token(api, make_event):
    event = make_event()
    assert api.get("/api/v1/events").status_code == 200
    assert api.get(f"/api/v1/events/{event.id}").status_code == 200
    assert api.get("/api/v1/openapi.json").status_code == 200


def test_organizer_endpoint_without_a_token_is_401_with_a_problem_and_a_challenge(api):
    response = api.get("/api/v1/members")
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.get_json()["status"] == 401
    assert response.get_json()["title"]


def test_an_unknown_token_is_refused_even_on_public_endpoints(api):
    for path in ("/api/v1/members", "/api/v1/events"):
        response = api.get(path, token="rsk_not-a-real-token")
        assert response.status_code == 401, path
        assert "invalid_token" in response.headers["WWW-Authenticate"]


def test_a_header_that_is_not_bearer_is_refused(api, organizer_token):
    response = api.get("/api/v1/members", headers={"Authorization": f"Basic {organizer_token}"})
    assert response.status_code == 401
    assert api.get("/api/v1/members", headers={"Authorization": "Bearer"}).status_code == 401


def test_a_revoked_token_stops_working_at_once(api, make_token, frozen_now):
    token, organizer = make_token()
    assert api.get("/api/v1/members", token=token).status_code == 200
    row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    row.revoked_at = clock.now()
    db.session.commit()
    assert api.get("/api/v1/members", token=token).status_code == 401


def test_a_deactivated_organizers_tokens_stop_working(api, make_token):
    token, organizer = make_token()
    organizer.active = False
    db.session.commit()
    assert api.get("/api/v1/members", token=token).status_code == 401


def test_organizer_and_admin_tokens_both_reach_organizer_endpoints_and_act_as_their_owner(
    api, make_token, make_event
):
    event = make_event(status="draft")
    for role in ("organizer", "admin"):
        token, owner = make_token(role)
        assert api.get("/api/v1/members", token=token).status_code == 200
        response = api.post(f"/api/v1/events/{event.id}/cancel", token=token)
        assert response.status_code == 200
        entry = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).one()
        assert (entry.action, entry.organizer_id, entry.detail["via"]) == (
            "event.cancel",
            owner.id,
            "api",
        )


def test_the_consoles_session_cookie_does_not_authenticate_the_api(client, make_organizer, app):
    signed_in = sign_in(client, make_organizer(role="admin"))
    assert signed_in.get("/admin/").status_code in (200, 302)
    response = signed_in.get("/api/v1/members")
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"


def test_organizer_posts_need_no_csrf_token(api, organizer_token, make_event):
    event = make_event(status="draft")
    response = api.post(f"/api/v1/events/{event.id}/publish", token=organizer_token)
    assert response.status_code == 200


def test_drafts_and_meeting_urls_are_for_token_holders_only(api, organizer_token, make_event):
    draft = make_event(status="draft")
    published = make_event(meeting_url="https://meet.example.jp/secret")
    assert api.get(f"/api/v1/events/{draft.id}").status_code == 404
    assert "meeting_url" not in api.get(f"/api/v1/events/{published.id}").get_json()
    assert "secret" not in api.get("/api/v1/events").get_data(as_text=True)
    as_organizer = api.get(f"/api/v1/events/{published.id}", token=organizer_token).get_json()
    assert as_organizer["meeting_url"] == "https://meet.example.jp/secret"
    assert api.get(f"/api/v1/events/{draft.id}", token=organizer_token).status_code == 200


def test_create_api_token_prints_the_token_once_and_stores_only_its_hash(runner, make_organizer):
    organizer = make_organizer(email="kanri@secretariat.example.jp")
    result = runner.invoke(
        args=["create-api-token", "KANRI@secretariat.example.jp", "--name", "連携"]
    )
    assert result.exit_code == 0, result.output
    token = result.stdout.strip()
    assert token.startswith("rsk_") and len(token) > 40
    row = db.session.scalar(select(ApiToken))
    assert (row.organizer_id, row.name) == (organizer.id, "連携")
    assert row.token_hash == hash_token(token) and token not in (row.token_hash, row.prefix)
    assert token.startswith(row.prefix)


def test_create_api_token_refuses_an_unknown_address(runner):
    result = runner.invoke(args=["create-api-token", "nobody@example.jp"])
    assert result.exit_code != 0
    assert "no active organizer" in result.output
    assert db.session.scalar(select(ApiToken)) is None


def test_the_token_created_by_the_cli_works(runner, make_organizer, api):
    organizer = make_organizer()
    result = runner.invoke(args=["create-api-token", organizer.email])
    token = result.stdout.strip()
    assert api.get("/api/v1/members", token=token).status_code == 200


def test_use_is_recorded_at_most_once_a_minute(api, make_token, frozen_now):
    token, _ = make_token()
    api.get("/api/v1/members", token=token)
    row = db.session.scalar(select(ApiToken))
    assert row.last_used_at == NOW
    frozen_now(NOW + timedelta(seconds=30))
    api.get("/api/v1/members", token=token)
    db.session.refresh(row)
    assert row.last_used_at == NOW
    frozen_now(NOW + timedelta(minutes=2))
    api.get("/api/v1/members", token=token)
    db.session.refresh(row)
    assert row.last_used_at == NOW + timedelta(minutes=2)


def test_organizer_endpoints_are_rate_limited_per_token(app, api, make_token):
    app.config["API_TOKEN_RATE_LIMIT"] = "3 per minute"
    first, _ = make_token()
    second, _ = make_token()
    statuses = [api.get("/api/v1/members", token=first).status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = api.get("/api/v1/members", token=first)
    assert limited.mimetype == "application/problem+json"
    assert int(limited.headers["Retry-After"]) >= 1
    # Another token has its own allowance.
    assert api.get("/api/v1/members", token=second).status_code == 200


def test_public_sign_ups_are_rate_limited_per_client(app, api, make_event):
    app.config["PUBLIC_FORM_RATE_LIMIT"] = "2 per minute"
    event = make_event()
    statuses = [
        api.post(f"/api/v1/events/{event.id}/registrations", json={}).status_code for _ in range(3)
    ]
    assert statuses == [422, 422, 429]
