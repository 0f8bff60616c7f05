"""Personal join links: finding a registration by one, whether it may lead to the meeting now,
counting the clicks, and revoking a forwarded one."""

from datetime import datetime, timedelta
from enum import StrEnum

from app.errors import RegistrationNotFound
from app.events.models import EventStatus
from app.extensions import db
from app.registrations import invites
from app.registrations.models import JOIN_PURPOSE, Registration, RegistrationStatus
from app.tokens import find_signed, new_nonce


def find_by_join_token(token: str) -> Registration:
    registration = find_signed(Registration, token, JOIN_PURPOSE, "join_nonce")
    if registration is None:
        raise RegistrationNotFound()
    return registration


def revoke_join_link(registration: Registration) -> None:
    """Stop a personal join link that was forwarded; the attendee's next mail carries the new one."""
    registration.join_nonce = new_nonce()
    db.session.flush()


class JoinState(StrEnum):
    NOT_YET = "not_yet"
    OPEN = "open"
    ENDED = "ended"
    NO_URL = "no_url"
    NOT_CONFIRMED = "not_confirmed"
    EVENT_CANCELLED = "event_cancelled"


# States in which the link is refused outright (403) rather than "not now".
REFUSED_JOIN_STATES = frozenset({JoinState.NOT_CONFIRMED, JoinState.EVENT_CANCELLED})

# The join link keeps working a little after the end, for someone reconnecting.
JOIN_GRACE_AFTER_END = timedelta(hours=1)


def join_state(registration: Registration, now: datetime) -> JoinState:
    """Whether the personal join link may redirect now, and if not, why."""
    event = registration.event
    if event.status == EventStatus.CANCELLED:
        return JoinState.EVENT_CANCELLED
    if registration.status != RegistrationStatus.CONFIRMED:
        return JoinState.NOT_CONFIRMED
    if now < invites.join_opens_at(registration):
        return JoinState.NOT_YET
    if now > event.ends_at + JOIN_GRACE_AFTER_END:
        return JoinState.ENDED
    if not event.meeting_url:
        return JoinState.NO_URL
    return JoinState.OPEN


def record_join(registration: Registration, now: datetime) -> None:
    """Count the click, so organizers can see who joined and trace a forwarded link."""
    registration.join_count += 1
    registration.last_joined_at = now
    db.session.flush()
