"""Whatever a sign-up's input model accepts (arbitrary Unicode, pasted characters favoured) can
be stored, shown on the registrant's own page and in the console, mailed, put in the invite,
and exported to CSV and XLSX without an error."""

import icalendar
from hypothesis import given
from sqlalchemy import delete, select

from app import clock
from app.extensions import db
from app.inputs import InvalidInput, parse
from app.mail.outbox import OutboxMessage, OutboxStatus
from app.registrations import invites
from app.registrations.inputs import SignUpInput
from app.registrations.models import Registration
from app.registrations.signup import register_attendee
from tests.pasted_text import THROUGH_THE_APP, pasted_text

TEXT = pasted_text(40)


@THROUGH_THE_APP
@given(name=TEXT, furigana=TEXT, organization=TEXT, department=TEXT, position=TEXT)
def test_any_accepted_sign_up_is_stored_shown_mailed_and_exported(
    app, client, organizer_client, make_event, name, furigana, organization, department, position
):
    try:
        data = parse(
            SignUpInput,
            {
                # A real name around the noise, so that most examples are accepted and go all
                # the way through.
                "name": f"山田{name}太郎",
                "furigana": furigana,
                "email": "taro@city.example.jp",
                "organization": f"鳥取{organization}県",
                "department": department,
                "position": position,
                "privacy": True,
            },
        )
    except InvalidInput:
        return  # refused with a field error: nothing to store
    event = make_event()
    try:
        registration = register_attendee(event.id, data, clock.now())
        db.session.commit()
        token = invites.links(registration)["manage_url"].rsplit("/", 1)[1]

        assert client.get(f"/r/{token}").status_code == 200
        calendar = client.get(f"/r/{token}/invite.ics")
        assert calendar.status_code == 200
        icalendar.Calendar.from_ical(calendar.get_data())
        assert organizer_client.get(f"/admin/events/{event.id}/registrants").status_code == 200
        for fmt in ("csv", "xlsx"):
            response = organizer_client.get(f"/admin/events/{event.id}/registrants.{fmt}")
            assert response.status_code == 200
        mail = db.session.scalars(select(OutboxMessage)).one()
        assert mail.status == OutboxStatus.QUEUED and mail.mime
    finally:
        db.session.rollback()
        db.session.execute(delete(OutboxMessage))
        db.session.execute(delete(Registration))
        db.session.commit()
