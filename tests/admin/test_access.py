"""Every console URL needs a signed-in organizer, and admin-only pages need an admin. The URLs
come from the app's URL map, so a page added later is covered without editing this file."""

import re

import pytest

from app.admin.blueprint import PUBLIC_ENDPOINTS


def console_urls(app) -> list[tuple[str, str, str]]:
    """(endpoint, method, a concrete URL) for every rule under /admin, placeholders filled."""
    urls = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/admin") or rule.endpoint in PUBLIC_ENDPOINTS:
            continue
        url = re.sub(r"<(?:[^:>]+:)?([^>]+)>", "1", rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            urls.append((rule.endpoint, method, url))
    return urls


def test_the_console_has_pages_to_protect(app):
    endpoints = {endpoint for endpoint, _, _ in console_urls(app)}
    assert {"admin.events", "admin.organizers", "admin.audit_log"} <= endpoints


def test_every_console_url_sends_a_visitor_to_the_login_page(app, client):
    # A valid CSRF token (from the login page), so a POST is refused for want of a login and
    # not merely for want of a token.
    token = client.token("/admin/login")
    for endpoint, method, url in console_urls(app):
        response = client.open(url, method=method, data={"csrf_token": token})
        assert response.status_code == 302, (endpoint, method, response.status_code)
        assert response.headers["Location"].startswith("/admin/login?next="), endpoint


def test_admin_only_pages_refuse_an_organizer_and_open_for_an_admin(
    app, organizer_client, make_organizer
):
    admin_only = {
        endpoint
        for endpoint, view in app.view_functions.items()
        if endpoint.startswith("admin.") and getattr(view, "admin_only", False)
    }
    assert {"admin.organizers", "admin.audit_log", "admin.set_organizer_active"} <= admin_only
    token = organizer_client.token("/admin/events")
    for endpoint, method, url in console_urls(app):
        if endpoint in admin_only:
            response = organizer_client.open(url, method=method, data={"csrf_token": token})
            assert response.status_code == 403, (endpoint, method)


@pytest.mark.parametrize("page", ["/admin/organizers", "/admin/audit"])
def test_an_admin_reaches_the_admin_pages(admin_client, page):
    assert admin_client.get(page).status_code == 200
