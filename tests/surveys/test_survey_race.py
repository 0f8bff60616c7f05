"""Two workers sweeping at the same moment (two threads, each its own session and connection):
every attendee gets the follow-up exactly once, on SQLite and on PostgreSQL."""

import threading
from datetime import timedelta

import pytest
from sqlalchemy import func, insert, select

from app.extensions import db
from app.mail.outbox import OutboxMessage
from app.scheduling.models import JobFailure
from app.scheduling.sweep import run_sweep
from app.surveys import followups
from app.surveys.models import SurveyInvitation

ATTENDEES = 12
WORKERS = 2


def test_two_sweeps_racing_queue_each_follow_up_once(
    app, upcoming_with_attendees, make_survey, frozen_now
):
    event, people = upcoming_with_attendees(ATTENDEES)
    emails = sorted(person.email for person in people)
    make_survey(event)
    at = frozen_now(event.ends_at + timedelta(hours=1))
    db.session.commit()
    db.session.remove()  # on SQLite an open transaction would hold the write lock
    barrier = threading.Barrier(WORKERS)
    errors = []

    def worker():
        try:
            with app.app_context():
                barrier.wait()
                run_sweep(at)
                db.session.remove()
        except Exception as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=worker) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    mails = db.session.scalars(
        select(OutboxMessage.to_addr).where(OutboxMessage.category == "survey_invitation")
    ).all()
    assert sorted(mails) == emails
    assert db.session.scalar(select(func.count()).select_from(SurveyInvitation)) == ATTENDEES
    assert db.session.scalar(select(func.count()).select_from(JobFailure)) == 0


def test_an_invitation_another_worker_wrote_meanwhile_is_skipped_not_failed(
    app, upcoming_with_attendees, make_survey, frozen_now, monkeypatch
):
    """The other worker commits its invitation between this one's read and its insert: the
    unique key refuses the insert, this worker queues nothing for that person and goes on."""
    if app.database_name == "sqlite":
        pytest.skip("SQLite's write lock (BEGIN IMMEDIATE) keeps the other worker out meanwhile")
    event, people = upcoming_with_attendees(3)
    survey = make_survey(event)
    survey_id, first_id = survey.id, people[0].id
    at = frozen_now(event.ends_at + timedelta(hours=1))
    db.session.commit()
    real_may_send = followups.throttle.may_send
    raced = []

    def may_send_while_another_worker_writes(address, *args):
        if not raced:
            raced.append(address)
            with db.engine.connect() as other:  # a second connection: the other worker
                other.execute(
                    insert(SurveyInvitation).values(
                        survey_id=survey_id, registration_id=first_id, nonce="x", sent_at=at
                    )
                )
                other.commit()
        return real_may_send(address, *args)

    monkeypatch.setattr(followups.throttle, "may_send", may_send_while_another_worker_writes)
    queued = run_sweep(at)["surveys"]
    assert queued == 2
    mails = db.session.scalars(
        select(OutboxMessage.to_addr).where(OutboxMessage.category == "survey_invitation")
    ).all()
    assert people[0].email not in mails and len(mails) == 2
    assert db.session.scalar(select(func.count()).select_from(JobFailure)) == 0
