"""Webhooks: deliveries written with the change that causes them (one per event, with the final
state), POSTed by the worker to a real receiver on 127.0.0.1, signed so the receiver can verify,
retried with backoff after failures, and delivered exactly once. (The receivers are plain http on
loopback: the `receiver` fixture turns on WEBHOOK_ALLOW_INSECURE for them.)"""

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from app import clock
from app.audit.actor import SYSTEM
from app.errors import AlreadyRegistered
from app.extensions import db
from app.registrations.event_changes import cancel_event, change_event
from app.registrations.organizer_actions import admin_cancel_registration
from app.registrations.signup import register_attendee
from app.scheduling import jobs
from app.scheduling.jobs import run_webhook_round
from app.webhooks.delivery import (
    SIGNATURE_HEADER,
    body_bytes,
    signature_header,
    verify_signature,
)
from app.webhooks.models import EVENT_TYPES, DeliveryStatus, WebhookDelivery
from app.webhooks.services import create_endpoint, delete_endpoint
from tests.conftest import NOW
from tests.event_edits import as_input
from tests.factories import registration_input


@pytest.fixture
def endpoint(app):
    row = create_endpoint("https://hooks.example.jp/reskilling", list(EVENT_TYPES))
    db.session.commit()
    return row


def deliveries(**conditions):
    query = select(WebhookDelivery).order_by(WebhookDelivery.id)
    for name, value in conditions.items():
        query = query.where(getattr(WebhookDelivery, name) == value)
    return db.session.scalars(query).all()


def test_a_sign_up_emits_one_created_delivery_with_its_final_status(endpoint, make_event):
    event = make_event(capacity=1)
    register_attendee(event.id, registration_input(1), clock.now())
    db.session.commit()
    register_attendee(event.id, registration_input(2), clock.now())
    db.session.commit()
    rows = deliveries()
    assert [row.event_type for row in rows] == ["registration.created"] * 2
    statuses = [row.payload["data"]["registration"]["status"] for row in rows]
    assert statuses == ["confirmed", "waitlisted"]
    assert rows[0].payload["type"] == "registration.created"
    assert rows[0].payload["created_at"] == "2026-08-01T10:00:00+09:00"
    assert rows[0].status == DeliveryStatus.QUEUED


def test_a_refused_sign_up_emits_nothing(endpoint, make_event, make_registration):
    event = make_event()
    make_registration(event, email="person1@city.example.jp")
    before = len(deliveries())
    with pytest.raises(AlreadyRegistered):
        register_attendee(event.id, registration_input(1), clock.now())
    db.session.rollback()
    db.session.commit()
    assert len(deliveries()) == before


def test_a_cancellation_emits_cancelled_and_the_promotion_it_causes(
    endpoint, make_event, make_registration
):
    event = make_event(capacity=1)
    seated = make_registration(event)
    waiting = make_registration(event)
    db.session.query(WebhookDelivery).delete()
    db.session.commit()
    admin_cancel_registration(seated.id, clock.now(), actor=SYSTEM)
    db.session.commit()
    emitted = {(row.event_type, row.payload["data"]["registration"]["id"]) for row in deliveries()}
    assert emitted == {("registration.cancelled", seated.id), ("registration.promoted", waiting.id)}


def test_event_changes_emit_updated_and_cancelled_but_not_for_drafts_or_wording(
    endpoint, make_event
):
    event = make_event()
    change_event(event.id, as_input(event, description="誤字を直しました"), actor=SYSTEM)
    db.session.commit()
    assert deliveries() == []
    change_event(
        event.id,
        as_input(
            event, starts_at=NOW + timedelta(days=31), ends_at=NOW + timedelta(days=31, hours=2)
        ),
        actor=SYSTEM,
    )
    db.session.commit()
    [updated] = deliveries()
    assert updated.event_type == "event.updated"
    assert updated.payload["data"]["event"]["starts_at"] == "2026-09-01T10:00:00+09:00"
    cancel_event(event.id, actor=SYSTEM)
    db.session.commit()
    assert [row.event_type for row in deliveries()] == ["event.updated", "event.cancelled"]

    draft = make_event(status="draft")
    change_event(draft.id, as_input(draft, venue="本庁舎"), actor=SYSTEM)
    db.session.commit()
    assert len(deliveries()) == 2


def test_only_active_endpoints_that_asked_for_the_type_get_it(app, make_event):
    cancellations = create_endpoint("https://a.example.jp/", ["registration.cancelled"])
    paused = create_endpoint("https://b.example.jp/", list(EVENT_TYPES))
    paused.active = False
    everything = create_endpoint("https://c.example.jp/", list(EVENT_TYPES))
    db.session.commit()
    register_attendee(make_event().id, registration_input(1), clock.now())
    db.session.commit()
    assert [row.endpoint_id for row in deliveries()] == [everything.id]
    assert cancellations.id and paused.id


def test_the_signature_is_an_hmac_of_time_and_body_that_a_receiver_can_verify():
    body = body_bytes({"type": "registration.created", "data": {"名前": "山田"}})
    header = signature_header("whsec_test", 1_785_000_000, body)
    assert verify_signature("whsec_test", header, body, now=1_785_000_010)
    assert not verify_signature("whsec_other", header, body, now=1_785_000_010)
    assert not verify_signature("whsec_test", header, body + b" ", now=1_785_000_010)
    assert not verify_signature("whsec_test", header, body, now=1_785_000_000 + 3600)
    assert not verify_signature("whsec_test", "t=abc,v1=00", body, now=1_785_000_000)


def test_a_receiver_gets_each_event_once_verified_even_after_answering_500_twice(
    app, receiver, make_event, frozen_now
):
    hooks = receiver([500, 500])
    endpoint = create_endpoint(hooks.url, list(EVENT_TYPES))
    secret = endpoint.secret
    event = make_event(capacity=1)
    register_attendee(event.id, registration_input(1), clock.now())
    db.session.commit()

    assert run_webhook_round(clock.now()) == 0  # 500
    assert run_webhook_round(clock.now()) == 0  # not due again yet
    [row] = deliveries()
    assert (row.status, row.attempts, row.last_error) == (DeliveryStatus.QUEUED, 1, "HTTP 500")
    assert row.next_attempt_at == NOW + timedelta(seconds=30)
    frozen_now(NOW + timedelta(seconds=30))
    assert run_webhook_round(clock.now()) == 0  # 500 again; next try a minute later
    frozen_now(NOW + timedelta(seconds=89))
    assert run_webhook_round(clock.now()) == 0
    frozen_now(NOW + timedelta(seconds=90))
    assert run_webhook_round(clock.now()) == 1
    frozen_now(NOW + timedelta(hours=2))
    assert run_webhook_round(clock.now()) == 0  # delivered: never sent again

    db.session.refresh(row)
    assert (row.status, row.attempts, row.delivered_at) == (
        DeliveryStatus.DELIVERED,
        3,
        NOW + timedelta(seconds=90),
    )
    assert len(hooks.requests) == 3
    ids = {headers["X-Reskilling-Delivery"] for headers, _ in hooks.requests}
    assert ids == {str(row.id)}  # the same id on every attempt: receivers can drop repeats
    headers, body = hooks.requests[-1]
    assert headers["X-Reskilling-Event"] == "registration.created"
    assert headers["Content-Type"] == "application/json"
    timestamp = int(NOW.timestamp()) + 90
    assert verify_signature(secret, headers[SIGNATURE_HEADER], body, now=timestamp)
    payload = json.loads(body)
    assert payload["data"]["registration"]["email"] == "person1@city.example.jp"
    assert payload["data"]["registration"]["status"] == "confirmed"


def test_every_event_type_reaches_the_receiver_once(app, receiver, make_event, make_registration):
    hooks = receiver()
    create_endpoint(hooks.url, list(EVENT_TYPES))
    db.session.commit()
    event = make_event(capacity=1)
    seated = make_registration(event)
    make_registration(event)
    admin_cancel_registration(seated.id, clock.now(), actor=SYSTEM)
    db.session.commit()
    change_event(event.id, as_input(event, venue="本庁舎", format="hybrid"), actor=SYSTEM)
    db.session.commit()
    cancel_event(event.id, actor=SYSTEM)
    db.session.commit()
    assert run_webhook_round(clock.now()) == 6
    assert run_webhook_round(clock.now()) == 0
    types = [payload["type"] for payload in hooks.accepted()]
    assert sorted(types) == sorted(
        [
            "registration.created",
            "registration.created",
            "registration.cancelled",
            "registration.promoted",
            "event.updated",
            "event.cancelled",
        ]
    )
    assert len({payload["id"] for payload in hooks.accepted()}) == 6


def test_a_receiver_that_never_answers_2xx_is_given_up_after_the_last_attempt(
    app, receiver, make_event, frozen_now
):
    app.config["WEBHOOK_MAX_ATTEMPTS"] = 3
    hooks = receiver([503] * 10)
    create_endpoint(hooks.url, ["registration.created"])
    db.session.commit()
    register_attendee(make_event().id, registration_input(1), clock.now())
    db.session.commit()
    moment = NOW
    for _ in range(5):
        run_webhook_round(moment)
        moment += timedelta(hours=1)
        frozen_now(moment)
    [row] = deliveries()
    assert (row.status, row.attempts, row.last_error) == (DeliveryStatus.FAILED, 3, "HTTP 503")
    assert len(hooks.requests) == 3


def test_an_unreachable_or_redirecting_receiver_counts_as_a_failed_attempt(
    app, receiver, make_event
):
    hooks = receiver([302])
    create_endpoint(hooks.url, ["registration.created"])
    create_endpoint("http://127.0.0.1:9/closed", ["registration.created"])
    db.session.commit()
    register_attendee(make_event().id, registration_input(1), clock.now())
    db.session.commit()
    assert run_webhook_round(clock.now()) == 0
    redirected, refused = deliveries()
    assert redirected.last_error == "redirect"
    assert refused.last_error == "connect"
    assert all(row.status == DeliveryStatus.QUEUED for row in deliveries())


def test_a_delivery_left_sending_by_a_dead_worker_is_retried(app, receiver, make_event, frozen_now):
    hooks = receiver()
    create_endpoint(hooks.url, ["registration.created"])
    db.session.commit()
    register_attendee(make_event().id, registration_input(1), clock.now())
    db.session.commit()
    [row] = deliveries()
    row.status = DeliveryStatus.SENDING
    row.claimed_until = NOW + timedelta(minutes=5)
    db.session.commit()
    assert run_webhook_round(clock.now()) == 0  # still leased to the other worker
    frozen_now(NOW + timedelta(minutes=6))
    assert run_webhook_round(clock.now()) == 1  # the lease ran out: retaken and sent
    db.session.refresh(row)
    # The lost attempt counts, so a delivery that kills workers cannot loop forever.
    assert (row.status, row.attempts) == (DeliveryStatus.DELIVERED, 2)
    assert len(hooks.requests) == 1


def test_the_schedulers_webhook_job_delivers_due_webhooks_and_the_sweep_leaves_them(
    app, receiver, make_event, monkeypatch
):
    hooks = receiver()
    create_endpoint(hooks.url, ["registration.created"])
    db.session.commit()
    register_attendee(make_event().id, registration_input(1), clock.now())
    db.session.commit()
    jobs.sweep()
    assert hooks.accepted() == []  # the minute's sweep is not what delivers them
    jobs.deliver_webhooks()
    assert [payload["type"] for payload in hooks.accepted()] == ["registration.created"]


def test_deliveries_go_with_their_endpoint(app, endpoint, make_event):
    register_attendee(make_event().id, registration_input(1), clock.now())
    db.session.commit()
    assert len(deliveries()) == 1
    delete_endpoint(endpoint.id)
    db.session.commit()
    assert deliveries() == []
