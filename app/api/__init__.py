"""The JSON API under /api/v1 (see views.py) and its docs page at /api/docs (docs.py)."""

from app.api import views  # noqa: F401  (adds the routes to bp)
from app.api.blueprint import bp
from app.api.docs import bp as docs_bp

__all__ = ["bp", "docs_bp"]
