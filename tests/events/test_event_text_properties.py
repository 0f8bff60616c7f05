"""Whatever text the event's input model accepts can be stored, shown on every page that shows
it, put into the confirmation mail and the .ics, and exported to CSV and XLSX without an error
(hypothesis throws arbitrary Unicode, with the characters pasted from PDF and Word favoured)."""

import icalendar
from hypothesis import given
from sqlalchemy import delete

from app import clock
from app.audit.actor import SYSTEM
from app.events.console import create_event
from app.events.inputs import EventInput
from app.events.models import Event
from app.extensions import db
from app.inputs import InvalidInput, parse
from app.mail.outbox import OutboxMessage, OutboxStatus
from app.registrations.models import Registration
from tests import factories
from tests.pasted_text import THROUGH_THE_APP, pasted_text

TEXT = pasted_text(60)


@THROUGH_THE_APP
@given(title=TEXT, venue=TEXT, description=TEXT, part=TEXT, table=TEXT)
def test_any_accepted_text_is_stored_shown_mailed_and_exported(
    app, organizer_client, client, title, venue, description, part, table
):
    try:
        data = parse(
            EventInput,
            {
                "title": f"セミナー{title}第1回",  # mostly accepted, so most go all the way
                "venue": venue,
                "description": description,
                "starts_at": "2026-09-15T14:00:00+09:00",
                "ends_at": "2026-09-15T16:00:00+09:00",
                "format": "hybrid",
                "status": "published",
                "parts": [{"title": part or "第一部"}],
                "tables": [{"title": table or "庁内職員向け事業"}],
            },
        )
    except InvalidInput:
        return  # refused with a field error: nothing to store
    try:
        event = create_event(data, clock.now(), actor=SYSTEM)
        registration = factories.make_registration(
            event, part_ids=[event.parts[0].id], table_id=event.tables[0].id
        )

        for url in (f"/events/{event.slug}", f"/events/{event.slug}/register", "/"):
            assert client.get(url).status_code == 200, url
        calendar = client.get(f"/events/{event.slug}.ics")
        assert calendar.status_code == 200
        icalendar.Calendar.from_ical(calendar.get_data())
        for fmt in ("csv", "xlsx"):
            assert (
                organizer_client.get(f"/admin/events/{event.id}/registrants.{fmt}").status_code
                == 200
            )
        assert organizer_client.get(f"/admin/events/{event.id}").status_code == 200
        mail = (
            db.session.get(OutboxMessage, registration.id)
            or db.session.scalars(db.select(OutboxMessage)).first()
        )
        assert mail.status == OutboxStatus.QUEUED and mail.mime
    finally:
        db.session.rollback()
        db.session.execute(delete(OutboxMessage))
        db.session.execute(delete(Registration))
        db.session.execute(delete(Event))
        db.session.commit()
