"""The login lockout (10 failures per 15 minutes per address) counts an address however it is
typed: full-width letters and capitals are the same address, as the sign-in itself reads it."""

import pytest

from tests.conftest import ORGANIZER_PASSWORD


@pytest.fixture
def app_overrides():
    return {"RATELIMIT_ENABLED": True}


def attempt(client, email, password="wrong password"):
    return client.submit("/admin/login", {"email": email, "password": password})


@pytest.mark.parametrize(
    "variant",
    ["ｏｒｇ@example.jp", "ＯＲＧ＠ＥＸＡＭＰＬＥ．ＪＰ", " Org@Example.JP ", "ｏrg@example.jp"],
)
def test_typed_variants_of_an_address_share_one_lockout(client, make_organizer, variant):
    make_organizer(email="org@example.jp")
    for _ in range(5):
        assert attempt(client, "org@example.jp").status_code == 422
    for _ in range(5):
        assert attempt(client, variant).status_code == 422
    # The eleventh failure within 15 minutes is refused whichever way it is typed.
    assert attempt(client, variant).status_code == 429
    assert attempt(client, "org@example.jp", ORGANIZER_PASSWORD).status_code == 429


def test_another_address_is_not_locked_out(client, make_organizer):
    make_organizer(email="org@example.jp")
    other = make_organizer(email="other@example.jp")
    for _ in range(10):
        attempt(client, "ｏｒｇ@example.jp")
    assert attempt(client, other.email, ORGANIZER_PASSWORD).status_code == 302
