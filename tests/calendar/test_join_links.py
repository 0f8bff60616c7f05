"""The personal join link /j/<token>: it says when it opens, then redirects to the event's
current meeting URL (counting the click), and refuses anyone without a confirmed seat."""

from datetime import timedelta

from app import clock
from app.audit.actor import SYSTEM
from app.extensions import db
from app.registrations.event_changes import cancel_event, change_event
from app.registrations.join_links import revoke_join_link
from app.registrations.models import Registration
from app.registrations.signup import cancel_registration, resend_confirmation
from tests.calendar.icalcheck import MEETING_HOST, invite_of, only_vevent, outbox
from tests.event_edits import as_input


def join(client, registration):
    return client.get(f"/j/{registration.join_token}")


def reload(registration) -> Registration:
    db.session.expire_all()
    return db.session.get(Registration, registration.id)


def test_before_the_window_the_page_says_when_the_link_opens(client, make_event, make_registration):
    event = make_event()
    registration = make_registration(event)
    response = join(client, registration)
    assert response.status_code == 200
    assert "Location" not in response.headers
    page = response.get_data(as_text=True)
    assert "2026年8月31日(月) 09:30" in page  # 30 minutes before 10:00 JST
    assert MEETING_HOST not in page
    assert reload(registration).join_count == 0


def test_the_link_opens_exactly_join_opens_minutes_before_the_start(
    app, client, make_event, make_registration, frozen_now
):
    event = make_event()
    registration = make_registration(event)
    minutes = app.config["JOIN_OPENS_MINUTES_BEFORE"]
    assert minutes == 30
    frozen_now(event.starts_at - timedelta(minutes=minutes, seconds=1))
    assert join(client, registration).status_code == 200
    frozen_now(event.starts_at - timedelta(minutes=minutes))
    assert join(client, registration).status_code == 302


def test_within_the_window_it_redirects_to_the_current_meeting_url_and_counts_clicks(
    client, make_event, make_registration, frozen_now
):
    event = make_event()
    registration = make_registration(event)
    frozen_now(event.starts_at - timedelta(minutes=10))

    response = join(client, registration)
    assert response.status_code == 302
    assert response.headers["Location"] == event.meeting_url
    joined = reload(registration)
    assert joined.join_count == 1
    assert joined.last_joined_at == event.starts_at - timedelta(minutes=10)

    mails_before = len(outbox())
    new_url = f"https://{MEETING_HOST}/moved-room?pwd=new"
    assert change_event(event.id, as_input(event, meeting_url=new_url), actor=SYSTEM).mailed == 0
    db.session.commit()
    assert len(outbox()) == mails_before  # a new meeting URL needs no mail: the link follows it

    moved = join(client, registration)
    assert moved.status_code == 302
    assert moved.headers["Location"] == new_url
    assert reload(registration).join_count == 2


def test_the_link_still_works_just_after_the_end_then_says_it_ended(
    client, make_event, make_registration, frozen_now
):
    event = make_event()
    registration = make_registration(event)
    frozen_now(event.ends_at + timedelta(minutes=59))
    assert join(client, registration).status_code == 302
    frozen_now(event.ends_at + timedelta(hours=1, minutes=1))
    response = join(client, registration)
    assert response.status_code == 200
    assert "Location" not in response.headers


def test_without_a_meeting_url_yet_the_page_asks_to_come_back(
    client, make_event, make_registration, frozen_now
):
    event = make_event(meeting_url="")
    registration = make_registration(event)
    frozen_now(event.starts_at - timedelta(minutes=5))
    response = join(client, registration)
    assert response.status_code == 200
    assert "Location" not in response.headers


def test_after_the_registration_is_cancelled_the_link_is_refused(
    client, make_event, make_registration, frozen_now
):
    event = make_event()
    registration = make_registration(event)
    cancel_registration(registration.manage_token, clock.now())
    db.session.commit()
    frozen_now(event.starts_at - timedelta(minutes=5))
    response = join(client, registration)
    assert response.status_code == 403
    assert "Location" not in response.headers
    assert MEETING_HOST not in response.get_data(as_text=True)
    assert reload(registration).join_count == 0


def test_a_waitlisted_person_is_refused(client, make_event, make_registration, frozen_now):
    event = make_event(capacity=1)
    make_registration(event)
    waiting = make_registration(event)
    frozen_now(event.starts_at - timedelta(minutes=5))
    response = join(client, waiting)
    assert response.status_code == 403
    assert "Location" not in response.headers


def test_after_the_event_is_cancelled_the_link_is_refused(
    client, make_event, make_registration, frozen_now
):
    event = make_event()
    registration = make_registration(event)
    cancel_event(event.id, actor=SYSTEM)
    db.session.commit()
    frozen_now(event.starts_at - timedelta(minutes=5))
    response = join(client, registration)
    assert response.status_code == 403
    assert "Location" not in response.headers


def test_a_revoked_link_is_not_found_and_the_new_one_works(
    client, make_event, make_registration, frozen_now
):
    event = make_event()
    registration = make_registration(event)
    old_token = registration.join_token
    revoke_join_link(registration)
    db.session.commit()
    new_token = reload(registration).join_token
    assert new_token != old_token

    frozen_now(event.starts_at - timedelta(minutes=5))
    assert client.get(f"/j/{old_token}").status_code == 404
    response = client.get(f"/j/{new_token}")
    assert response.status_code == 302
    assert response.headers["Location"] == event.meeting_url
    # The management link is untouched by revoking the join link.
    assert client.get(f"/r/{registration.manage_token}").status_code == 200

    # The next mail, and its invite, carry the new link only.
    assert resend_confirmation(event.id, registration.email)
    db.session.commit()
    resent = outbox("registration_received")[-1]
    assert f"/j/{new_token}" in resent.text_body and f"/j/{old_token}" not in resent.text_body
    description = only_vevent(invite_of(resent)).description.value
    assert f"/j/{new_token}" in description and f"/j/{old_token}" not in description


def test_forged_and_garbage_tokens_are_not_found(client, make_event, make_registration, frozen_now):
    event = make_event()
    registration = make_registration(event)
    frozen_now(event.starts_at - timedelta(minutes=5))
    row_id = registration.id
    for token in (
        "garbage",
        "1",
        f"{row_id}.",
        f"{row_id}.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",
        f"{row_id + 1}.{registration.join_token.split('.', 1)[1]}",
        registration.manage_token,  # a real token, but for the management page
        "９.abc",
        "1." + "A" * 200,
    ):
        response = client.get(f"/j/{token}")
        assert response.status_code == 404, token
        assert "Location" not in response.headers
    assert reload(registration).join_count == 0
