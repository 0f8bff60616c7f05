"""What request body an endpoint takes: how large (small for every form and the API, large only
where files are uploaded; larger is answered 413 before any of it is read), and JSON only in the
API (a page's form would hand it to WTForms, which cannot read it)."""

from flask import Flask, abort, current_app, request

# Pages that take files keep MAX_CONTENT_LENGTH, sized for MATERIALS_MAX_BYTES.
UPLOAD_ENDPOINTS = frozenset(
    {"admin.materials", "admin.attendance_import", "admin.member_import_upload"}
)

# JSON bodies of the API (its OpenAPI document promises 256 KiB).
API_MAX_BYTES = 256 * 1024


def body_limit() -> int | None:
    """The most bytes this request's body may have."""
    config = current_app.config
    if request.endpoint in UPLOAD_ENDPOINTS:
        return config["MAX_CONTENT_LENGTH"]
    limit = API_MAX_BYTES if request.blueprint == "api" else config["FORM_MAX_BYTES"]
    return min(limit, config["MAX_CONTENT_LENGTH"] or limit)


def cap_body() -> None:
    if request.routing_exception is not None:
        return  # no view will read the body; the 404 or 405 answers (as a problem under /api)
    limit = body_limit()
    # Covers a body sent without Content-Length (chunked) as it is read...
    request.max_content_length = limit
    # ...and refuses a declared one at once, even where the view would never read it.
    if limit is not None and (request.content_length or 0) > limit:
        abort(413)
    if request.is_json and request.blueprint != "api":
        abort(415)


def init_app(app: Flask) -> None:
    # First of all before_request hooks: CSRF and the login limiter read the form in theirs.
    app.before_request_funcs.setdefault(None, []).insert(0, cap_body)
