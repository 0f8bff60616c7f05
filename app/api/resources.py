"""The API's resources: how each one is shown (the *Resource models, built from the database
rows) and what a client may send back (the *Body models, the domain's input models plus the
fields the server decides, accepted and ignored). The OpenAPI document is generated from these."""

from datetime import datetime
from typing import Annotated, Literal
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from app.announcements.inputs import AnnouncementInput
from app.announcements.models import Announcement, AnnouncementStatus
from app.events.inputs import MAX_REMINDERS, EventDetails, EventInput
from app.events.models import Event, EventFormat, EventKind, EventStatus, QuestionType
from app.inbound.status import EmailStatus, email_status
from app.inputs import Count, rule
from app.members.inputs import ProfileInput
from app.members.models import Member, MemberStatus
from app.registrations.models import Registration, RegistrationStatus
from app.reminders.rules import from_minutes, rules_for, to_minutes

MAX_REMINDER_MINUTES = 999_999  # what a "60m" rule can say


def iso(moment: datetime | None) -> str | None:
    """ISO 8601 in the app's zone with its offset: 2026-09-15T14:00:00+09:00."""
    if moment is None:
        return None
    return moment.astimezone(ZoneInfo(current_app.config["APP_TIMEZONE"])).isoformat()


def _local(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment.astimezone(ZoneInfo(current_app.config["APP_TIMEZONE"]))


ReadOnly = Annotated[
    object | None,
    Field(
        json_schema_extra={"readOnly": True}, description="サーバーが決める値。送っても無視します。"
    ),
]


class Resource(BaseModel):
    model_config = ConfigDict(use_attribute_docstrings=True)

    def json(self, **options) -> dict:
        return self.model_dump(mode="json", **options)


# --- events ---------------------------------------------------------------------------------


class PartResource(Resource):
    id: int
    title: str
    starts_at: datetime | None
    ends_at: datetime | None
    capacity: int | None
    """null: no limit of its own"""
    uses_tables: bool


class TableResource(Resource):
    id: int
    title: str
    description: str
    capacity: int | None


class QuestionResource(Resource):
    id: int
    label: str
    type: QuestionType
    required: bool
    choices: list[str]


class EventResource(Resource):
    """An event; `meeting_url` only for organizers (attendees get personal join links)."""

    id: int
    slug: str
    """The event's address, /events/<slug>, made from its date and kind."""
    title: str
    kind: EventKind
    description: str
    starts_at: datetime
    ends_at: datetime
    all_day: bool
    format: EventFormat
    venue: str
    meeting_url: str | None = Field(
        None, description="事務局（APIトークン付き）の応答にだけ含まれます"
    )
    capacity: int | None
    """null: no limit"""
    registration_opens_at: datetime | None
    registration_closes_at: datetime | None
    requires_approval: bool
    status: EventStatus
    parts: list[PartResource]
    tables: list[TableResource]
    questions: list[QuestionResource]
    reminder_offsets_minutes: list[int]
    """When each reminder goes out, in minutes before the start."""
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, event: Event) -> "EventResource":
        timezone = current_app.config["APP_TIMEZONE"]
        return cls(
            id=event.id,
            slug=event.slug,
            title=event.title,
            kind=event.kind,
            description=event.description,
            starts_at=_local(event.starts_at),
            ends_at=_local(event.ends_at),
            all_day=event.all_day,
            format=event.format,
            venue=event.venue,
            meeting_url=event.meeting_url,
            capacity=event.capacity,
            registration_opens_at=_local(event.registration_opens_at),
            registration_closes_at=_local(event.registration_closes_at),
            requires_approval=event.requires_approval,
            status=event.status,
            parts=[
                PartResource(
                    id=part.id,
                    title=part.title,
                    starts_at=_local(part.starts_at),
                    ends_at=_local(part.ends_at),
                    capacity=part.capacity,
                    uses_tables=part.uses_tables,
                )
                for part in event.parts
            ],
            tables=[
                TableResource(
                    id=table.id,
                    title=table.title,
                    description=table.description,
                    capacity=table.capacity,
                )
                for table in event.tables
            ],
            questions=[
                QuestionResource(
                    id=question.id,
                    label=question.label,
                    type=question.type,
                    required=question.required,
                    choices=list(question.choices or []),
                )
                for question in event.questions
            ],
            reminder_offsets_minutes=to_minutes(rules_for(event), event.starts_at, timezone),
            created_at=_local(event.created_at),
            updated_at=_local(event.updated_at),
        )


def event_json(event: Event, organizer: bool) -> dict:
    """An event as the API shows it; the meeting URL only to organizers."""
    return EventResource.of(event).json(exclude=None if organizer else {"meeting_url"})


ReminderOffsets = Annotated[
    tuple[Annotated[int, Count(MAX_REMINDER_MINUTES)], ...], Field(max_length=MAX_REMINDERS)
]


class EventBody(EventDetails):
    """An event as a client sends it to create (POST) or replace (PUT) one: the representation
    GET returns is accepted as it is. Omitted optional fields take their defaults; `null` means
    none. `status` may be `draft` or `published`."""

    id: ReadOnly = None
    slug: ReadOnly = None
    created_at: ReadOnly = None
    updated_at: ReadOnly = None
    reminder_offsets_minutes: ReminderOffsets | None = None
    """Minutes before the start, one per reminder; null or omitted: the defaults (7 days and 1
    day before at 10:00, and 1 hour before for online events); [] for none."""

    def to_input(self, current: Event | None = None) -> EventInput:
        """The service's input: the details as validated here, reminders as rules. On an edit,
        offsets that say what the event's rules already say keep those rules ("7d@10:00")."""
        details = {name: getattr(self, name) for name in EventDetails.model_fields}
        if current is None:  # a copy's rows are new rows, whatever ids it was sent with
            for name in ("parts", "tables", "questions"):
                details[name] = tuple(row.model_copy(update={"id": None}) for row in details[name])
        rules = None
        if self.reminder_offsets_minutes is not None:
            rules = tuple(from_minutes(list(self.reminder_offsets_minutes)))
            if current is not None:
                timezone = current_app.config["APP_TIMEZONE"]
                kept = rules_for(current)
                if to_minutes(kept, self.starts_at, timezone) == list(
                    self.reminder_offsets_minutes
                ):
                    rules = tuple(kept)
        return EventInput.model_construct(**details, slug="", reminder_rules=rules)


def _email_status_fields(email: str) -> dict:
    status = email_status(email)
    return {"email_status": status.status, "email_status_reason": status.reason}


# --- registrations --------------------------------------------------------------------------


class RegistrationResource(Resource):
    id: int
    event_id: int
    name: str
    furigana: str
    email: str
    organization: str
    organization_code: str | None
    """6-digit 団体コード when the organisation is on the official list"""
    department: str
    position: str
    parts: list[int]
    table: int | None
    answers: dict[str, str | list[str] | None]
    status: RegistrationStatus
    checked_in: bool
    checked_in_at: datetime | None
    created_at: datetime
    email_status: EmailStatus
    """ok; soft_bounce after a recent temporary bounce (4.x.x); bounced when mail to the address
    failed for good (5.x.x, or repeated soft bounces) and bulk mail skips it"""
    email_status_reason: str | None
    """the last bounce's status code and the server's words"""

    @classmethod
    def of(cls, registration: Registration) -> "RegistrationResource":
        return cls(
            id=registration.id,
            event_id=registration.event_id,
            name=registration.name,
            furigana=registration.furigana,
            email=registration.email,
            organization=registration.organization_name,
            organization_code=registration.organization_code,
            department=registration.department,
            position=registration.position,
            parts=[part.id for part in registration.parts],
            table=registration.table_id,
            answers=dict(registration.answers or {}),
            status=registration.status,
            checked_in=registration.checked_in_at is not None,
            checked_in_at=_local(registration.checked_in_at),
            created_at=_local(registration.created_at),
            **_email_status_fields(registration.email),
        )


def registration_json(registration: Registration) -> dict:
    return RegistrationResource.of(registration).json()


# --- members --------------------------------------------------------------------------------


class MemberResource(Resource):
    id: int
    name: str
    email: str
    organization: str
    organization_code: str | None
    department: str
    theme_interests: list[str]
    listed_publicly: bool
    status: MemberStatus
    consent_at: datetime | None
    consent_version: str | None
    confirmed_at: datetime | None
    created_at: datetime
    email_status: EmailStatus
    """ok; soft_bounce after a recent temporary bounce (4.x.x); bounced when mail to the address
    failed for good (5.x.x, or repeated soft bounces) and bulk mail skips it"""
    email_status_reason: str | None
    """the last bounce's status code and the server's words"""

    @classmethod
    def of(cls, member: Member) -> "MemberResource":
        return cls(
            id=member.id,
            name=member.name,
            email=member.email,
            organization=member.organization_name,
            organization_code=member.organization_code,
            department=member.department,
            theme_interests=list(member.theme_interests or []),
            listed_publicly=member.listed_publicly,
            status=member.status,
            consent_at=_local(member.consent_at),
            consent_version=member.consent_version,
            confirmed_at=_local(member.confirmed_at),
            created_at=_local(member.created_at),
            **_email_status_fields(member.email),
        )


def member_json(member: Member) -> dict:
    return MemberResource.of(member).json()


class MemberBody(ProfileInput):
    """A member as an organizer sends it back to correct it (PUT): what a member may correct
    themselves. The address and organisation identify the membership (a new one is a new
    application or a hand-over) and, with the consent record, are read-only."""

    id: ReadOnly = None
    email: ReadOnly = None
    organization: ReadOnly = None
    organization_code: ReadOnly = None
    status: ReadOnly = None
    consent_at: ReadOnly = None
    consent_version: ReadOnly = None
    confirmed_at: ReadOnly = None
    created_at: ReadOnly = None
    email_status: ReadOnly = None
    email_status_reason: ReadOnly = None

    def to_input(self) -> ProfileInput:
        return ProfileInput.model_construct(
            **{name: getattr(self, name) for name in ProfileInput.model_fields}
        )


# --- announcements --------------------------------------------------------------------------


class Failure(Resource):
    email: str
    error: str


class Progress(Resource):
    recipients: int
    queued: int
    sent: int
    failed: int
    total: int
    failures: list[Failure]


class AnnouncementResource(Resource):
    id: int
    subject: str
    body: str
    audience: dict
    status: AnnouncementStatus
    send_at: datetime | None
    queued_at: datetime | None
    created_at: datetime
    progress: Progress

    @classmethod
    def of(cls, announcement: Announcement, progress: dict) -> "AnnouncementResource":
        return cls(
            id=announcement.id,
            subject=announcement.subject,
            body=announcement.body,
            audience=announcement.audience,
            status=announcement.status,
            send_at=_local(announcement.send_at),
            queued_at=_local(announcement.queued_at),
            created_at=_local(announcement.created_at),
            progress=Progress(
                recipients=announcement.recipients,
                queued=progress["queued"],
                sent=progress["sent"],
                failed=progress["failed"],
                total=progress["total"],
                failures=[Failure(email=e, error=err) for e, err in progress["failures"]],
            ),
        )


def announcement_json(announcement: Announcement, progress: dict) -> dict:
    return AnnouncementResource.of(announcement, progress).json()


class AnnouncementBody(AnnouncementInput):
    """An announcement as a client sends it; the representation GET returns is accepted.
    `status` says what to do: `draft` keeps it, `scheduled` sends it at `send_at`, `queued`
    sends it now. Omitted: scheduled when `send_at` is given, else a draft."""

    id: ReadOnly = None
    queued_at: ReadOnly = None
    created_at: ReadOnly = None
    progress: ReadOnly = None
    status: Literal["draft", "scheduled", "queued"] | None = Field(None, validate_default=True)

    @field_validator("status")
    @classmethod
    def _time_to_schedule(cls, status, info: ValidationInfo):
        if status == AnnouncementStatus.SCHEDULED and info.data.get("send_at") is None:
            raise rule(_("予約するには send_at に送信日時を指定してください。"))
        return status

    @property
    def send_now(self) -> bool:
        return self.status == AnnouncementStatus.QUEUED

    def to_input(self) -> AnnouncementInput:
        """The service's input; a draft or a send-now keeps no send time."""
        send_at = None if self.status in ("draft", "queued") else self.send_at
        return AnnouncementInput.model_construct(
            audience=self.audience, subject=self.subject, body=self.body, send_at=send_at
        )
