"""Mailing an event's materials: who the organizer's choice reaches, and one mail to each of them
listing every material with their own download links."""

import logging
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.audit.actor import Actor
from app.audit.services import record
from app.extensions import db
from app.mail.suppression import suppressed
from app.materials import notifications
from app.materials.catalogue import event_materials, get_event
from app.materials.downloads import download_url
from app.materials.errors import NothingToSend
from app.materials.files import kind_label
from app.members.models import Member, MemberStatus
from app.registrations.models import Registration, RegistrationStatus

log = logging.getLogger(__name__)

# Who a materials mail goes to (the console's choice).
CONFIRMED = "confirmed"  # confirmed registrants (the default)
ATTENDED = "attended"  # confirmed registrants who were checked in on the day
WITH_MEMBERS = "with_members"  # confirmed registrants, plus every active member (bulk mail)
AUDIENCES = (CONFIRMED, ATTENDED, WITH_MEMBERS)


@dataclass(frozen=True)
class Recipient:
    """One person a materials mail goes to, and the registration or member behind them."""

    email: str
    name: str
    locale: str
    holder: Registration | Member


@dataclass(frozen=True)
class MailItem:
    """One material as a mail lists it: title, kind and size, the recipient's own link."""

    title: str
    kind: object  # str, or a lazy string translated when the mail is rendered
    url: str


def recipients(event_id: int, audience: str) -> list[Recipient]:
    """Everyone the choice reaches now: once per address, minus addresses that bounced for good.

    A member who also signed up gets the registrant's copy (mail about their event, no
    unsubscribe link); unsubscribed members are not among the active ones.
    """
    if audience not in AUDIENCES:
        raise NothingToSend(_l("選択肢の中から選んでください。"))
    query = (
        select(Registration)
        .where(
            Registration.event_id == event_id,
            Registration.status == RegistrationStatus.CONFIRMED,
            Registration.anonymised_at.is_(None),
        )
        .order_by(Registration.id)
    )
    if audience == ATTENDED:
        query = query.where(Registration.checked_in_at.is_not(None))
    found = [Recipient(r.email, r.name, r.locale, r) for r in db.session.scalars(query)]
    if audience == WITH_MEMBERS:
        members = select(Member).where(Member.status == MemberStatus.ACTIVE).order_by(Member.id)
        found += [Recipient(m.email, m.name, m.locale, m) for m in db.session.scalars(members)]
    unique: dict[str, Recipient] = {}
    for recipient in found:
        unique.setdefault(recipient.email.lower(), recipient)
    skip = suppressed({r.email for r in unique.values()})
    return [r for r in unique.values() if r.email not in skip]


def audience_counts(event_id: int) -> dict[str, int]:
    return {audience: len(recipients(event_id, audience)) for audience in AUDIENCES}


def send_materials(event_id: int, audience: str, message: str = "", *, actor: Actor) -> int:
    """Queue one mail per recipient listing every material of the event with their own links;
    returns how many were queued. Members' copies are bulk mail with their unsubscribe link."""
    event = get_event(event_id)
    materials = event_materials(event.id)
    if not materials:
        raise NothingToSend(_l("送る資料がありません。先に資料を追加してください。"))
    people = recipients(event.id, audience)
    if not people:
        raise NothingToSend(_l("送信先に該当する方がいません。"))
    message = (message or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    queued = 0
    for person in people:
        items = [
            MailItem(material.title, kind_label(material), download_url(material, person.holder))
            for material in materials
        ]
        member = person.holder if isinstance(person.holder, Member) else None
        try:
            notifications.notify_materials_available(
                event, items, person.email, person.name, person.locale, message, member
            )
        except ValueError as error:
            # An address the outbox cannot take must not stop everyone else's copy.
            log.warning("materials of event %s: skipped %r: %s", event.id, person.email, error)
            continue
        queued += 1
    record(actor, "materials.send", f"event:{event.id}", audience=audience, count=queued)
    return queued
