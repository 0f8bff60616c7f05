"""A member's personal feed: every published event, and where the member holds a seat their own
entry with their personal join link; the URL can be reissued, and works only while active."""

import re

from app import clock
from app.extensions import db
from app.members.models import MemberStatus
from app.members.services import (
    MembershipInput,
    apply_for_membership,
    feed_token,
    reissue_feed_token,
)
from tests.calendar.icalcheck import BASE_URL, DOMAIN, outbox, parse, vevents
from tests.factories import join_network

EMAIL = "member@city.example.jp"


def feed(client, token: str):
    return client.get(f"/feeds/{token}.ics")


def by_uid(response) -> dict:
    return {vevent.uid.value: vevent for vevent in vevents(parse(response.data))}


def test_feed_holds_the_members_own_entry_with_join_link_and_public_entries_for_the_rest(
    client, make_event, make_registration
):
    member = join_network(EMAIL, name="会員 花子")
    mine = make_event(title="申込済みの回")
    other = make_event(title="未申込の回")
    registration = make_registration(mine, email=EMAIL)
    make_registration(other, email="someone-else@city.example.jp")

    response = feed(client, feed_token(member))
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers.get("ETag")
    calendar = parse(response.data)
    assert calendar.method.value == "PUBLISH"
    entries = by_uid(response)
    assert set(entries) == {
        f"registration-{registration.id}@{DOMAIN}",
        f"event-{other.id}@{DOMAIN}",
    }

    own = entries[f"registration-{registration.id}@{DOMAIN}"]
    join_url = f"{BASE_URL}/j/{registration.join_token}"
    assert join_url in own.description.value
    assert own.summary.value == "申込済みの回"
    assert own.attendee.value.lower() == f"mailto:{EMAIL}"

    public = entries[f"event-{other.id}@{DOMAIN}"]
    assert "/j/" not in public.description.value
    assert "attendee" not in public.contents
    # Nobody else's personal link leaks into this member's feed.
    texts = [v.description.value for v in entries.values()]
    texts += [v.location.value for v in entries.values() if "location" in v.contents]
    assert set(re.findall(r"/j/([\w.-]+)", "\n".join(texts))) == {registration.join_token}


def test_welcome_mail_carries_the_feed_url(make_event):
    member = join_network(EMAIL, name="会員 花子")
    [welcome] = outbox("member_welcome")
    token = feed_token(member)
    assert f"webcal://reskilling.example.jp/feeds/{token}.ics" in welcome.text_body
    assert f"{BASE_URL}/feeds/{token}.ics" in welcome.text_body


def test_a_waitlisted_or_cancelled_registration_shows_as_the_public_entry(
    client, make_event, make_registration
):
    member = join_network(EMAIL, name="会員 花子")
    full = make_event(capacity=1)
    make_registration(full)
    waiting = make_registration(full, email=EMAIL)
    entries = by_uid(feed(client, feed_token(member)))
    assert set(entries) == {f"event-{full.id}@{DOMAIN}"}
    assert waiting.join_token not in "".join(v.description.value for v in entries.values())


def test_reissuing_the_feed_token_retires_the_old_url(client, make_event):
    member = join_network(EMAIL, name="会員 花子")
    make_event()
    old = feed_token(member)
    assert feed(client, old).status_code == 200
    new = reissue_feed_token(member)
    db.session.commit()
    assert new != old
    assert feed(client, old).status_code == 404
    assert feed(client, new).status_code == 200


def test_feed_of_an_unsubscribed_or_pending_member_is_not_found(client, make_event):
    make_event()
    member = join_network(EMAIL, name="会員 花子")
    token = feed_token(member)
    member.status = MemberStatus.UNSUBSCRIBED
    member.unsubscribed_at = clock.now()
    db.session.commit()
    assert feed(client, token).status_code == 404

    # Applying again changes nothing until the new link is confirmed: the old feed URL stays dead.
    apply_for_membership(
        MembershipInput(name="会員 花子", email=EMAIL, organization="鳥取県"), clock.now()
    )
    db.session.commit()
    assert member.status == MemberStatus.UNSUBSCRIBED
    assert feed(client, token).status_code == 404

    never_confirmed = join_network("pending@city.example.jp", name="未確認", confirm=False)
    assert never_confirmed.feed_nonce is None
    assert feed(client, f"{never_confirmed.id}.forged").status_code == 404
    assert feed(client, "garbage").status_code == 404


def test_feed_answers_304_until_the_members_registrations_change(
    client, make_event, make_registration
):
    member = join_network(EMAIL, name="会員 花子")
    event = make_event()
    etag = feed(client, feed_token(member)).headers["ETag"]
    unchanged = client.get(f"/feeds/{feed_token(member)}.ics", headers={"If-None-Match": etag})
    assert unchanged.status_code == 304 and unchanged.data == b""

    registration = make_registration(event, email=EMAIL)
    response = client.get(f"/feeds/{feed_token(member)}.ics", headers={"If-None-Match": etag})
    assert response.status_code == 200
    assert f"registration-{registration.id}@{DOMAIN}" in by_uid(response)
