"""The JSON API: a second door to the same services as the pages and the console.

Each handler reads its input (schemas.py), calls one service, commits once and answers JSON.
Organizer endpoints take a bearer token (blueprint.organizer_required); everything an organizer
changes is written to the audit log under the token's organizer, as in the console.
"""

import json

from flask import abort, g, jsonify, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from app import clock
from app.announcements import services as announcements
from app.api import queries
from app.api.blueprint import api_actor, bp, organizer, organizer_required
from app.api.openapi import build_document
from app.api.resources import (
    AnnouncementBody,
    EventBody,
    MemberBody,
    announcement_json,
    event_json,
    member_json,
    registration_json,
)
from app.api.schemas import (
    EVENT_STATUSES,
    STATUSES,
    Invalid,
)
from app.audit.services import record
from app.events import console, lookup
from app.events.models import EventStatus
from app.extensions import db
from app.inputs import parse
from app.members import services as members
from app.members.inputs import JoinInput
from app.members.models import Member, MemberStatus
from app.ratelimits import mail_request_limits, signup_limits
from app.registrations import event_changes, lists, organizer_actions, signup
from app.registrations.inputs import SignUpInput
from app.routing import LARGEST_PAGE, parse_int

MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 20


# --- helpers --------------------------------------------------------------------------------


def json_body():
    """The request's JSON document: 415 when it is not JSON, 400 when it cannot be read."""
    if not request.is_json:
        abort(415)
    try:
        data = json.loads(request.get_data() or b"null")
        if data is None:
            raise ValueError("no JSON document")
    except (ValueError, RecursionError):
        abort(400)
    return data


def _flag(name: str, default: bool) -> bool:
    value = request.args.get(name)
    if value is None:
        return default
    if value.lower() in ("true", "1"):
        return True
    if value.lower() in ("false", "0"):
        return False
    raise Invalid([{"field": name, "message": _("true か false で指定してください。")}])


def _choice(name: str, options) -> str | None:
    value = request.args.get(name)
    if value is None:
        return None
    if value not in options:
        raise Invalid(
            [
                {
                    "field": name,
                    "message": _(
                        "次のいずれかで指定してください: %(options)s", options=", ".join(options)
                    ),
                }
            ]
        )
    return value


def _paging() -> tuple[int, int]:
    errors = []
    values = {}
    for name, default, maximum in (
        ("page", 1, LARGEST_PAGE),
        ("per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE),
    ):
        value = parse_int(request.args.get(name, str(default)), 1, maximum)
        if value is None:
            errors.append(
                {
                    "field": name,
                    "message": _("1から%(max)dまでの整数で指定してください。", max=maximum),
                }
            )
        else:
            values[name] = value
    if errors:
        raise Invalid(errors)
    return values["page"], values["per_page"]


def _audit_read(action: str, target: str, rows: int, **detail) -> None:
    """Reading personal data is written to the audit log (who, what, how many rows), as console
    exports are: the one write a GET makes, committed at once."""
    record(api_actor(), action, target, rows=rows, **detail)
    db.session.commit()


def _page(query, serialize, page: int, per_page: int, audit=None, **url_args):
    """A page of a list: {items, page, per_page, total, next}; `audit` is (action, target) for
    lists of personal data."""
    rows, total = queries.page_of(query, page, per_page)
    items = [serialize(row) for row in rows]  # before the audit's commit expires the rows
    if audit:
        _audit_read(*audit, rows=len(items), page=page, status=request.args.get("status"))
    next_url = None
    if page * per_page < total:
        args = {**request.args.to_dict(), **url_args, "page": page + 1, "per_page": per_page}
        next_url = url_for(request.endpoint, _external=True, **args)
    return jsonify(
        items=items,
        page=page,
        per_page=per_page,
        total=total,
        next=next_url,
    )


def _with_locale(body):
    """The body with the language the request was read in: the person's mail goes out in it."""
    return {**body, "locale": str(get_locale() or "ja")} if isinstance(body, dict) else body


def _created(document: dict, location: str):
    response = jsonify(document)
    response.status_code = 201
    response.headers["Location"] = location
    return response


def _visible_event(event_id: int):
    """The event, if the caller may see it: drafts are for organizers only."""
    event = lookup.get_event(event_id)
    if organizer() is None and event.status == EventStatus.DRAFT:
        abort(404)
    return event


# --- the document ---------------------------------------------------------------------------


@bp.get("/openapi.json")
def openapi():
    return jsonify(build_document())


# --- events ---------------------------------------------------------------------------------


@bp.get("/events")
def list_events():
    """Published (and cancelled) events, soonest first; organizers see drafts too."""
    caller = organizer()
    allowed = EVENT_STATUSES if caller else tuple(queries.PUBLIC_EVENT_STATUSES)
    status = _choice("status", allowed)
    upcoming = _flag("upcoming", False)
    page, per_page = _paging()
    query = queries.events((status,) if status else allowed, clock.now() if upcoming else None)
    return _page(query, lambda e: event_json(e, organizer=caller is not None), page, per_page)


@bp.post("/events")
@organizer_required
def create_event():
    """A new event: a draft, or published at once with "status": "published". The
    representation GET returns can be sent as it is (its read-only fields are ignored)."""
    data = parse(EventBody, json_body()).to_input()
    event = console.create_event(data, clock.now(), actor=api_actor())
    db.session.commit()
    return _created(event_json(event, organizer=True), url_for(".get_event", event_id=event.id))


@bp.get("/events/<id:event_id>")
def get_event(event_id):
    event = _visible_event(event_id)
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
    notify = _flag("notify", True)
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


# --- registrations --------------------------------------------------------------------------


@bp.get("/events/<id:event_id>/registrations")
@organizer_required
def list_registrations(event_id):
    lookup.get_event(event_id)
    status = _choice("status", STATUSES)
    page, per_page = _paging()
    query = queries.registrations(event_id, status)
    audit = ("registration.api_list", f"event:{event_id}")
    return _page(query, registration_json, page, per_page, audit=audit, event_id=event_id)


@bp.post("/events/<id:event_id>/registrations")
@signup_limits
def create_registration(event_id):
    """Sign someone up, with the sign-up form's checks and rules: 201 with the status
    confirmed, waitlisted, or pending (events in approval mode)."""
    _visible_event(event_id)
    data = parse(SignUpInput, _with_locale(json_body()))
    registration = signup.register_attendee(event_id, data, clock.now())
    db.session.commit()
    return _created(
        registration_json(registration),
        url_for(".get_registration", registration_id=registration.id),
    )


@bp.get("/registrations/<id:registration_id>")
@organizer_required
def get_registration(registration_id):
    document = registration_json(organizer_actions.get_registration(registration_id))
    _audit_read("registration.api_read", f"registration:{registration_id}", rows=1)
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


# --- members --------------------------------------------------------------------------------


@bp.get("/members")
@organizer_required
def list_members():
    status = _choice("status", tuple(s.value for s in MemberStatus))
    page, per_page = _paging()
    audit = ("member.api_list", "members")
    return _page(queries.members(status), member_json, page, per_page, audit=audit)


@bp.get("/members/<id:member_id>")
@organizer_required
def get_member(member_id):
    member = db.session.get(Member, member_id)
    if member is None:
        abort(404)
    document = member_json(member)
    _audit_read("member.api_read", f"member:{member_id}", rows=1)
    return jsonify(document)


@bp.put("/members/<id:member_id>")
@organizer_required
def replace_member(member_id):
    """Correct a member's name, department, themes and public listing, as the member may on
    their own page; the representation GET returns is accepted (read-only fields ignored)."""
    member = db.session.get(Member, member_id)
    if member is None:
        abort(404)
    data = parse(MemberBody, json_body()).to_input()
    members.update_profile(member, data)
    record(api_actor(), "member.update", f"member:{member_id}")
    db.session.commit()
    return jsonify(member_json(member))


@bp.post("/members")
@mail_request_limits("join")
def create_member():
    """参加のお申し込み with double opt-in: the applicant gets a mail with a confirmation link
    and becomes a member only by following it. The answer is the same whether or not the
    address is already a member, so it reveals no one."""
    application = parse(JoinInput, _with_locale(json_body()))
    try:
        members.apply_for_membership(application, clock.now())
        db.session.commit()
    except IntegrityError:
        # The same address applied at the same moment: applying again finds that row.
        db.session.rollback()
        members.apply_for_membership(application, clock.now())
        db.session.commit()
    response = jsonify(
        status="accepted",
        detail=_("確認のメールをお送りしました。メール内のリンクを開くとお申し込みが完了します。"),
    )
    response.status_code = 202
    return response


# --- announcements --------------------------------------------------------------------------


@bp.post("/announcements")
@organizer_required
def create_announcement():
    """An announcement kept as a draft, scheduled (send_at), or sent now ("status": "queued"),
    the three choices of the console; checked as the console checks it."""
    g.resource = "announcement"
    body = parse(AnnouncementBody, json_body())
    announcement = announcements.create_announcement(
        body.to_input(), organizer().email, clock.now()
    )
    record(
        api_actor(),
        "announcement.create",
        f"announcement:{announcement.id}",
        via="api",
        status=announcement.status,
        audience=announcement.audience["kind"],
    )
    _send_if_asked(announcement.id, body)
    db.session.commit()
    return _created(
        announcement_json(announcement, announcements.progress(announcement.id)),
        url_for(".get_announcement", announcement_id=announcement.id),
    )


@bp.put("/announcements/<id:announcement_id>")
@organizer_required
def replace_announcement(announcement_id):
    """Replace a draft or scheduled announcement (409 once it is sent)."""
    g.resource = "announcement"
    body = parse(AnnouncementBody, json_body())
    announcement = announcements.update_announcement(announcement_id, body.to_input(), clock.now())
    record(api_actor(), "announcement.update", f"announcement:{announcement_id}")
    _send_if_asked(announcement_id, body)
    db.session.commit()
    return jsonify(announcement_json(announcement, announcements.progress(announcement_id)))


def _send_if_asked(announcement_id: int, body: AnnouncementBody) -> None:
    if body.send_now:
        count = announcements.send_now(announcement_id, clock.now())
        record(
            api_actor(), "announcement.send", f"announcement:{announcement_id}", recipients=count
        )


@bp.get("/announcements/<id:announcement_id>")
@organizer_required
def get_announcement(announcement_id):
    g.resource = "announcement"
    announcement = announcements.get_announcement(announcement_id)
    return jsonify(announcement_json(announcement, announcements.progress(announcement_id)))
