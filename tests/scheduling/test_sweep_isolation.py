"""One poisoned item never stops the minute's sweep: an event whose stored reminder rules the
code cannot read (written straight into the database) is recorded, shown in /readyz, /metrics and the
console, retried with backoff and cleared once it succeeds, while every other event's reminders,
a scheduled announcement and the half-yearly notice go out at their time."""

from datetime import time, timedelta

from sqlalchemy import select, update

from app import clock
from app.events.models import Event, EventKind
from app.extensions import db
from app.mail.delivery import deliver_due
from app.mail.outbox import OutboxMessage, OutboxStatus
from app.notices.schedule import notice_time
from app.scheduling import jobs, sweep
from app.scheduling.models import JobFailure
from tests.conftest import sign_in
from tests.factories import make_announcement, make_member

# 1 October 2026 (a Thursday) 10:00 JST: the October notice is due, and so is the 7-day reminder
# of events starting 8 October 14:00 JST.
AT = notice_time(2026, 10, time(10), "Asia/Tokyo")
START = AT + timedelta(days=7, hours=4)
POISON = ["7d@10:00", "毎週"]  # a rule no input model lets through: due_at() refuses it
MENDED = ["7d@10:00"]


def outbox(category, addresses=None):
    query = select(OutboxMessage.to_addr).where(OutboxMessage.category == category)
    if addresses is not None:
        query = query.where(OutboxMessage.to_addr.in_(addresses))
    return sorted(db.session.scalars(query))


def set_rules(event_id, rules):
    # Straight into the table, past every input check, as an old row or another door might.
    db.session.execute(update(Event).where(Event.id == event_id).values(reminder_rules=rules))
    db.session.commit()


def run_sweep(app, monkeypatch, frozen_now, moment):
    frozen_now(moment)
    db.session.commit()  # the sweep has a session of its own: SQLite's write lock must be free
    jobs.sweep()
    db.session.expire_all()


def failures():
    return list(db.session.scalars(select(JobFailure).order_by(JobFailure.id)))


def world(make_event, make_registration):
    """Two events with a reminder due at AT, one poisoned; an announcement and a notice due."""
    times = {"starts_at": START, "ends_at": START + timedelta(hours=2)}
    good = make_event(kind=EventKind.SHARING_SESSION, **times)
    bad = make_event(**times)
    good_people = [make_registration(good).email for _ in range(2)]
    bad_people = [make_registration(bad).email for _ in range(2)]
    make_announcement(
        {"kind": "event_registrants", "event_id": good.id}, "ご案内", "{name} 様", send_at=AT
    )
    make_member("member@pref.tottori.example.jp")
    deliver_due(clock.now())  # the confirmations, so that what is left is the sweep's doing
    set_rules(bad.id, POISON)
    return good.id, bad.id, good_people, bad_people


def test_a_poisoned_event_is_recorded_and_everything_else_goes_out_on_time(
    app, client, make_event, make_registration, make_organizer, monkeypatch, frozen_now
):
    good_id, bad_id, good_people, bad_people = world(make_event, make_registration)

    run_sweep(app, monkeypatch, frozen_now, AT)

    assert outbox("reminder") == sorted(good_people)
    assert outbox("announcement") == sorted(good_people)
    assert outbox("half_year_notice") == ["member@pref.tottori.example.jp"]
    assert deliver_due(clock.now()) == 5  # and they really leave
    assert not db.session.scalar(
        select(OutboxMessage.id).where(OutboxMessage.status != OutboxStatus.SENT)
    )
    [failure] = failures()
    assert (failure.job, failure.item_key, failure.attempts) == ("reminders", f"event:{bad_id}", 1)
    assert failure.error.startswith("ValueError: not a reminder rule")
    assert (failure.first_failed_at, failure.next_retry_at) == (AT, AT + timedelta(seconds=30))

    ready = client.get("/readyz").get_json()
    assert ready["checks"]["jobs"]["alert"] is True
    assert ready["checks"]["jobs"]["failing_items"] == 1
    [item] = ready["checks"]["jobs"]["items"]
    assert (item["job"], item["item"]) == ("reminders", f"event:{bad_id}")
    assert ready["alerts"] == ["jobs: 1 failing item(s)"]
    metrics = client.get("/metrics").get_data(as_text=True)
    assert 'jobs_failing_items{job="reminders"} 1' in metrics
    assert 'jobs_failing_items{job="announcements"} 0' in metrics

    page = sign_in(client, make_organizer()).get("/admin/mail-history").get_data(as_text=True)
    assert "自動送信で準備できなかったもの" in page
    assert f"event:{bad_id}" in page
    assert "失敗: ValueError: not a reminder rule" in page


def test_a_failed_item_waits_for_its_backoff_and_is_cleared_once_it_succeeds(
    app, client, make_event, make_registration, monkeypatch, frozen_now
):
    good_id, bad_id, good_people, bad_people = world(make_event, make_registration)
    run_sweep(app, monkeypatch, frozen_now, AT)

    run_sweep(app, monkeypatch, frozen_now, AT + timedelta(seconds=10))  # not due again yet
    [failure] = failures()
    assert failure.attempts == 1
    run_sweep(app, monkeypatch, frozen_now, AT + timedelta(seconds=30))  # still poisoned
    [failure] = failures()
    assert failure.attempts == 2
    assert failure.next_retry_at == AT + timedelta(seconds=90)
    assert outbox("reminder", bad_people) == []

    set_rules(bad_id, MENDED)  # the organizer corrects it
    run_sweep(app, monkeypatch, frozen_now, AT + timedelta(seconds=90))
    assert outbox("reminder", bad_people) == sorted(bad_people)
    assert outbox("reminder") == sorted(good_people + bad_people)  # nobody got one twice
    assert len(outbox("announcement")) == 2
    assert len(outbox("half_year_notice")) == 1
    assert failures() == []
    ready = client.get("/readyz").get_json()
    assert ready["checks"]["jobs"] == {"ok": True, "alert": False, "failing_items": 0, "items": []}
    assert ready["alerts"] == []
    assert 'jobs_failing_items{job="reminders"} 0' in client.get("/metrics").get_data(as_text=True)


def test_a_step_that_fails_as_a_whole_is_recorded_and_the_next_steps_still_run(
    app, make_event, make_registration, monkeypatch, frozen_now
):
    good_id, bad_id, good_people, bad_people = world(make_event, make_registration)

    def broken(now):
        raise RuntimeError("database went away")

    monkeypatch.setattr(sweep, "events_with_due_reminders", broken)
    run_sweep(app, monkeypatch, frozen_now, AT)
    assert outbox("reminder") == []
    assert outbox("announcement") == sorted(good_people)
    assert outbox("half_year_notice") == ["member@pref.tottori.example.jp"]
    [failure] = failures()
    assert (failure.job, failure.item_key) == ("reminders", "step")
    assert failure.error == "RuntimeError: database went away"


def test_a_failure_nobody_retries_any_more_is_forgotten_after_a_week(app, monkeypatch, frozen_now):
    db.session.add(
        JobFailure(
            job="reminders",
            item_key="event:99",
            error="ValueError: x",
            first_failed_at=AT,
            last_failed_at=AT,
            next_retry_at=AT + timedelta(seconds=30),
        )
    )
    db.session.commit()
    run_sweep(app, monkeypatch, frozen_now, AT + timedelta(days=6))
    assert len(failures()) == 1
    run_sweep(app, monkeypatch, frozen_now, AT + timedelta(days=7, minutes=1))
    assert failures() == []
