"""What the attendee's calendar entries cover: the stretch of the parts they chose (one entry
for parts back to back, one per stretch when hours lie between), and whole days for all-day
events (DATE values, DTEND exclusive)."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from app.events.models import EventPart
from app.extensions import db
from tests.calendar.icalcheck import (
    DOMAIN,
    invite_of,
    is_date_only,
    only_vevent,
    outbox,
    parse,
    utc,
    vevents,
)

JST = ZoneInfo("Asia/Tokyo")


def jst(hour: int, minute: int = 0, day: int = 31, month: int = 8) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=JST)


def two_part_event(make_event):
    return make_event(
        starts_at=jst(14),
        ends_at=jst(16, 30),
        parts=[
            {"title": "第一部 基調講演", "starts_at": jst(14), "ends_at": jst(15)},
            {"title": "第二部 情報交換会", "starts_at": jst(15, 10), "ends_at": jst(16, 30)},
        ],
    )


def part_ids(event, *titles_starting) -> list[int]:
    parts = db.session.scalars(select(EventPart).where(EventPart.event_id == event.id)).all()
    return [p.id for prefix in titles_starting for p in parts if p.title.startswith(prefix)]


def invite_for(email: str):
    [mail] = outbox("registration_received", to=email)
    return invite_of(mail)


def test_both_adjacent_parts_make_one_entry_from_the_first_start_to_the_last_end(
    make_event, make_registration
):
    event = two_part_event(make_event)
    registration = make_registration(
        event, email="both@city.example.jp", part_ids=part_ids(event, "第一部", "第二部")
    )
    vevent = only_vevent(invite_for("both@city.example.jp"))
    assert vevent.uid.value == f"registration-{registration.id}@{DOMAIN}"
    assert utc(vevent.dtstart.value) == jst(14)
    assert utc(vevent.dtend.value) == jst(16, 30)
    assert vevent.summary.value == event.title
    assert "第一部 基調講演（14:00〜15:00）" in vevent.description.value
    assert "第二部 情報交換会（15:10〜16:30）" in vevent.description.value


def test_only_the_second_part_gives_one_entry_for_that_part(make_event, make_registration):
    event = two_part_event(make_event)
    make_registration(event, email="second@city.example.jp", part_ids=part_ids(event, "第二部"))
    vevent = only_vevent(invite_for("second@city.example.jp"))
    assert utc(vevent.dtstart.value) == jst(15, 10)
    assert utc(vevent.dtend.value) == jst(16, 30)
    assert "第一部" not in vevent.description.value


def test_parts_hours_apart_give_one_entry_each_with_its_own_uid(make_event, make_registration):
    event = make_event(
        starts_at=jst(10),
        ends_at=jst(17),
        parts=[
            {"title": "第一部 基調講演", "starts_at": jst(10), "ends_at": jst(11)},
            {"title": "第二部 事例発表", "starts_at": jst(11, 10), "ends_at": jst(12)},
            {"title": "第三部 情報交換会", "starts_at": jst(15), "ends_at": jst(17)},
        ],
    )
    first, third = part_ids(event, "第一部", "第三部")
    registration = make_registration(event, email="gap@city.example.jp", part_ids=[third, first])
    calendar = invite_for("gap@city.example.jp")
    entries = sorted(vevents(calendar), key=lambda v: utc(v.dtstart.value))
    assert len(entries) == 2
    morning, afternoon = entries
    assert morning.uid.value != afternoon.uid.value
    assert morning.uid.value == f"registration-{registration.id}-part-{first}@{DOMAIN}"
    assert afternoon.uid.value == f"registration-{registration.id}-part-{third}@{DOMAIN}"
    assert (utc(morning.dtstart.value), utc(morning.dtend.value)) == (jst(10), jst(11))
    assert (utc(afternoon.dtstart.value), utc(afternoon.dtend.value)) == (jst(15), jst(17))
    assert "第一部" in morning.summary.value and "第三部" in afternoon.summary.value
    assert all(int(v.sequence.value) == 0 for v in entries)
    assert all("valarm" in v.contents for v in entries)


def test_all_day_event_is_dated_with_an_exclusive_end_in_invite_and_download(
    client, make_event, make_registration
):
    event = make_event(all_day=True, starts_at=jst(9), ends_at=jst(17), title="共同宣言の日")
    make_registration(event, email="allday@city.example.jp")
    invite = invite_for("allday@city.example.jp")
    download = parse(client.get(f"/events/{event.slug}.ics").data)
    for calendar in (invite, download):
        vevent = only_vevent(calendar)
        assert is_date_only(vevent.dtstart.value), repr(vevent.dtstart.value)
        assert is_date_only(vevent.dtend.value), repr(vevent.dtend.value)
        assert vevent.dtstart.value == date(2026, 8, 31)
        assert vevent.dtend.value == date(2026, 9, 1)
    [mail] = outbox("registration_received", to="allday@city.example.jp")
    assert "\r\nDTSTART;VALUE=DATE:20260831\r\n" in mail.calendar_body
    assert "\r\nDTEND;VALUE=DATE:20260901\r\n" in mail.calendar_body


def test_all_day_event_over_two_days_ends_the_day_after_the_last(make_event, make_registration):
    event = make_event(all_day=True, starts_at=jst(9), ends_at=jst(17, day=1, month=9))
    make_registration(event, email="twodays@city.example.jp")
    vevent = only_vevent(invite_for("twodays@city.example.jp"))
    assert vevent.dtstart.value == date(2026, 8, 31)
    assert vevent.dtend.value == date(2026, 9, 2)
    assert vevent.dtend.value - vevent.dtstart.value == timedelta(days=2)
