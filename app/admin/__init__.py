"""The organizer console under /admin. It calls the domains' services and holds no rules of its
own; each module below adds its pages to the one blueprint."""

from app.admin import (  # noqa: F401  (each module adds its routes to bp)
    announcements,
    api_tokens,
    auth,
    dashboard,
    documents,
    events,
    exports,
    help,
    inquiries,
    mailbox,
    materials,
    member_imports,
    members,
    organizers,
    registrants,
    statistics,
    surveys,
)
from app.admin.blueprint import bp

__all__ = ["bp"]
