"""Public forms are rate limited per client; with REDIS_URL several web processes share the count."""

import os

import pytest
import redis

from app import create_app
from app.extensions import db
from tests.conftest import CsrfClient

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def redis_available() -> bool:
    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


@pytest.mark.skipif(not redis_available(), reason=f"no Redis at {REDIS_URL}")
def test_two_web_processes_share_one_limit_through_redis(app, databases, tmp_path, make_event):
    event = make_event()
    redis.Redis.from_url(REDIS_URL).flushdb()  # a database of its own (15): no earlier counters
    overrides = {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
        "RATELIMIT_STORAGE_URI": REDIS_URL,
        "PUBLIC_FORM_RATE_LIMIT": "3 per minute",
    }
    clients = [CsrfClient(create_app(overrides).test_client()) for _ in range(2)]
    url = f"/events/{event.slug}/register"
    db.session.commit()  # on SQLite an open transaction would hold the write lock
    statuses = [clients[i % 2].submit(url, {"name": ""}).status_code for i in range(4)]
    # Three posts fit the limit whichever process took them (422: the form is incomplete);
    # the fourth is refused although its process has seen only two.
    assert statuses == [422, 422, 422, 429]
