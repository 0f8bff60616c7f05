"""Calendar responses: text/calendar with a file name, and 304 for a poller that has it already."""

import hashlib
from collections.abc import Callable
from datetime import datetime

from flask import Response, request

from app.formatting import current_locale


def calendar_response(
    build: Callable[[], bytes], *, version: str, last_modified: datetime | None, filename: str
) -> Response:
    """Answer 304 when the client's ETag matches `version`, without building the calendar."""
    # The text is translated, so the language is part of the version.
    etag = hashlib.sha256(f"{version}:{current_locale()}".encode()).hexdigest()[:32]
    if request.if_none_match.contains(etag) or (
        not request.if_none_match
        and last_modified is not None
        and request.if_modified_since is not None
        and last_modified.replace(microsecond=0) <= request.if_modified_since
    ):
        response = Response(status=304)
    else:
        response = Response(build(), mimetype="text/calendar")
        response.content_type = "text/calendar; charset=utf-8"
        response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.set_etag(etag)
    if last_modified is not None:
        response.last_modified = last_modified
    response.cache_control.no_cache = True  # revalidate each time; the 304 keeps that cheap
    return response
