"""Webhook deliveries written in the same transaction as the change they report.

SQLAlchemy session events watch registrations and events, so no service has to remember to
emit anything: after each flush the first-seen state of every changed row is noted, and just
before the commit the final state is compared with it, so a registration that was flushed as
waitlisted and then confirmed within one sign-up is reported once, as created.
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app
from sqlalchemy import event, inspect, select
from sqlalchemy.orm import Session

from app import clock
from app.events.models import Event, EventStatus
from app.registrations.models import Registration, RegistrationStatus
from app.webhooks.models import WebhookDelivery, WebhookEndpoint

_KEY = "webhook_changes"
_NEW = object()  # the first-seen state of a row inserted in this transaction
# What a receiver's copy of an event depends on: its time, place, URL, name and status.
EVENT_FIELDS = (
    "title",
    "starts_at",
    "ends_at",
    "all_day",
    "format",
    "venue",
    "meeting_url",
    "status",
)
WAITING = {RegistrationStatus.WAITLISTED, RegistrationStatus.PENDING}


@dataclass(frozen=True)
class Representations:
    """How a payload shows what changed: the API's own representations, handed over by
    create_app, so that a receiver sees what a GET shows and this package needs no API import."""

    event: Callable[[Event], dict[str, Any]]
    registration: Callable[[Registration], dict[str, Any]]
    moment: Callable[[Any], str | None]


def _first_seen(obj, names: tuple[str, ...]) -> dict:
    """The values before this flush of those attributes the flush changed."""
    state = inspect(obj)
    values = {}
    for name in names:
        history = state.attrs[name].history
        if history.deleted:
            values[name] = history.deleted[0]
        elif history.added:
            values[name] = None
    return values


def _note_changes(session, _context):
    changes = session.info.setdefault(_KEY, {})
    for obj in session.new:
        if isinstance(obj, Registration):
            changes.setdefault(obj, _NEW)
    for obj in session.dirty:
        if isinstance(obj, Registration | Event) and obj not in changes:
            names = ("status",) if isinstance(obj, Registration) else EVENT_FIELDS
            seen = _first_seen(obj, names)
            if seen:
                changes[obj] = seen
        elif isinstance(obj, Event) and changes[obj] is not _NEW:
            for name, value in _first_seen(obj, EVENT_FIELDS).items():
                changes[obj].setdefault(name, value)


def _registration_type(registration: Registration, before) -> str | None:
    status = registration.status
    if before is _NEW or before.get("status") == RegistrationStatus.CANCELLED:
        # A new row, or a cancelled one signed up again.
        return "registration.created" if status != RegistrationStatus.CANCELLED else None
    old = before.get("status")
    if status == RegistrationStatus.CANCELLED and old != status:
        return "registration.cancelled"
    if status == RegistrationStatus.CONFIRMED and old in WAITING:
        return "registration.promoted"
    return None


def _event_type(item: Event, before: dict) -> str | None:
    changed = [name for name, old in before.items() if getattr(item, name) != old]
    if not changed:
        return None
    if "status" in changed and item.status == EventStatus.CANCELLED:
        return "event.cancelled"
    if (
        item.status == EventStatus.DRAFT
        and before.get("status", EventStatus.DRAFT) == EventStatus.DRAFT
    ):
        return None  # a draft nobody outside has seen
    return "event.updated"


def _payload(event_type: str, obj) -> dict:
    show: Representations = current_app.extensions["webhooks"]
    if isinstance(obj, Registration):
        data = {"registration": show.registration(obj)}
    else:
        data = {"event": show.event(obj)}
    return {
        "id": "evt_" + uuid.uuid4().hex,
        "type": event_type,
        "created_at": show.moment(clock.now()),
        "data": data,
    }


def _emit(session):
    if not session.info.get(_KEY):
        return
    session.flush()  # changes made since the last flush are part of what is reported
    changes = session.info.pop(_KEY, {})
    found = []
    for obj, before in changes.items():
        if inspect(obj).deleted or inspect(obj).detached:
            continue
        if isinstance(obj, Registration):
            event_type = _registration_type(obj, before)
        else:
            event_type = _event_type(obj, before)
        if event_type:
            found.append((event_type, obj))
    if not found:
        return
    endpoints = session.scalars(select(WebhookEndpoint).where(WebhookEndpoint.active.is_(True)))
    endpoints = list(endpoints)
    for event_type, obj in found:
        wanted = [endpoint for endpoint in endpoints if event_type in (endpoint.events or [])]
        if not wanted:
            continue
        payload = _payload(event_type, obj)
        for endpoint in wanted:
            session.add(
                WebhookDelivery(
                    endpoint_id=endpoint.id,
                    event_type=event_type,
                    payload=payload,
                    next_attempt_at=clock.now(),
                )
            )


def _forget(session):
    session.info.pop(_KEY, None)


LISTENERS = (
    ("after_flush", _note_changes),
    ("before_commit", _emit),
    ("after_commit", _forget),
    ("after_rollback", _forget),
)


def init_app(app: Flask, representations: Representations) -> None:
    """Switch the webhooks on, from create_app. SQLAlchemy's session events are global, so
    they are added once, however many apps a process builds (the tests build many)."""
    app.extensions["webhooks"] = representations
    for name, listener in LISTENERS:
        if not event.contains(Session, name, listener):
            event.listen(Session, name, listener)
