"""Numbers in URLs are bounded before they reach a query: ids in paths and integers in query
strings. Anything out of range is a 404 (ids) or the default (query parameters), never a 500."""

import pytest

from app.routing import LARGEST_ID, parse_int, query_int
from app.tokens import token_row_id


def test_every_id_in_every_route_uses_the_bounded_converter(app):
    for rule in app.url_map.iter_rules():
        converters = {type(c).__name__ for c in rule._converters.values()}
        assert "IntegerConverter" not in converters, rule.rule


@pytest.mark.parametrize(
    "raw", ["0", "-1", str(LARGEST_ID + 1), str(2**63), str(10**30), "9" * 5000, "１", "1e3"]
)
def test_an_id_outside_the_database_range_is_a_404_from_routing(client, raw):
    assert client.get(f"/materials/{raw}/r/abc").status_code == 404


def test_the_largest_id_still_reaches_the_view(client):
    # The view runs (and finds no such material) rather than routing refusing the number.
    assert client.get(f"/materials/{LARGEST_ID}/r/abc").status_code == 404


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("7", 7),
        ("0", None),
        ("-3", None),
        ("+3", None),
        ("101", None),
        ("9" * 5000, None),
        ("٣", None),  # a digit int() would take, but not one we print
        (" 5", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_int_takes_plain_digits_within_the_range(raw, expected):
    assert parse_int(raw, 1, 100) == expected


def test_query_int_falls_back_to_the_default(app):
    with app.test_request_context("/?page=" + "9" * 5000 + "&part=12&table=-1"):
        assert query_int("page", 1) == 1
        assert query_int("part", None) == 12
        assert query_int("table", None) is None
        assert query_int("missing", 3) == 3


@pytest.mark.parametrize("page", ["9" * 5000, str(2**63), "-1", "abc"])
def test_console_lists_ignore_a_page_number_they_cannot_use(organizer_client, make_event, page):
    event = make_event()
    for url in (
        "/admin/audit",
        "/admin/announcements",
        "/admin/inquiries",
        "/admin/members",
        "/admin/mail-history?email=a@example.jp",
        f"/admin/events/{event.id}/registrants",
        f"/admin/events/{event.id}/registrants?part={page}&table={page}",
        f"/admin/announcements/new?event_id={page}",
    ):
        separator = "&" if "?" in url else "?"
        response = organizer_client.get(f"{url}{separator}page={page}")
        assert response.status_code in (200, 403), (url, response.status_code)


@pytest.mark.parametrize("value", ["9" * 5000, str(2**63), "0", "-1", "1.5"])
def test_the_api_answers_a_page_number_it_cannot_use_with_a_field_error(client, value):
    for name in ("page", "per_page"):
        response = client.get(f"/api/v1/events?{name}={value}")
        assert response.status_code == 422
        assert response.mimetype == "application/problem+json"
        assert [error["field"] for error in response.get_json()["errors"]] == [name]


@pytest.mark.parametrize("url", ["/events/%00", "/r/1.%00", "/events/a%0Db/register"])
def test_a_path_with_a_control_character_names_nothing(client, url):
    assert client.get(url).status_code == 404


def test_a_query_value_with_nul_is_refused_before_any_query(organizer_client, make_event):
    event = make_event()
    response = organizer_client.get(f"/admin/events/{event.id}/registrants?q=a%00b")
    assert response.status_code == 400


@pytest.mark.parametrize("row_id", [str(LARGEST_ID + 1), "999999999999", "0", "-1", "9" * 5000])
def test_a_mail_link_claiming_an_id_beyond_the_database_range_claims_nothing(row_id):
    assert token_row_id(f"{row_id}.abc") is None
    assert token_row_id(f"{LARGEST_ID}.abc") == LARGEST_ID
