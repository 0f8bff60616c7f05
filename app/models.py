"""Every domain's models, imported so that Alembic and create_app() see all tables."""

from app.events.models import Event, EventPart, ThemeTable  # noqa: F401
from app.mail.outbox import OutboxMessage  # noqa: F401
from app.members.models import Member  # noqa: F401
from app.registrations.models import Registration, registration_parts  # noqa: F401
