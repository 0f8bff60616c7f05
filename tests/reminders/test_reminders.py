"""Reminders arrive at their offsets, once, only to confirmed attendees who signed up in time."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from app import clock
from app.audit.actor import SYSTEM
from app.events.models import EventFormat
from app.extensions import db
from app.mail.outbox import OutboxMessage
from app.registrations.event_changes import cancel_event, change_event
from app.registrations.signup import cancel_registration
from app.reminders.rules import due_at, from_minutes, is_valid, rules_for, to_minutes
from app.scheduling.sweep import queue_reminders
from tests.event_edits import as_input

# The event starts 2026年8月31日(月) 14:00 JST = 05:00 UTC.
START = datetime(2026, 8, 31, 5, 0, tzinfo=UTC)


def reminders_to(email=None):
    query = select(OutboxMessage).where(OutboxMessage.category == "reminder")
    if email:
        query = query.where(OutboxMessage.to_addr == email)
    return list(db.session.scalars(query.order_by(OutboxMessage.id)))


def sweep_at(frozen_now, moment):
    frozen_now(moment)
    queued = queue_reminders(clock.now())
    db.session.commit()
    return queued


def online_event(make_event, **fields):
    values = {
        "starts_at": START,
        "ends_at": START + timedelta(hours=2),
        "format": EventFormat.ONLINE,
        "meeting_url": "https://meet.example.jp/secret-room",
    }
    values.update(fields)
    return make_event(**values)


def test_rules_parse_and_default_to_seven_and_one_day_at_ten_plus_an_hour_for_online(
    app, make_event
):
    assert is_valid("7d@10:00") and is_valid("60m") and not is_valid("7d") and not is_valid("25:00")
    online = online_event(make_event)
    in_person = make_event(format=EventFormat.IN_PERSON, venue="鳥取県庁")
    assert rules_for(online) == ["7d@10:00", "1d@10:00", "60m"]
    assert rules_for(in_person) == ["7d@10:00", "1d@10:00"]
    assert due_at("7d@10:00", START, "Asia/Tokyo") == datetime(2026, 8, 24, 1, 0, tzinfo=UTC)
    assert due_at("60m", START, "Asia/Tokyo") == START - timedelta(hours=1)
    assert to_minutes(from_minutes([1440, 30]), START, "Asia/Tokyo") == [1440, 30]


def test_each_reminder_goes_out_at_its_time_once(app, make_event, make_registration, frozen_now):
    event = online_event(make_event)
    registration = make_registration(event)
    assert sweep_at(frozen_now, datetime(2026, 8, 24, 0, 59, tzinfo=UTC)) == 0  # 09:59 JST
    assert sweep_at(frozen_now, datetime(2026, 8, 24, 1, 0, tzinfo=UTC)) == 1  # 10:00 JST, 7 days
    assert sweep_at(frozen_now, datetime(2026, 8, 24, 1, 1, tzinfo=UTC)) == 0  # not again
    assert sweep_at(frozen_now, datetime(2026, 8, 30, 1, 0, tzinfo=UTC)) == 1  # 1 day before
    assert sweep_at(frozen_now, START - timedelta(minutes=60)) == 1  # an hour before
    assert sweep_at(frozen_now, START - timedelta(minutes=1)) == 0
    mails = reminders_to(registration.email)
    assert len(mails) == 3
    assert all(
        "【リマインド】" in m.subject and "2026年8月31日(月) 14:00〜16:00" in m.subject
        for m in mails
    )
    # The last one leads with the personal join link, never the meeting URL itself.
    assert f"/j/{registration.join_token}" in mails[-1].text_body.split("\n\n")[1]
    assert not any("secret-room" in m.text_body for m in mails)


def test_nobody_cancelled_or_waitlisted_gets_a_reminder(
    app, make_event, make_registration, frozen_now
):
    event = online_event(make_event, capacity=1)
    confirmed = make_registration(event)
    waiting = make_registration(event)
    leaver = make_registration(online_event(make_event))
    cancel_registration(leaver.manage_token, clock.now())
    db.session.commit()
    sweep_at(frozen_now, datetime(2026, 8, 24, 1, 0, tzinfo=UTC))
    assert [m.to_addr for m in reminders_to()] == [confirmed.email]
    assert waiting.status == "waitlisted"


def test_a_late_sign_up_never_gets_a_stale_reminder(app, make_event, make_registration, frozen_now):
    event = online_event(make_event)
    frozen_now(datetime(2026, 8, 27, 3, 0, tzinfo=UTC))  # after the 7-day reminder time
    late = make_registration(event)
    assert sweep_at(frozen_now, datetime(2026, 8, 27, 3, 1, tzinfo=UTC)) == 0
    assert sweep_at(frozen_now, datetime(2026, 8, 30, 1, 0, tzinfo=UTC)) == 1  # but the 1-day one
    assert len(reminders_to(late.email)) == 1


def test_after_downtime_only_the_latest_due_reminder_is_sent(
    app, make_event, make_registration, frozen_now
):
    event = online_event(make_event)
    registration = make_registration(event)
    # The worker was down from before the 7-day reminder until after the 1-day one.
    assert sweep_at(frozen_now, datetime(2026, 8, 30, 2, 0, tzinfo=UTC)) == 1
    [mail] = reminders_to(registration.email)
    assert sweep_at(frozen_now, datetime(2026, 8, 30, 2, 1, tzinfo=UTC)) == 0
    assert mail.category == "reminder"


def test_moving_the_event_moves_its_reminders(app, make_event, make_registration, frozen_now):
    event = online_event(make_event)
    make_registration(event)
    change_event(
        event.id,
        as_input(
            event, starts_at=START + timedelta(days=7), ends_at=START + timedelta(days=7, hours=2)
        ),
        actor=SYSTEM,
    )
    db.session.commit()
    assert sweep_at(frozen_now, datetime(2026, 8, 24, 1, 0, tzinfo=UTC)) == 0  # the old time
    assert sweep_at(frozen_now, datetime(2026, 8, 31, 1, 0, tzinfo=UTC)) == 1  # the new one


def test_cancelling_the_event_stops_its_reminders(app, make_event, make_registration, frozen_now):
    event = online_event(make_event)
    make_registration(event)
    cancel_event(event.id, actor=SYSTEM)
    db.session.commit()
    assert sweep_at(frozen_now, datetime(2026, 8, 24, 1, 0, tzinfo=UTC)) == 0


def test_organizer_rules_replace_the_defaults(app, make_event, make_registration, frozen_now):
    event = online_event(make_event, reminder_rules=["2d@09:00"])
    make_registration(event)
    assert sweep_at(frozen_now, datetime(2026, 8, 24, 1, 0, tzinfo=UTC)) == 0
    assert sweep_at(frozen_now, datetime(2026, 8, 29, 0, 0, tzinfo=UTC)) == 1  # 29日 09:00 JST


def test_two_sweeps_at_once_send_each_reminder_once(app, make_event, make_registration, frozen_now):
    import threading

    event = online_event(make_event)
    for _ in range(5):
        make_registration(event)
    frozen_now(datetime(2026, 8, 24, 1, 0, tzinfo=UTC))
    db.session.commit()
    barrier = threading.Barrier(2)

    def sweep():
        with app.app_context():
            barrier.wait()
            try:
                queue_reminders(clock.now())
                db.session.commit()
            except Exception:
                db.session.rollback()  # the unique key refused the loser's copy
            finally:
                db.session.remove()

    threads = [threading.Thread(target=sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(reminders_to()) == 5
