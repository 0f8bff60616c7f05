"""Fixtures for the JSON API: bearer tokens for an organizer and an admin, a client that sends
JSON with or without one, and a real server on 127.0.0.1 for tests that need real connections."""

import threading

import pytest
from werkzeug.serving import make_server

from app.extensions import db
from tests.factories import make_api_token


@pytest.fixture
def app_overrides():
    return {"API_TOKEN_RATE_LIMIT": "10000 per minute"}


@pytest.fixture
def make_token(make_organizer):
    """A token for a new organizer (role "organizer" unless told); returns (token, organizer)."""

    def make(role: str = "organizer", name: str = "テスト連携"):
        organizer = make_organizer(role=role)
        _row, token = make_api_token(organizer, name)
        return token, organizer

    return make


@pytest.fixture
def organizer_token(make_token):
    return make_token()[0]


@pytest.fixture
def admin_token(make_token):
    return make_token("admin")[0]


class ApiClient:
    """The test client speaking JSON; `token=` adds the bearer header."""

    def __init__(self, client):
        self.client = client

    def _call(self, method, path, token=None, json=None, **kwargs):
        headers = dict(kwargs.pop("headers", {}))
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        return self.client.open(path, method=method, headers=headers, json=json, **kwargs)

    def get(self, path, **kwargs):
        return self._call("GET", path, **kwargs)

    def post(self, path, **kwargs):
        return self._call("POST", path, **kwargs)

    def patch(self, path, **kwargs):
        return self._call("PATCH", path, **kwargs)


@pytest.fixture
def api(app):
    return ApiClient(app.test_client())


def problem_fields(response) -> set:
    """The fields named in a problem document's errors."""
    assert response.mimetype == "application/problem+json", response.get_data(as_text=True)
    return {error["field"] for error in response.get_json().get("errors", [])}


@pytest.fixture
def live_server(app):
    """The app served by a real threaded werkzeug server on 127.0.0.1; yields its base URL."""
    db.session.commit()  # on SQLite an open transaction would hold the write lock
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
