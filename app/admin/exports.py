"""Downloads for the secretariat: an event's registrants and attendance, and the members, as CSV
that Excel on Japanese Windows opens correctly, or as .xlsx."""

import io

from flask import abort, request, send_file

from app import clock
from app.admin.blueprint import bp, console_actor
from app.audit.services import record
from app.events.models import Event
from app.exports import writers
from app.exports.services import (
    Table,
    attendance_table,
    member_table,
    registrant_table,
)
from app.extensions import db
from app.formatting import local
from app.members.search import MemberSearch

FORMATS = {
    "csv": (writers.to_csv, "text/csv"),  # send_file adds "; charset=utf-8", once
    "xlsx": (
        writers.to_xlsx,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
}


def _download(table: Table, fmt: str, name: str, action: str, target: str, **detail):
    """Send the table as a file; the download of personal data is written to the audit log."""
    write, mimetype = FORMATS[fmt]
    body = write(table)
    record(console_actor(), action, target, format=fmt, rows=len(table.rows), **detail)
    db.session.commit()
    response = send_file(
        io.BytesIO(body),
        mimetype=mimetype,
        as_attachment=True,
        download_name=f"{name}-{local(clock.now()):%Y%m%d}.{fmt}",
    )
    response.headers["Cache-Control"] = "no-store"  # personal data: keep it out of caches
    return response


def _event(event_id: int, fmt: str) -> Event:
    if fmt not in FORMATS:
        abort(404)
    return db.get_or_404(Event, event_id)


@bp.route("/events/<id:event_id>/registrants.<fmt>")
def export_registrants(event_id, fmt):
    event = _event(event_id, fmt)
    return _download(
        registrant_table(event),
        fmt,
        f"event{event.id}-registrants",
        "export.registrants",
        f"event:{event.id}",
    )


@bp.route("/events/<id:event_id>/attendance.<fmt>")
def export_attendance(event_id, fmt):
    event = _event(event_id, fmt)
    return _download(
        attendance_table(event),
        fmt,
        f"event{event.id}-attendance",
        "export.attendance",
        f"event:{event.id}",
    )


@bp.route("/members.<fmt>")
def export_members(fmt):
    if fmt not in FORMATS:
        abort(404)
    search = MemberSearch.parse(request.args.get("q"), request.args.get("status"))
    return _download(
        member_table(search),
        fmt,
        "members",
        "export.members",
        "members",
        search=search.text,
        status=search.status,
    )
