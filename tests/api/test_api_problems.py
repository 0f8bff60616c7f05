"""Every error of the API is a problem document (RFC 9457), never an HTML page or a 500."""

import pytest

from tests.api.conftest import problem_fields


def assert_problem(response, status):
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
    document = response.get_json()
    assert document["status"] == status
    assert document["title"] and document["type"]
    return document


def test_an_unknown_api_path_is_a_404_problem_while_other_pages_stay_html(api):
    assert_problem(api.get("/api/v1/nothing-here"), 404)
    page = api.get("/no-such-page")
    assert page.status_code == 404 and page.mimetype == "text/html"


def test_a_wrong_method_is_a_405_problem_with_allow(api):
    response = api.client.delete("/api/v1/events")
    assert_problem(response, 405)
    assert "GET" in response.headers["Allow"] and "POST" in response.headers["Allow"]


def test_a_body_that_is_not_json_is_415(api, make_event):
    event = make_event()
    response = api.client.post(
        f"/api/v1/events/{event.id}/registrations", data="name=taro", content_type="text/plain"
    )
    assert_problem(response, 415)


def test_unreadable_json_is_400(api, make_event):
    event = make_event()
    for body in (b"{not json", b"", b"null", b"[" * 5000):
        response = api.client.post(
            f"/api/v1/events/{event.id}/registrations",
            data=body,
            content_type="application/json",
        )
        assert_problem(response, 400)


def test_a_body_that_is_not_an_object_is_a_validation_problem(api, make_event):
    event = make_event()
    response = api.post(f"/api/v1/events/{event.id}/registrations", json=["a"])
    assert_problem(response, 422)
    assert problem_fields(response) == {"body"}


def test_an_oversized_body_is_413(api, make_event):
    event = make_event()
    response = api.post(f"/api/v1/events/{event.id}/registrations", json={"name": "x" * 300_000})
    assert_problem(response, 413)


def test_text_the_database_cannot_hold_is_refused_with_its_field(api, make_event):
    event = make_event()
    body = {
        "name": "山田\u0000",
        "email": "a@city.example.jp",
        "organization": "鳥取県",
        "privacy": True,
    }
    response = api.post(f"/api/v1/events/{event.id}/registrations", json=body)
    assert_problem(response, 422)
    assert problem_fields(response) == {"name"}


@pytest.mark.parametrize("event_id", ["0", "99999", "99999999999999999999"])
def test_ids_that_name_nothing_are_404(api, event_id):
    assert_problem(api.get(f"/api/v1/events/{event_id}"), 404)


def test_validation_problems_name_each_field_and_why(api, make_event):
    event = make_event()
    response = api.post(
        f"/api/v1/events/{event.id}/registrations",
        json={"name": "", "email": "not-an-address", "organization": 7, "extra": 1},
    )
    document = assert_problem(response, 422)
    assert problem_fields(response) == {"name", "email", "organization", "privacy", "extra"}
    assert all(error["message"] for error in document["errors"])
    assert document["type"].endswith("#problem-validation-error")


def test_bad_query_parameters_are_validation_problems(api):
    for query, field in (
        ("page=0", "page"),
        ("per_page=101", "per_page"),
        ("page=x", "page"),
        ("upcoming=perhaps", "upcoming"),
        ("status=draft", "status"),  # drafts are not public
    ):
        response = api.get(f"/api/v1/events?{query}")
        assert_problem(response, 422)
        assert problem_fields(response) == {field}, query


def test_field_messages_follow_accept_language(api, make_event):
    event = make_event()
    response = api.post(
        f"/api/v1/events/{event.id}/registrations",
        json={"email": "a@city.example.jp", "organization": "鳥取県", "privacy": True},
        headers={"Accept-Language": "en"},
    )
    document = assert_problem(response, 422)
    [error] = document["errors"]
    assert error["field"] == "name" and error["message"].isascii()
