"""The API's events: listing and reading them (drafts for organizers only), creating, replacing,
patching, publishing and cancelling them, through the same services as the console."""

from flask import jsonify, url_for
from flask_babel import gettext as _

from app import clock
from app.api import queries
from app.api.blueprint import api_actor, bp, organizer, organizer_required
from app.api.helpers import choice, created, flag, json_body, page_of, paging, visible_event
from app.api.resources import EventBody, event_json
from app.api.schemas import EVENT_STATUSES, Invalid
from app.events import console, lookup
from app.events.models import EventStatus
from app.extensions import db
from app.inputs import parse
from app.registrations import event_changes, lists


@bp.get("/events")
def list_events():
    """Published (and cancelled) events, soonest first; organizers see drafts too."""
    caller = organizer()
    allowed = EVENT_STATUSES if caller else tuple(queries.PUBLIC_EVENT_STATUSES)
    status = choice("status", allowed)
    upcoming = flag("upcoming", False)
    page, per_page = paging()
    query = queries.events((status,) if status else allowed, clock.now() if upcoming else None)
    return page_of(query, lambda e: event_json(e, organizer=caller is not None), page, per_page)


@bp.post("/events")
@organizer_required
def create_event():
    """A new event: a draft, or published at once with "status": "published". The
    representation GET returns can be sent as it is (its read-only fields are ignored)."""
    data = parse(EventBody, json_body()).to_input()
    event = console.create_event(data, clock.now(), actor=api_actor())
    db.session.commit()
    return created(event_json(event, organizer=True), url_for(".get_event", event_id=event.id))


@bp.get("/events/<id:event_id>")
def get_event(event_id):
    event = visible_event(event_id)
    return jsonify(event_json(event, organizer=organizer() is not None))


@bp.put("/events/<id:event_id>")
@organizer_required
def replace_event(event_id):
    """Replace an event with the body (omitted optional fields take their defaults)."""
    event = lookup.get_event(event_id)
    body = json_body()
    return _save_event(event, parse(EventBody, body).to_input(event), "status" in body)


@bp.patch("/events/<id:event_id>")
@organizer_required
def update_event(event_id):
    """Change the fields given; the others stay."""
    event = lookup.get_event(event_id)
    patch = json_body()
    if not isinstance(patch, dict):
        raise Invalid([{"field": "body", "message": _("JSONオブジェクトで指定してください。")}])
    current = event_json(event, organizer=True)
    current.pop("status")  # changed only when asked for
    data = parse(EventBody, {**current, **patch}).to_input(event)
    return _save_event(event, data, "status" in patch)


def _save_event(event, data, status_given: bool):
    """Apply an edit as the console does: moving the time or place mails confirmed attendees
    an updated invite (unless ?notify=false) and moves their reminders, new seats go to the
    waitlist; a status given publishes the draft or takes it back."""
    notify = flag("notify", True)
    event_changes.change_event(event.id, data, actor=api_actor(), notify=notify)
    if status_given and data.status != event.status:
        if data.status == EventStatus.PUBLISHED:
            console.publish_event(event.id, clock.now(), actor=api_actor())
        else:
            console.unpublish_event(event.id, lists.sign_ups(event.id).active, actor=api_actor())
    db.session.commit()
    return jsonify(event_json(lookup.get_event(event.id), organizer=True))


@bp.post("/events/<id:event_id>/publish")
@organizer_required
def publish_event(event_id):
    event = console.publish_event(event_id, clock.now(), actor=api_actor())
    db.session.commit()
    return jsonify(event_json(event, organizer=True))


@bp.post("/events/<id:event_id>/cancel")
@organizer_required
def cancel_event(event_id):
    """Call the event off: attendees get a cancellation for their calendar, the waitlist a
    notice. Cancelling a cancelled event changes nothing."""
    lookup.get_event(event_id)
    event_changes.cancel_event(event_id, actor=api_actor())
    db.session.commit()
    return jsonify(event_json(lookup.get_event(event_id), organizer=True))
