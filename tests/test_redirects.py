"""A redirect target taken from a request (`next=`) only ever leads to a path on this site."""

import pytest

from app.redirects import safe_next
from tests.conftest import ORGANIZER_PASSWORD

LEAVING = [
    "//evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\t/evil.example",
    "/\n/evil.example",
    "/%09/evil.example",
    "/%2509/evil.example",
    "/%2F/evil.example",
    "/%5Cevil.example",
    "https://evil.example/",
    "javascript:alert(1)",
    "evil.example",
    "/a\r\nSet-Cookie: x=1",
    "\r\nSet-Cookie: x=1",
    "/\x00",
    "/\u2028/evil.example",
    "/\u3000/evil.example",
    "/" + "a" * 3000,
    "",
    None,
]


@pytest.mark.parametrize("target", LEAVING)
def test_a_target_that_could_leave_the_site_gives_the_fallback(target):
    assert safe_next(target, "/fallback") == "/fallback"


@pytest.mark.parametrize(
    "target", ["/", "/events/x?", "/events/セミナー?lang=ja", "/admin/members?q=山田%20太郎"]
)
def test_a_path_on_the_site_is_kept(target):
    assert safe_next(target, "/fallback") == target


@pytest.mark.parametrize("target", ["/events/x", "/adminx", "/"])
def test_within_refuses_a_path_outside_the_console(target):
    assert safe_next(target, "/admin/", within="/admin/") == "/admin/"


@pytest.mark.parametrize("target", ["/admin", "/admin/", "/admin/events?page=2"])
def test_within_keeps_a_path_inside_the_console(target):
    assert safe_next(target, "/admin/", within="/admin/") == target


@pytest.mark.parametrize(
    "query", ["next=/%09/evil.example", "next=%0d%0aSet-Cookie:x", "next=//evil.example"]
)
def test_the_language_switch_stays_on_the_site(client, query):
    response = client.get(f"/lang/en?{query}")
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert "x" not in response.headers.getlist("Set-Cookie")[0].split(";")[0]


def test_the_language_switch_returns_to_the_page(client):
    response = client.get("/lang/en?next=/events/x%3Fa%3D1")
    assert response.headers["Location"] == "/events/x?a=1"


@pytest.mark.parametrize(
    "query", ["next=/%09/evil.example", "next=%0d%0aSet-Cookie:x", "next=/events/x"]
)
def test_the_console_login_only_returns_into_the_console(client, make_organizer, query):
    organizer = make_organizer()
    response = client.submit(
        f"/admin/login?{query}", {"email": organizer.email, "password": ORGANIZER_PASSWORD}
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/admin/"


def test_the_console_login_returns_to_the_console_page_asked_for(client, make_organizer):
    organizer = make_organizer()
    response = client.submit(
        "/admin/login?next=/admin/events%3Fpage%3D2",
        {"email": organizer.email, "password": ORGANIZER_PASSWORD},
    )
    assert response.headers["Location"] == "/admin/events?page=2"
