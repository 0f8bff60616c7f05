"""Security headers on every response, and no-store on every page that shows personal data."""

from flask import Flask, request
from werkzeug.middleware.proxy_fix import ProxyFix

# No inline scripts or styles anywhere, so the policy can stay strict.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)

# Personal data (a registration, a member's record, the console, the API's lists) must leave no
# copy in a shared office PC's browser cache or a proxy: the back button or a reopened browser
# would show it to the next person. Whole blueprints where every page is personal, else endpoints.
NO_STORE_BLUEPRINTS = frozenset({"admin", "members", "api"})
NO_STORE_ENDPOINTS = frozenset(
    {
        "registrations.create",  # a refused POST shows what was typed
        "registrations.resend",
        "registrations.complete",
        "registrations.manage",
        "registrations.invite",
        "registrations.join",
        "registrations.cancel",
        "inquiries.new",
    }
)


def _no_store(response):
    if request.blueprint in NO_STORE_BLUEPRINTS or request.endpoint in NO_STORE_ENDPOINTS:
        response.headers["Cache-Control"] = "no-store"
    return response


def _add_headers(response):
    headers = response.headers
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("X-Frame-Options", "DENY")
    return response


def init_app(app: Flask) -> None:
    hops = app.config["PROXY_FIX_HOPS"]
    if hops:
        # Behind nginx: take the client address, scheme and host from its X-Forwarded-* headers.
        # Flask's documented way to wrap the WSGI app.
        app.wsgi_app = ProxyFix(  # type: ignore[method-assign]
            app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops
        )
    app.after_request(_add_headers)
    app.after_request(_no_store)
