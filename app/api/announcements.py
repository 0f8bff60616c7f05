"""The API's announcements: create (draft, scheduled or sent now), replace and read one."""

from flask import g, jsonify, url_for

from app import clock
from app.announcements import reports as announcement_reports
from app.announcements import sending as announcement_sending
from app.api.blueprint import api_actor, bp, organizer, organizer_required
from app.api.helpers import created, json_body
from app.api.resources import AnnouncementBody, announcement_json
from app.extensions import db
from app.inputs import parse


@bp.post("/announcements")
@organizer_required
def create_announcement():
    """An announcement kept as a draft, scheduled (send_at), or sent now ("status": "queued"),
    the three choices of the console; checked as the console checks it."""
    g.resource = "announcement"
    body = parse(AnnouncementBody, json_body())
    announcement = announcement_sending.create_announcement(
        body.to_input(), organizer().email, clock.now(), actor=api_actor()
    )
    _send_if_asked(announcement.id, body)
    db.session.commit()
    return created(
        announcement_json(announcement, announcement_reports.progress(announcement.id)),
        url_for(".get_announcement", announcement_id=announcement.id),
    )


@bp.put("/announcements/<id:announcement_id>")
@organizer_required
def replace_announcement(announcement_id):
    """Replace a draft or scheduled announcement (409 once it is sent)."""
    g.resource = "announcement"
    body = parse(AnnouncementBody, json_body())
    announcement = announcement_sending.update_announcement(
        announcement_id, body.to_input(), clock.now(), actor=api_actor()
    )
    _send_if_asked(announcement_id, body)
    db.session.commit()
    return jsonify(announcement_json(announcement, announcement_reports.progress(announcement_id)))


def _send_if_asked(announcement_id: int, body: AnnouncementBody) -> None:
    if body.send_now:
        announcement_sending.send_now(announcement_id, clock.now(), actor=api_actor())


@bp.get("/announcements/<id:announcement_id>")
@organizer_required
def get_announcement(announcement_id):
    g.resource = "announcement"
    announcement = announcement_reports.get_announcement(announcement_id)
    return jsonify(announcement_json(announcement, announcement_reports.progress(announcement_id)))
