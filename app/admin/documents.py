"""Printed documents of an event for the secretariat: name tags (名札) on a chosen label sheet,
the reception list (受付名簿) and everyone's certificates of attendance (参加証明書) in one PDF.

Each download of personal data is written to the audit log and committed, as the console's
CSV exports are (app/admin/exports.py): the one write a GET here makes.
"""

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import NotFound
from werkzeug.wrappers import Response

from app import clock
from app.admin.blueprint import bp, console_actor
from app.audit.services import record
from app.documents import attendees
from app.documents.certificates import certificates_pdf
from app.documents.http import pdf_response
from app.documents.labels import SHEETS, sheet_named
from app.documents.name_tags import name_tags_pdf
from app.documents.reception_list import reception_list_pdf
from app.events.models import Event
from app.extensions import db
from app.formatting import local
from app.registrations.models import Registration
from app.routing import parse_int


def _event(event_id: int) -> Event:
    return db.get_or_404(Event, event_id)


def _send(event: Event, body: bytes, kind: str, people: int, **detail: Any) -> Response:
    record(console_actor(), f"export.{kind}", f"event:{event.id}", rows=people, **detail)
    db.session.commit()
    name = kind.replace("_", "-")
    return pdf_response(body, f"event{event.id}-{name}-{local(clock.now()):%Y%m%d}.pdf")


def _nobody(event: Event, message: Any) -> Response:
    flash(message, "info")
    return redirect(url_for("admin.event_documents", event_id=event.id))


@bp.route("/events/<id:event_id>/documents")
def event_documents(event_id: int) -> str:
    """The three documents, with the label sheets to choose from and how many each would hold."""
    event = _event(event_id)
    return render_template(
        "documents/console.html",
        event=event,
        sheets=SHEETS,
        counts={
            "name_tags": len(attendees.name_tag_people(event.id)),
            "reception_list": len(attendees.reception_people(event.id)),
            "certificates": len(attendees.certificate_holders(event.id)),
        },
    )


@bp.route("/events/<id:event_id>/name-tags.pdf")
def name_tags_download(event_id: int) -> Response:
    event = _event(event_id)
    sheet = sheet_named(request.args.get("sheet"))
    if sheet is None:
        raise NotFound()
    # Labels already used on the first sheet; anything unreadable means none.
    skip = parse_int(request.args.get("skip"), 0, sheet.per_page - 1) or 0
    people: list[Registration] = attendees.name_tag_people(event.id)
    if not people:
        return _nobody(event, _l("名札を作る方（参加確定の方）がいません。"))
    body = name_tags_pdf(event, people, sheet, skip)
    return _send(event, body, "name_tags", len(people), sheet=sheet.key)


@bp.route("/events/<id:event_id>/reception-list.pdf")
def reception_list_download(event_id: int) -> Response:
    event = _event(event_id)
    people = attendees.reception_people(event.id)
    if not people:
        return _nobody(event, _l("受付名簿に載せる方がいません。"))
    body = reception_list_pdf(event, people, clock.now())
    return _send(event, body, "reception_list", len(people))


@bp.route("/events/<id:event_id>/certificates.pdf")
def certificates_download(event_id: int) -> Response:
    event = _event(event_id)
    people = attendees.certificate_holders(event.id)
    if not people:
        return _nobody(
            event,
            _l(
                "受付済みの方がいないため、参加証明書はまだ作れません。当日受付の後にお使いください。"
            ),
        )
    body = certificates_pdf(event, people, clock.now())
    return _send(event, body, "certificates", len(people))
