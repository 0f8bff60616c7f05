"""Calendar replies (iTIP REPLY, RFC 5546) to our invites. An attendee who declines from
Outlook, Google or Apple Calendar has their registration cancelled, as their own cancel link
would: the seat goes to the waitlist and both are mailed. ACCEPTED and TENTATIVE are recorded
for the console. A reply is acted on only when its UID is one of our registrations', its
ATTENDEE and the mail's From are the registrant's address, and its SEQUENCE is not older than
the last invite we sent; anything else is logged and ignored. Services flush; the door commits.
"""

import hashlib
import logging
import re
from dataclasses import dataclass
from datetime import datetime
from email.message import Message
from email.utils import parseaddr

from icalendar import Calendar
from sqlalchemy import select

from app.audit.actor import Actor
from app.audit.services import record
from app.calendar.entries import calendar_settings
from app.events.lookup import lock_event
from app.extensions import db
from app.inbound.models import CalendarReply
from app.registrations import notifications
from app.registrations.models import Registration, RegistrationStatus
from app.registrations.seats import promote_waitlisted
from app.registrations.signup import withdraw
from app.routing import LARGEST_ID

log = logging.getLogger(__name__)

PARTSTATS = ("ACCEPTED", "TENTATIVE", "DECLINED")
_UID = re.compile(r"registration-(\d{1,12})(-part-\d{1,12})?@(.+)")
MAX_CALENDAR_BYTES = 256 * 1024


@dataclass(frozen=True)
class ReplyLine:
    """One VEVENT of a REPLY: whose entry, which answer, at which SEQUENCE."""

    uid: str
    attendee: str
    partstat: str
    sequence: int
    stamp: str


def _calendar_texts(message: Message) -> list[str]:
    texts = []
    for part in message.walk():
        if part.get_content_type() not in ("text/calendar", "application/ics"):
            continue
        try:
            payload = part.get_payload(decode=True)
        except Exception:
            continue
        if isinstance(payload, bytes) and len(payload) <= MAX_CALENDAR_BYTES:
            texts.append(payload.decode(part.get_content_charset() or "utf-8", errors="replace"))
    return texts


def _mailto(value: object) -> str:
    text = str(value or "").strip()
    if text.lower().startswith("mailto:"):
        text = text[len("mailto:") :]
    return text.strip().lower()


def parse_reply(message: Message) -> list[ReplyLine]:
    """The answers a METHOD:REPLY carries (none for anything else, or anything unreadable)."""
    lines = []
    for text in _calendar_texts(message):
        try:
            calendar = Calendar.from_ical(text)
        except Exception:  # icalendar raises ValueError and others on broken input
            log.info("calendar part that cannot be parsed; ignored")
            continue
        if str(calendar.get("method", "")).upper() != "REPLY":
            continue
        for vevent in calendar.walk("VEVENT"):
            attendees = vevent.get("attendee")
            attendees = attendees if isinstance(attendees, list) else [attendees]
            for attendee in attendees:
                if attendee is None:
                    continue
                params = getattr(attendee, "params", {})
                try:
                    sequence = int(str(vevent.get("sequence", 0)))
                except ValueError:
                    continue
                lines.append(
                    ReplyLine(
                        uid=str(vevent.get("uid", "")),
                        attendee=_mailto(attendee),
                        partstat=str(params.get("PARTSTAT", "")).upper(),
                        sequence=sequence,
                        stamp=str(getattr(vevent.get("dtstamp"), "to_ical", lambda: b"")()),
                    )
                )
    return lines


def _registration_for(line: ReplyLine) -> tuple[Registration | None, bool]:
    """The registration a UID names (and whether it names a single part's entry)."""
    match = _UID.fullmatch(line.uid)
    if match is None or match.group(3).lower() != calendar_settings().domain.lower():
        return None, False
    registration_id = int(match.group(1))
    if not 1 <= registration_id <= LARGEST_ID:
        return None, False
    return db.session.get(Registration, registration_id), match.group(2) is not None


def _decline(registration: Registration, now: datetime, actor: Actor) -> bool:
    """Cancel as the attendee's own link would; False when there was nothing to cancel."""
    event = lock_event(registration.event_id)
    db.session.refresh(registration)
    if registration.status == RegistrationStatus.CANCELLED:
        return False
    had_seat = withdraw(registration, now)
    notifications.notify_registration_cancelled(registration, had_seat=had_seat)
    promoted = promote_waitlisted(event) if had_seat else []
    record(
        actor,
        "registration.cancel_by_calendar_reply",
        f"registration:{registration.id}",
        promoted=[r.id for r in promoted],
    )
    return True


def handle_reply(message: Message, now: datetime, *, actor: Actor) -> int:
    """Act on a REPLY mail; returns how many of its answers were recorded."""
    sender = parseaddr(str(message.get("From", "")))[1].lower()
    recorded = 0
    for line in parse_reply(message):
        if line.partstat not in PARTSTATS:
            log.info("calendar reply with PARTSTAT %r ignored", line.partstat[:20])
            continue
        registration, part_only = _registration_for(line)
        if registration is None or registration.anonymised_at is not None:
            log.info("calendar reply for unknown UID %r ignored", line.uid[:200])
            continue
        if line.attendee != registration.email or sender != registration.email:
            log.info(
                "calendar reply for registration %s from another address ignored", registration.id
            )
            continue
        if line.sequence < (registration.calendar_sequence or 0):
            log.info("calendar reply for registration %s answers an older invite", registration.id)
            continue
        key = hashlib.sha256(
            f"{registration.id}:{line.uid}:{line.partstat}:{line.sequence}:{line.stamp}".encode()
        ).hexdigest()
        if db.session.scalar(select(CalendarReply.id).where(CalendarReply.dedupe_key == key)):
            log.info("calendar reply for registration %s already recorded", registration.id)
            continue
        db.session.add(
            CalendarReply(
                dedupe_key=key,
                registration_id=registration.id,
                partstat=line.partstat,
                sequence=line.sequence,
                received_at=now,
            )
        )
        db.session.flush()
        recorded += 1
        # One part's entry declined leaves the rest of the sign-up: the console shows it.
        if line.partstat == "DECLINED" and not part_only:
            _decline(registration, now, actor)
    return recorded


def last_reply(registration_id: int) -> CalendarReply | None:
    """The latest answer an attendee sent from their calendar, for the console."""
    return db.session.scalar(
        select(CalendarReply)
        .where(CalendarReply.registration_id == registration_id)
        .order_by(CalendarReply.id.desc())
        .limit(1)
    )
