"""The API's registrations: an event's list (audited), signing someone up, reading one (audited),
and the organizer's cancel, promote and check-in."""

from flask import jsonify, url_for

from app import clock
from app.api import queries
from app.api.blueprint import api_actor, bp, organizer_required
from app.api.helpers import (
    audit_read,
    choice,
    created,
    json_body,
    page_of,
    paging,
    visible_event,
    with_locale,
)
from app.api.resources import registration_json
from app.api.schemas import STATUSES
from app.events import lookup
from app.extensions import db
from app.inputs import parse
from app.ratelimits import signup_limits
from app.registrations import organizer_actions, signup
from app.registrations.inputs import SignUpInput


@bp.get("/events/<id:event_id>/registrations")
@organizer_required
def list_registrations(event_id):
    lookup.get_event(event_id)
    status = choice("status", STATUSES)
    page, per_page = paging()
    query = queries.registrations(event_id, status)
    audit = ("registration.api_list", f"event:{event_id}")
    return page_of(query, registration_json, page, per_page, audit=audit, event_id=event_id)


@bp.post("/events/<id:event_id>/registrations")
@signup_limits
def create_registration(event_id):
    """Sign someone up, with the sign-up form's checks and rules: 201 with the status
    confirmed, waitlisted, or pending (events in approval mode)."""
    visible_event(event_id)
    data = parse(SignUpInput, with_locale(json_body()))
    registration = signup.register_attendee(event_id, data, clock.now())
    db.session.commit()
    return created(
        registration_json(registration),
        url_for(".get_registration", registration_id=registration.id),
    )


@bp.get("/registrations/<id:registration_id>")
@organizer_required
def get_registration(registration_id):
    document = registration_json(organizer_actions.get_registration(registration_id))
    audit_read("registration.api_read", f"registration:{registration_id}", rows=1)
    return jsonify(document)


@bp.post("/registrations/<id:registration_id>/cancel")
@organizer_required
def cancel_registration(registration_id):
    """Cancel someone's registration; they are mailed and a freed seat goes to the waitlist."""
    organizer_actions.admin_cancel_registration(registration_id, clock.now(), actor=api_actor())
    db.session.commit()
    return jsonify(registration_json(organizer_actions.get_registration(registration_id)))


@bp.post("/registrations/<id:registration_id>/promote")
@organizer_required
def promote_registration(registration_id):
    """Move a waitlisted person into a free seat ahead of the queue (409 when none is free)."""
    registration = organizer_actions.promote_registration(registration_id, actor=api_actor())
    db.session.commit()
    return jsonify(registration_json(registration))


@bp.post("/registrations/<id:registration_id>/check-in")
@organizer_required
def check_in(registration_id):
    """Record attendance on the day; checking in twice changes nothing."""
    organizer_actions.check_in(registration_id, clock.now(), actor=api_actor())
    db.session.commit()
    return jsonify(registration_json(organizer_actions.get_registration(registration_id)))
