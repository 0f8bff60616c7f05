"""Calendar downloads over HTTP: one event, the feed of all events, and the attendee's own
invite; headers, drafts, cancelled events, and conditional GETs (304 only while unchanged)."""

from datetime import timedelta

from app import clock, create_app
from app.audit.actor import SYSTEM
from app.events.models import EventStatus
from app.extensions import db
from app.registrations.event_changes import cancel_event, change_event
from app.registrations.signup import cancel_registration
from tests.calendar.icalcheck import (
    BASE_URL,
    DOMAIN,
    invite_of,
    only_vevent,
    outbox,
    parse,
    utc,
    vevents,
)
from tests.conftest import NOW
from tests.event_edits import as_input


def uids(calendar) -> set[str]:
    return {vevent.uid.value for vevent in vevents(calendar)}


def test_event_download_is_a_published_calendar_with_headers_and_no_meeting_url(client, make_event):
    event = make_event(title="公開セミナー")
    response = client.get(f"/events/{event.slug}.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith("attachment") and f'filename="{event.slug}.ics"' in disposition
    assert response.headers.get("ETag")
    assert response.headers.get("Last-Modified")
    assert event.meeting_url not in response.get_data(as_text=True)
    calendar = parse(response.data)
    assert calendar.method.value == "PUBLISH"
    vevent = only_vevent(calendar)
    assert vevent.uid.value == f"event-{event.id}@{DOMAIN}"
    assert vevent.summary.value == "公開セミナー"
    assert utc(vevent.dtstart.value) == event.starts_at
    assert vevent.status.value == "CONFIRMED"
    assert "attendee" not in vevent.contents


def test_draft_event_has_no_download_and_is_not_in_the_feed(client, make_event):
    draft = make_event(status=EventStatus.DRAFT, title="下書きのイベント")
    assert client.get(f"/events/{draft.slug}.ics").status_code == 404
    assert client.get("/events/no-such-event.ics").status_code == 404
    feed = client.get("/calendar.ics")
    assert feed.status_code == 200
    assert "下書きのイベント" not in feed.get_data(as_text=True)
    assert f"event-{draft.id}@{DOMAIN}" not in uids(parse(feed.data))


def test_feed_lists_published_and_cancelled_events_but_not_drafts(client, make_event, frozen_now):
    published = make_event(title="公開中")
    cancelled = make_event(title="中止になった回")
    draft = make_event(status=EventStatus.DRAFT)
    cancel_event(cancelled.id, actor=SYSTEM)
    db.session.commit()

    response = client.get("/calendar.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert "filename=" in response.headers["Content-Disposition"]
    calendar = parse(response.data)
    assert calendar.method.value == "PUBLISH"
    by_uid = {vevent.uid.value: vevent for vevent in vevents(calendar)}
    assert set(by_uid) == {f"event-{published.id}@{DOMAIN}", f"event-{cancelled.id}@{DOMAIN}"}
    assert f"event-{draft.id}@{DOMAIN}" not in by_uid
    assert by_uid[f"event-{published.id}@{DOMAIN}"].status.value == "CONFIRMED"
    gone = by_uid[f"event-{cancelled.id}@{DOMAIN}"]
    assert gone.status.value == "CANCELLED"
    assert int(gone.sequence.value) == 1

    # A cancelled event drops out of the feed 90 days after it would have ended.
    frozen_now(cancelled.ends_at + timedelta(days=91))
    later = parse(client.get("/calendar.ics").data)
    assert uids(later) == {f"event-{published.id}@{DOMAIN}"}


def test_event_download_answers_304_to_its_etag_until_the_event_changes(client, make_event):
    event = make_event()
    url = f"/events/{event.slug}.ics"
    first = client.get(url)
    etag = first.headers["ETag"]

    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert again.data == b""
    assert again.headers["ETag"] == etag
    since = client.get(url, headers={"If-Modified-Since": first.headers["Last-Modified"]})
    assert since.status_code == 304

    change_event(
        event.id,
        as_input(
            event,
            starts_at=event.starts_at + timedelta(hours=2),
            ends_at=event.ends_at + timedelta(hours=2),
        ),
        actor=SYSTEM,
    )
    db.session.commit()
    changed = client.get(url, headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag
    vevent = only_vevent(parse(changed.data))
    assert int(vevent.sequence.value) == 1
    assert utc(vevent.dtstart.value) == event.starts_at


def test_feed_answers_304_to_its_etag_until_an_event_changes(client, make_event, frozen_now):
    event = make_event()
    first = client.get("/calendar.ics")
    etag = first.headers["ETag"]
    assert first.headers.get("Last-Modified")
    again = client.get("/calendar.ics", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""

    frozen_now(NOW + timedelta(minutes=5))  # the organizer edits a little later
    change_event(
        event.id,
        as_input(
            event,
            starts_at=event.starts_at + timedelta(hours=2),
            ends_at=event.ends_at + timedelta(hours=2),
        ),
        actor=SYSTEM,
    )
    db.session.commit()
    changed = client.get("/calendar.ics", headers={"If-None-Match": etag})
    assert changed.status_code == 200
    assert changed.headers["ETag"] != etag
    assert int(only_vevent(parse(changed.data)).sequence.value) == 1


def test_feed_etag_changes_when_a_new_event_is_published(client, make_event):
    make_event()
    etag = client.get("/calendar.ics").headers["ETag"]
    make_event(title="追加された回")
    response = client.get("/calendar.ics", headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert "追加された回" in response.get_data(as_text=True)


def test_personal_invite_download_is_the_mailed_invite(client, make_event, make_registration):
    event = make_event()
    registration = make_registration(event, email="me@city.example.jp")
    [mail] = outbox("registration_received")
    mailed = only_vevent(invite_of(mail))

    response = client.get(f"/r/{registration.manage_token}/invite.ics")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert 'filename="invite.ics"' in response.headers["Content-Disposition"]
    calendar = parse(response.data)
    assert calendar.method.value == "REQUEST"
    downloaded = only_vevent(calendar)
    assert downloaded.uid.value == mailed.uid.value
    assert downloaded.sequence.value == mailed.sequence.value
    assert downloaded.attendee.value.lower() == "mailto:me@city.example.jp"
    assert f"/j/{registration.join_token}" in downloaded.description.value

    # Downloading does not raise the SEQUENCE: the same copy, however often it is fetched.
    again = only_vevent(parse(client.get(f"/r/{registration.manage_token}/invite.ics").data))
    assert again.sequence.value == mailed.sequence.value


def test_personal_invite_download_after_cancelling_is_the_cancel(
    client, make_event, make_registration
):
    event = make_event()
    registration = make_registration(event)
    cancel_registration(registration.manage_token, clock.now())
    db.session.commit()
    [mail] = outbox("registration_cancelled")
    calendar = parse(client.get(f"/r/{registration.manage_token}/invite.ics").data)
    assert calendar.method.value == "CANCEL"
    vevent = only_vevent(calendar)
    assert vevent.status.value == "CANCELLED"
    assert vevent.sequence.value == only_vevent(invite_of(mail)).sequence.value


def test_waitlisted_person_has_no_invite_to_download(client, make_event, make_registration):
    event = make_event(capacity=1)
    make_registration(event)
    waiting = make_registration(event)
    assert client.get(f"/r/{waiting.manage_token}/invite.ics").status_code == 404
    assert client.get("/r/1.forged/invite.ics").status_code == 404
    assert client.get(f"/r/{waiting.join_token}/invite.ics").status_code == 404


def test_the_feed_built_for_one_app_is_not_served_by_another(app, client, make_event):
    make_event()
    assert f"{BASE_URL}/events/" in client.get("/calendar.ics").get_data(as_text=True)
    db.session.rollback()  # end this app's transaction (SQLite: release the write lock)

    other = create_app(
        {
            "TESTING": True,
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "MAIL_SERVER": "",
            "PUBLIC_BASE_URL": "https://other.example.org",
            "RATELIMIT_STORAGE_URI": "memory://",
        }
    )
    try:
        body = other.test_client().get("/calendar.ics").get_data(as_text=True)
    finally:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()
    assert "https://other.example.org/events/" in body


def test_downloading_an_invite_writes_nothing(client, make_event, make_registration):
    """GET never writes: before any invite was mailed the download says SEQUENCE 0 and stores
    nothing (a stored 0 would make the first mailed invite look older than it is)."""
    from sqlalchemy import event as sa_event

    registration = make_registration(make_event())
    registration.calendar_sequence = None
    db.session.commit()
    writes = []

    def count_writes(conn, cursor, statement, *args):
        if statement.lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE")):
            writes.append(statement)

    sa_event.listen(db.engine, "before_cursor_execute", count_writes)
    try:
        response = client.get(f"/r/{registration.manage_token}/invite.ics")
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", count_writes)
    assert response.status_code == 200
    assert only_vevent(parse(response.data)).sequence.value == "0"
    assert writes == []
    db.session.expire_all()
    assert registration.calendar_sequence is None
