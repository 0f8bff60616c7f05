"""The one source of "now", so tests can move time."""

from datetime import UTC, datetime

# Tests set this to freeze time; everything else leaves it None.
frozen: datetime | None = None


def now() -> datetime:
    """The current time, timezone-aware in UTC."""
    return frozen if frozen is not None else datetime.now(UTC)
