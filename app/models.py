"""Every domain's models, imported so that Alembic and create_app() see all tables."""

from app.announcements.models import Announcement  # noqa: F401
from app.audit.models import AuditEntry  # noqa: F401
from app.events.models import Event, EventPart, Question, ThemeTable  # noqa: F401
from app.inbound.models import CalendarReply, MailBounce  # noqa: F401
from app.inquiries.models import Inquiry  # noqa: F401
from app.mail.outbox import OutboxMessage  # noqa: F401
from app.mail.suppression import SuppressedAddress  # noqa: F401
from app.materials.models import Material, MaterialDownload  # noqa: F401
from app.members.imports.models import (  # noqa: F401
    MemberImport,
    MemberImportChange,
    MemberImportRow,
)
from app.members.models import Member, MembershipApplication  # noqa: F401
from app.notices.models import NoticeRun  # noqa: F401
from app.ops.models import WorkerHeartbeat  # noqa: F401
from app.organizers.models import ApiToken, Organizer  # noqa: F401
from app.registrations.models import Registration, registration_parts  # noqa: F401
from app.reminders.models import ReminderDelivery  # noqa: F401
from app.scheduling.models import JobFailure, apscheduler_jobs  # noqa: F401
from app.surveys.models import (  # noqa: F401
    Survey,
    SurveyInvitation,
    SurveyQuestion,
    SurveyResponse,
)
from app.webhooks.models import WebhookDelivery, WebhookEndpoint  # noqa: F401
