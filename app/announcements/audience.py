"""Who an announcement goes to: the audience checked and normalised, and the people it reaches.

An announcement to members (配信) is bulk mail under 特定電子メール法: it goes only to active
members, and every copy carries the member's own unsubscribe link (footer and List-Unsubscribe).
An announcement to the registrants of an event is mail about an event they signed up for: it goes
to them whether or not they unsubscribed from notices, and carries no unsubscribe link.
"""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.announcements.errors import InvalidAudience, NoRecipients
from app.announcements.inputs import AUDIENCE_KINDS, EVENT_REGISTRANTS, MEMBERS, MEMBERS_BY_THEME
from app.announcements.models import Announcement
from app.events.models import Event
from app.extensions import db
from app.mail.suppression import suppressed
from app.members.models import Member, MemberStatus, ThemeInterest
from app.registrations.models import Registration, RegistrationStatus


@dataclass(frozen=True)
class Recipient:
    """One person an announcement goes to, and the registration or member record behind them."""

    email: str
    name: str
    organization: str
    locale: str
    source: Registration | Member

    @property
    def registration(self) -> Registration | None:
        return self.source if isinstance(self.source, Registration) else None

    @property
    def member(self) -> Member | None:
        return self.source if isinstance(self.source, Member) else None


def _int_or_none(value, field: str) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        raise InvalidAudience(field=field)
    try:
        return int(value)
    except (TypeError, ValueError):
        raise InvalidAudience(field=field) from None


def normalize_audience(audience: dict) -> dict:
    """The audience with defaults filled in, checked against the database; raises InvalidAudience."""
    if not isinstance(audience, dict) or audience.get("kind") not in AUDIENCE_KINDS:
        raise InvalidAudience(field="kind")
    kind = audience["kind"]
    event_id = _int_or_none(audience.get("event_id"), "event_id")
    if event_id is not None and db.session.get(Event, event_id) is None:
        raise InvalidAudience(_l("このイベントは見つかりません。"), field="event_id")
    if kind == EVENT_REGISTRANTS:
        if event_id is None:
            raise InvalidAudience(_l("イベントを選んでください。"), field="event_id")
        statuses = audience.get("statuses") or [RegistrationStatus.CONFIRMED.value]
        known = [status.value for status in RegistrationStatus]
        if not isinstance(statuses, list | tuple) or any(s not in known for s in statuses):
            raise InvalidAudience(_l("選択肢の中から選んでください。"), field="statuses")
        table_id = _int_or_none(audience.get("table_id"), "table_id")
        if table_id is not None:
            event = db.session.get(Event, event_id)
            if event is None or table_id not in {table.id for table in event.tables}:
                raise InvalidAudience(_l("選択肢の中から選んでください。"), field="table_id")
        return {
            "kind": kind,
            "event_id": event_id,
            "statuses": [status for status in known if status in statuses],
            "table_id": table_id,
        }
    normalized = {"kind": kind, "event_id": event_id}
    if kind == MEMBERS_BY_THEME:
        themes = audience.get("themes") or []
        known_themes = {theme.value for theme in ThemeInterest}
        if (
            not isinstance(themes, list | tuple)
            or not themes
            or any(t not in known_themes for t in themes)
        ):
            raise InvalidAudience(_l("テーマを選んでください。"), field="themes")
        normalized["themes"] = sorted(set(themes))
    return normalized


def _registrants(audience: dict) -> list[Recipient]:
    query = (
        select(Registration)
        .where(
            Registration.event_id == audience["event_id"],
            Registration.status.in_(audience.get("statuses") or [RegistrationStatus.CONFIRMED]),
        )
        .order_by(Registration.id)
    )
    if audience.get("table_id") is not None:
        query = query.where(Registration.table_id == audience["table_id"])
    return [
        Recipient(r.email, r.name, r.organization_name, r.locale, r)
        for r in db.session.scalars(query)
    ]


def _members(audience: dict) -> list[Recipient]:
    query = select(Member).where(Member.status == MemberStatus.ACTIVE).order_by(Member.id)
    members = list(db.session.scalars(query))
    if audience["kind"] == MEMBERS_BY_THEME:
        # A JSON list: filtered here, the same on SQLite and PostgreSQL (a few thousand rows at most).
        wanted = set(audience.get("themes") or [])
        members = [m for m in members if wanted & set(m.theme_interests or [])]
    return [Recipient(m.email, m.name, m.organization_name, m.locale, m) for m in members]


def resolve_audience(audience: dict) -> list[Recipient]:
    """Everyone the audience reaches now: once per address, minus addresses that bounced for good."""
    audience = normalize_audience(audience)
    found = _registrants(audience) if audience["kind"] == EVENT_REGISTRANTS else _members(audience)
    unique: dict[str, Recipient] = {}
    for recipient in found:
        unique.setdefault(recipient.email.lower(), recipient)
    skip = suppressed({r.email for r in unique.values()})
    return [r for r in unique.values() if r.email not in skip]


def is_bulk(audience: dict) -> bool:
    """Member audiences are bulk mail: each copy carries the member's unsubscribe link."""
    return audience.get("kind") in (MEMBERS, MEMBERS_BY_THEME)


def audience_event(audience: dict) -> Event | None:
    event_id = audience.get("event_id")
    return db.session.get(Event, event_id) if event_id is not None else None


def recipient_for(announcement: Announcement, recipient_email: str | None) -> Recipient:
    recipients = resolve_audience(announcement.audience)
    if recipient_email is not None:
        wanted = recipient_email.strip().lower()
        recipients = [r for r in recipients if r.email.lower() == wanted]
    if not recipients:
        raise NoRecipients()
    return recipients[0]


def audience_events() -> list[Event]:
    """Every event an announcement may be about, the latest first, for the compose form."""
    return list(db.session.scalars(select(Event).order_by(Event.starts_at.desc(), Event.id)))
