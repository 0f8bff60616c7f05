"""materials pages of the console (being built)."""

from app.admin.blueprint import bp  # noqa: F401
