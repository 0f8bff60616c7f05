"""The organizer console under /admin. It calls the domains' services and holds no rules of its
own; each module below adds its pages to the one blueprint."""

from app.admin import auth, dashboard, events, organizers  # noqa: F401  (each adds its routes to bp)
from app.admin.blueprint import bp

__all__ = ["bp"]
