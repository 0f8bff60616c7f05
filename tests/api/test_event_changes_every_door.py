"""One way to change an event: the console's edit and the API's PUT of the same change go through
app.registrations.event_changes.change_event, so they write the same audit entry (the API's with
its token) and send the same mails."""

from collections import Counter
from datetime import timedelta

from sqlalchemy import select

from app.audit.models import AuditEntry
from app.extensions import db
from app.mail.outbox import OutboxMessage
from tests.admin.test_events import FormScraper, page_form


def full_event_with_a_waitlist(make_event, make_registration):
    """Two seats, two confirmed attendees and one on the waitlist."""
    event = make_event(capacity=2)
    people = [make_registration(event) for _ in range(3)]
    assert [person.status for person in people] == ["confirmed", "confirmed", "waitlisted"]
    return event, {person.email for person in people}


def entry_for(event) -> AuditEntry:
    [entry] = db.session.scalars(
        select(AuditEntry).where(
            AuditEntry.action == "event.update", AuditEntry.target == f"event:{event.id}"
        )
    )
    return entry


def mails_to(addresses) -> Counter:
    query = select(OutboxMessage.category).where(OutboxMessage.to_addr.in_(addresses))
    return Counter(db.session.scalars(query))


def test_console_edit_and_api_put_write_the_same_audit_entry_and_send_the_same_mails(
    organizer_client, api, organizer_token, make_event, make_registration
):
    by_console, console_people = full_event_with_a_waitlist(make_event, make_registration)
    by_api, api_people = full_event_with_a_waitlist(make_event, make_registration)
    before_console, before_api = mails_to(console_people), mails_to(api_people)

    # The console: three hours later and one more seat, confirmed on the second page.
    url = f"/admin/events/{by_console.id}/edit"
    form = page_form(organizer_client, url)
    form["starts_at"] = form["starts_at"].replace("T10:00", "T13:00")
    form["ends_at"] = form["ends_at"].replace("T12:00", "T15:00")
    form["capacity"] = "3"
    confirm = organizer_client.post(url, data=form)
    confirmed = FormScraper(confirm.get_data(as_text=True)).form_with("confirm")
    assert organizer_client.post(url, data={**confirmed, "notify": "1"}).status_code == 302

    # The API: the same change as a PUT of the representation GET returns.
    body = api.get(f"/api/v1/events/{by_api.id}", token=organizer_token).get_json()
    starts, ends = by_api.starts_at + timedelta(hours=3), by_api.ends_at + timedelta(hours=3)
    body.update(starts_at=starts.isoformat(), ends_at=ends.isoformat(), capacity=3)
    # The defaults, as the console's form leaves them (offsets in minutes would be kept as
    # minutes before the new start, a change of the rules).
    body.pop("reminder_offsets_minutes")
    auth = {"Authorization": f"Bearer {organizer_token}"}
    response = api.client.put(f"/api/v1/events/{by_api.id}", headers=auth, json=body)
    assert response.status_code == 200, response.get_json()

    db.session.expire_all()
    console_entry, api_entry = entry_for(by_console), entry_for(by_api)
    assert api_entry.detail.pop("via") == "api" and api_entry.detail.pop("token_id")
    for entry in (console_entry, api_entry):
        assert sorted(entry.detail["changed"]) == ["capacity", "ends_at", "starts_at"]
        assert (entry.detail["notified"], entry.detail["mailed"]) == (True, 2)
        assert len(entry.detail.pop("promoted")) == 1
    assert console_entry.detail == api_entry.detail

    sent_by_console = mails_to(console_people) - before_console
    sent_by_api = mails_to(api_people) - before_api
    assert sent_by_console == sent_by_api == Counter(event_changed=2, registration_promoted=1)
