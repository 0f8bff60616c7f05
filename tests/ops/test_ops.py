"""Health, readiness, metrics, request logs, backups and retention."""

import logging
import os
import sqlite3
from datetime import timedelta

from sqlalchemy import select

from app import clock
from app.audit.actor import SYSTEM
from app.extensions import db
from app.inquiries.models import Inquiry
from app.inquiries.services import InquiryInput, submit_inquiry
from app.mail.outbox import OutboxMessage
from app.ops.backup import backup_database
from app.ops.heartbeat import beat
from app.ops.retention import anonymise_expired
from app.registrations.models import Registration
from app.scheduling.sweep import apply_retention
from app.webhooks.models import WebhookDelivery
from app.webhooks.services import create_endpoint
from tests.conftest import NOW
from tests.webhooks.dns import stub_dns


def test_healthz_answers_while_the_process_lives(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_readyz_needs_a_recent_worker_heartbeat(client, frozen_now):
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"]["worker"]["ok"] is False
    assert response.json["checks"]["database"]["ok"] is True
    assert response.json["checks"]["migrations"]["ok"] is True

    beat(clock.now(), leader=True)
    db.session.commit()  # as the worker does after each beat
    response = client.get("/readyz")
    assert response.status_code == 200, response.json
    frozen_now(NOW + timedelta(minutes=5))  # the worker went quiet
    assert client.get("/readyz").status_code == 503


def test_readyz_reports_an_old_outbox_backlog(client, frozen_now, make_event, make_registration):
    make_registration(make_event())  # one queued mail
    frozen_now(NOW + timedelta(hours=1))
    beat(clock.now(), leader=False)
    db.session.commit()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json["checks"]["outbox"] == {
        "ok": False,
        "backlog": 1,
        "oldest_age_seconds": 3600,
    }


def test_metrics_are_for_this_machine_or_the_token_holder(
    app, client, make_event, make_registration
):
    make_registration(make_event())
    client.get("/")
    local = client.get("/metrics")
    assert local.status_code == 200
    text = local.get_data(as_text=True)
    assert 'signups_total{status="confirmed"} 1' in text
    assert 'mail_messages{status="queued"} 1' in text
    assert "http_request_duration_seconds_bucket" in text
    assert client.get("/metrics", environ_base={"REMOTE_ADDR": "203.0.113.9"}).status_code == 404

    app.config["METRICS_TOKEN"] = "s3cret-token"
    remote = {"REMOTE_ADDR": "203.0.113.9"}
    assert client.get("/metrics", environ_base=remote).status_code == 404
    assert (
        client.get(
            "/metrics", headers={"Authorization": "Bearer wrong"}, environ_base=remote
        ).status_code
        == 404
    )
    ok = client.get(
        "/metrics", headers={"Authorization": "Bearer s3cret-token"}, environ_base=remote
    )
    assert ok.status_code == 200


def test_each_request_has_an_id_and_its_log_line_never_holds_a_token(
    client, make_event, make_registration, caplog
):
    registration = make_registration(make_event())
    with caplog.at_level(logging.INFO, logger="app.requests"):
        response = client.get(
            f"/r/{registration.manage_token}", headers={"X-Request-ID": "abcdef123456"}
        )
    assert response.headers["X-Request-ID"] == "abcdef123456"
    [record] = [r for r in caplog.records if r.name == "app.requests"]
    assert record.fields["route"] == "/r/<token>"
    assert record.fields["request_id"] == "abcdef123456"
    assert registration.manage_token not in caplog.text
    generated = client.get("/", headers={"X-Request-ID": "bad id with spaces"}).headers[
        "X-Request-ID"
    ]
    assert len(generated) == 32


def test_hsts_only_over_https(client):
    assert "Strict-Transport-Security" not in client.get("/").headers
    assert (
        "max-age"
        in client.get("/", base_url="https://localhost").headers["Strict-Transport-Security"]
    )


def test_backup_is_a_consistent_copy(app, tmp_path, make_event, make_registration):
    if app.database_name != "sqlite":
        import shutil

        import pytest

        if shutil.which("pg_dump") is None:
            pytest.skip("pg_dump is not installed")
    registration = make_registration(make_event())
    target = backup_database(tmp_path / "backups")
    assert target.exists() and target.stat().st_size > 0
    if app.database_name == "sqlite":
        copy = sqlite3.connect(target)
        assert copy.execute("select email from registrations").fetchall() == [(registration.email,)]
        copy.close()


def test_retention_anonymises_registrations_of_long_past_events(
    app, make_event, make_registration, frozen_now
):
    old_event = make_event()
    recent_event = make_event()
    old = make_registration(old_event, name="山田 太郎", department="DX推進課")
    recent = make_registration(recent_event)
    old_event.starts_at = NOW - timedelta(days=800)
    old_event.ends_at = NOW - timedelta(days=800) + timedelta(hours=2)
    db.session.commit()

    assert anonymise_expired(clock.now()) == 1
    db.session.commit()
    assert anonymise_expired(clock.now()) == 0
    old = db.session.get(Registration, old.id)
    assert (old.name, old.department, old.email) == (
        "（削除済み）",
        "",
        f"deleted-{old.id}@invalid",
    )
    assert old.organization_name == "鳥取県"  # statistics keep the organisation
    assert db.session.get(Registration, recent.id).name != "（削除済み）"
    assert db.session.scalars(select(OutboxMessage.to_addr)).all().count("deleted") == 0


def test_retention_deletes_old_inquiries_with_their_mail_and_finished_webhook_deliveries(
    app, make_organizer, frozen_now, monkeypatch
):
    make_organizer()
    stub_dns(monkeypatch)  # hooks.example.jp is checked to be public when saved
    endpoint = create_endpoint(
        "https://hooks.example.jp/in", ["registration.created"], actor=SYSTEM
    )
    long_ago = NOW - timedelta(days=800)

    def inquiry_and_delivery_at(moment, name, delivery_status):
        frozen_now(moment)
        inquiry = submit_inquiry(
            InquiryInput(name=name, email="asker@city.example.jp", subject="件名", body="本文"),
            moment,
        )
        db.session.add(
            WebhookDelivery(
                endpoint_id=endpoint.id,
                event_type="registration.created",
                payload={"name": name},
                status=delivery_status,
                next_attempt_at=moment,
                created_at=moment,
            )
        )
        db.session.commit()
        return inquiry.id

    old = inquiry_and_delivery_at(long_ago, "古い 問い合わせ", "delivered")
    inquiry_and_delivery_at(long_ago, "古い 失敗", "failed")
    inquiry_and_delivery_at(long_ago, "古い 未送信", "queued")  # a delivery still owed stays
    recent = inquiry_and_delivery_at(NOW - timedelta(days=30), "最近 問い合わせ", "delivered")
    frozen_now(NOW)

    apply_retention(clock.now())

    db.session.expire_all()
    assert db.session.scalars(select(Inquiry.id)).all() == [recent]
    assert db.session.get(Inquiry, old) is None
    mail = db.session.scalars(select(OutboxMessage.text_body)).all()
    assert len(mail) == 2  # the recent inquiry's notice to the organizer and its receipt
    assert not any("古い" in body for body in mail)
    deliveries = db.session.scalars(select(WebhookDelivery.payload)).all()
    assert sorted(payload["name"] for payload in deliveries) == ["古い 未送信", "最近 問い合わせ"]


def test_retention_removes_the_partial_files_of_uploads_that_never_finished(app, tmp_path):
    app.config["MATERIALS_DIR"] = str(tmp_path)
    old_part = tmp_path / ".upload-abandoned.part"
    new_part = tmp_path / ".upload-in-progress.part"
    kept = tmp_path / "stored-material.pdf"
    for path in (old_part, new_part, kept):
        path.write_bytes(b"%PDF-")
    day_ago = (NOW - timedelta(days=1, minutes=1)).timestamp()
    os.utime(old_part, (day_ago, day_ago))
    os.utime(kept, (day_ago, day_ago))
    os.utime(new_part, (NOW.timestamp(), NOW.timestamp()))

    apply_retention(NOW)

    assert not old_part.exists()
    assert new_part.exists()  # still being written, perhaps
    assert kept.exists()  # a material, whatever its age


def test_json_log_lines_carry_no_terminal_colours():
    import logging

    from app.ops.logs import JsonFormatter

    record = logging.LogRecord(
        "werkzeug", logging.INFO, __file__, 1, '"\x1b[33mGET /x HTTP/1.1\x1b[0m" 404 -', (), None
    )
    assert "\x1b" not in JsonFormatter().format(record)
    assert '\\"GET /x HTTP/1.1\\" 404 -' in JsonFormatter().format(record)
