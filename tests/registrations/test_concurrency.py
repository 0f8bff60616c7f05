"""Simultaneous sign-ups never overbook, on SQLite (BEGIN IMMEDIATE) and PostgreSQL (row lock)."""

import threading

from sqlalchemy import func, select

from app import clock
from app.errors import AlreadyRegistered
from app.extensions import db
from app.mail.outbox import OutboxMessage
from app.registrations.models import Registration, RegistrationStatus
from app.registrations.signup import register_attendee
from tests.factories import registration_input

SIGNUPS = 50


def sign_up_at_once(app, event_id, inputs):
    """Run register_attendee for every input in its own thread, app context and connection,
    released together by a barrier. Returns the exceptions raised."""
    barrier = threading.Barrier(len(inputs))
    errors = []
    # End the test's own transaction: on SQLite every transaction holds the write lock.
    db.session.commit()

    def worker(data):
        with app.app_context():
            barrier.wait()
            try:
                register_attendee(event_id, data, clock.now())
                db.session.commit()
            except Exception as error:  # collected and asserted on by the caller
                db.session.rollback()
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(data,)) for data in inputs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return errors


def statuses(event_id):
    rows = db.session.execute(
        select(Registration.status, func.count())
        .where(Registration.event_id == event_id)
        .group_by(Registration.status)
    )
    return dict(rows.all())


def test_fifty_simultaneous_sign_ups_for_ten_seats_confirm_exactly_ten(app, make_event):
    event = make_event(capacity=10)
    inputs = [registration_input(i) for i in range(SIGNUPS)]

    errors = sign_up_at_once(app, event.id, inputs)

    assert errors == []
    assert statuses(event.id) == {
        RegistrationStatus.CONFIRMED: 10,
        RegistrationStatus.WAITLISTED: 40,
    }
    # Each sign-up has exactly one mail, to that person, committed with it.
    per_recipient = dict(
        db.session.execute(
            select(OutboxMessage.to_addr, func.count()).group_by(OutboxMessage.to_addr)
        ).all()
    )
    assert per_recipient == {data.email: 1 for data in inputs}
    confirmed_mails = db.session.scalar(
        select(func.count())
        .select_from(OutboxMessage)
        .where(OutboxMessage.subject.like("【お申し込み完了】%"))
    )
    assert confirmed_mails == 10


def test_simultaneous_sign_ups_for_a_small_table_never_overbook_it(app, make_event):
    event = make_event(
        capacity=100,
        parts=[{"title": "第二部 情報交換会", "uses_tables": True}],
        tables=[{"title": "庁内職員向け事業", "capacity": 3}],
    )
    part_id, table_id = event.parts[0].id, event.tables[0].id
    inputs = [registration_input(i, parts=[part_id], table=table_id) for i in range(20)]
    assert sign_up_at_once(app, event.id, inputs) == []
    assert statuses(event.id) == {
        RegistrationStatus.CONFIRMED: 3,
        RegistrationStatus.WAITLISTED: 17,
    }


def test_the_same_person_submitting_twice_at_once_gets_one_registration(app, make_event):
    event = make_event()
    data = registration_input()
    errors = sign_up_at_once(app, event.id, [data] * 8)
    assert len(errors) == 7
    assert all(isinstance(error, AlreadyRegistered) for error in errors)
    assert statuses(event.id) == {RegistrationStatus.CONFIRMED: 1}
    assert db.session.scalar(select(func.count()).select_from(OutboxMessage)) == 1
