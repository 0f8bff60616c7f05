"""The JSON API under /api/v1 (one module of routes per resource: events, registrations, members,
announcements, surveys, and the OpenAPI document) and its docs page at /api/docs (docs.py).

A second door to the same services as the pages and the console: each handler reads its input,
calls one service, commits once and answers JSON. Organizer endpoints take a bearer token
(blueprint.organizer_required); the services write the audit entries under the token's organizer.
"""

from app.api import (  # noqa: F401  (routes)
    announcements,
    document,
    events,
    members,
    registrations,
    surveys,
)
from app.api.blueprint import bp
from app.api.docs import bp as docs_bp

__all__ = ["bp", "docs_bp"]
