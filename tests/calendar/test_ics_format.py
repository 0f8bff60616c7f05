"""Every kind of calendar the app writes, checked on the wire (CRLF, 75-octet folds that never
split a character) and read back by vobject: text with commas, semicolons, backslashes and line
breaks comes back exactly."""

from datetime import timedelta

from app import clock
from app.audit.actor import SYSTEM
from app.extensions import db
from app.members.services import feed_token
from app.registrations.event_changes import cancel_event, change_event
from app.registrations.signup import cancel_registration
from tests.calendar.icalcheck import check_raw, only_vevent, outbox, parse, vevents
from tests.event_edits import as_input
from tests.factories import make_member

# Long enough to be folded several times, in 3-octet characters with ASCII mixed in so that the
# fold points fall at every offset within a character.
LONG_TITLE = "全国自治体リスキリングネットワーク a 第3回 定期共有会, 事例; 報告 \\ 意見交換" * 2
TRICKY_DESCRIPTION = (
    "第一行, カンマ; セミコロン\n"
    "二行目: a,b;c\\d \\n は改行ではない\n"
    "\n"
    "空行の後。URL: https://example.jp/a?b=1;c=2,3\n"
    "末尾の行" + "あ" * 60
)


def test_every_generated_calendar_is_crlf_folded_at_75_octets_without_splitting_characters(
    client, make_event, make_registration
):
    event = make_event(title=LONG_TITLE, description=TRICKY_DESCRIPTION, venue="東京都千代田区")
    other = make_event(title=LONG_TITLE + "（別回）")
    first = make_registration(event, name="長い名前" * 5, email="first@city.example.jp")
    make_registration(event, email="second@city.example.jp")
    later = timedelta(hours=3)
    change_event(
        event.id,
        as_input(event, starts_at=event.starts_at + later, ends_at=event.ends_at + later),
        actor=SYSTEM,
    )
    cancel_registration(first.manage_token, clock.now())
    db.session.commit()
    cancel_event(other.id, actor=SYSTEM)
    db.session.commit()
    member = make_member("second@city.example.jp", feed_nonce="feed-nonce-for-format-test")

    bodies = [mail.calendar_body for mail in outbox() if mail.calendar_body]
    assert {mail.calendar_method for mail in outbox() if mail.calendar_body} == {
        "REQUEST",
        "CANCEL",
    }
    for url in (
        f"/events/{event.slug}.ics",
        f"/events/{other.slug}.ics",
        "/calendar.ics",
        f"/r/{first.manage_token}/invite.ics",
        f"/feeds/{feed_token(member)}.ics",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        bodies.append(response.data)
    assert len(bodies) >= 10
    for body in bodies:
        calendar = parse(body)  # check_raw runs inside
        assert vevents(calendar)
    folded = [
        body
        for body in bodies
        if (body if isinstance(body, bytes) else body.encode()).count(b"\r\n ")
    ]
    assert len(folded) == len(bodies)  # the long texts were folded everywhere


def test_description_and_title_with_commas_semicolons_and_newlines_round_trip_exactly(
    client, make_event
):
    event = make_event(title=LONG_TITLE, description=TRICKY_DESCRIPTION)
    body = client.get(f"/events/{event.slug}.ics").data
    raw = check_raw(body)
    assert "\\," in raw and "\\;" in raw and "\\n" in raw and "\\\\" in raw
    vevent = only_vevent(parse(body))
    assert vevent.summary.value == LONG_TITLE
    assert vevent.description.value.startswith(TRICKY_DESCRIPTION + "\n")
    assert vevent.description.value.endswith(f"/events/{event.slug}")


def test_invite_text_with_commas_semicolons_and_newlines_round_trips_exactly(
    make_event, make_registration
):
    event = make_event(title=LONG_TITLE, venue="会場A, 3階; 大会議室", format="hybrid")
    make_registration(event, name="山田, 太郎; 様", email="tricky@city.example.jp")
    [mail] = outbox("registration_received")
    vevent = only_vevent(parse(mail.calendar_body))
    assert vevent.summary.value == LONG_TITLE
    assert vevent.description.value.split("\n")[0] == LONG_TITLE
    assert "会場: 会場A, 3階; 大会議室" in vevent.description.value.split("\n")
    assert vevent.location.value.startswith("会場A, 3階; 大会議室 / ")
    assert vevent.attendee.params["CN"] == ["山田, 太郎; 様"]
    [alarm] = vevent.contents["valarm"]
    assert alarm.description.value == LONG_TITLE
