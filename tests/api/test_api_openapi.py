"""The OpenAPI document is true to the app: every /api/v1 route is in it with its methods and
nothing else is, organizer routes say they need the token, and /api/docs renders it."""

import re

import schemathesis

from app.api.openapi import build_document

HTTP_METHODS = {"GET", "POST", "PATCH", "PUT", "DELETE"}


def routes(app) -> dict[tuple[str, str], str]:
    """{(path as OpenAPI writes it, method): endpoint} for every route of the API blueprint."""
    found = {}
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("api."):
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        for method in rule.methods & HTTP_METHODS:
            found[(path, method)] = rule.endpoint
    return found


def documented(document) -> dict[tuple[str, str], dict]:
    return {
        (path, method.upper()): operation
        for path, item in document["paths"].items()
        for method, operation in item.items()
    }


def test_the_document_lists_exactly_the_apps_api_routes(app):
    with app.test_request_context():
        document = build_document()
    assert set(documented(document)) == set(routes(app))


def test_organizer_routes_are_documented_as_needing_the_token(app):
    with app.test_request_context():
        operations = documented(build_document())
    for key, endpoint in routes(app).items():
        organizer_only = getattr(app.view_functions[endpoint], "organizer_only", False)
        security = operations[key]["security"]
        if organizer_only:
            assert security == [{"bearerAuth": []}], key
            assert "401" in operations[key]["responses"], key
        else:
            assert {} in security, key


def test_every_path_parameter_is_documented(app):
    with app.test_request_context():
        operations = documented(build_document())
    for (path, method), operation in operations.items():
        in_path = set(re.findall(r"{(\w+)}", path))
        declared = {p["name"] for p in operation.get("parameters", []) if p["in"] == "path"}
        assert in_path == declared, (method, path)


def test_the_served_document_is_valid_openapi_3_1(api):
    response = api.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"] == "3.1.0"
    schema = schemathesis.openapi.from_dict(document)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) == len(documented(document))
    assert set(document["webhooks"]) == {
        "registration.created",
        "registration.cancelled",
        "registration.promoted",
        "event.updated",
        "event.cancelled",
    }


def test_the_docs_page_renders_every_operation_without_scripts_or_outside_resources(api):
    response = api.get("/api/docs")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    document = api.get("/api/v1/openapi.json").get_json()
    for operation in documented(document).values():
        assert f'id="{operation["operationId"]}"' in page
    assert "<script" not in page
    assert not re.search(r'(?:src|href)="(?:https?:)?//', page)
    for slug in ("validation-error", "already-registered", "no-seat-free", "unauthorized"):
        assert f'id="problem-{slug}"' in page
    assert "X-Reskilling-Signature" in page
