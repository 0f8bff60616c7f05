"""`flask inbound` itself, as `make run` starts it: a process that listens, records a bounce
sent to it, and stops on SIGTERM; and its configuration."""

import os
import signal
import smtplib
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

import config
from app.extensions import db
from tests.inbound.conftest import BOUNCE_DOMAIN, inbound_mail
from tests.inbound.test_bounces_end_to_end import ADDRESS, bounce_count
from tests.mail.conftest import free_port

ROOT = Path(__file__).resolve().parents[2]


def wait_for_port(port: int, process: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()[1]
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"nothing listens on {port}")


def test_flask_inbound_records_a_bounce_and_stops_on_sigterm(
    app, make_event, make_registration, deliver, api_get
):
    registration = make_registration(make_event(), email=ADDRESS)
    [received] = deliver().values()
    port = free_port()
    env = {
        **os.environ,
        "FLASK_APP": "wsgi.py",
        "DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
        "SECRET_KEY": app.config["SECRET_KEY"],
        "BOUNCE_DOMAIN": BOUNCE_DOMAIN,
        "PUBLIC_BASE_URL": app.config["PUBLIC_BASE_URL"],
    }
    process = subprocess.Popen(
        [str(Path(sys.executable).parent / "flask"), "inbound", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        wait_for_port(port, process)
        db.session.commit()
        raw = inbound_mail(
            "dsn_postfix_hard.eml",
            RETURN_PATH=received.mail_from,
            RECIPIENT=ADDRESS,
            MESSAGE_ID=received.message_id,
        )
        with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
            smtp.sendmail("", [received.mail_from], raw)
        assert api_get(f"/api/v1/registrations/{registration.id}")["email_status"] == "bounced"
        assert bounce_count() == 1
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=20)
    assert process.returncode == 0, stderr.decode()
    assert b"inbound stopped" in stderr


def test_organizer_address_defaults_to_the_bounce_domain(monkeypatch):
    monkeypatch.delenv("CALENDAR_ORGANIZER_EMAIL", raising=False)
    monkeypatch.setenv("BOUNCE_DOMAIN", "Mail.Example.JP")
    settings = config.load()
    assert settings["BOUNCE_DOMAIN"] == "mail.example.jp"
    assert settings["CALENDAR_ORGANIZER_EMAIL"] == "calendar@mail.example.jp"
    assert settings["INBOUND_SMTP_PORT"] == 2525
    assert settings["INBOUND_SMTP_HOST"] == "127.0.0.1"
    monkeypatch.delenv("BOUNCE_DOMAIN")
    assert config.load()["CALENDAR_ORGANIZER_EMAIL"] == ""  # the sender's address, as before


@pytest.mark.parametrize("domain", ["bad domain", "x@y.jp", "a.jp>", "-a.jp", "localhost"])
def test_a_bounce_domain_that_is_no_domain_is_refused(monkeypatch, domain):
    monkeypatch.setenv("BOUNCE_DOMAIN", domain)
    with pytest.raises(RuntimeError, match="BOUNCE_DOMAIN"):
        config.load()


def test_production_refuses_an_inbound_listener_open_to_the_network(monkeypatch):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 48)
    monkeypatch.setenv("SECRETARIAT_ADDRESS", "鳥取県鳥取市")
    monkeypatch.setenv("SECRETARIAT_CONTACT", "office@example.jp")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    monkeypatch.setenv("INBOUND_SMTP_HOST", "0.0.0.0")
    with pytest.raises(RuntimeError, match="INBOUND_SMTP_HOST"):
        config.load()
    monkeypatch.setenv("INBOUND_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("INBOUND_IMAP_HOST", "imap.example.jp")
    monkeypatch.setenv("INBOUND_IMAP_SSL", "false")
    with pytest.raises(RuntimeError, match="INBOUND_IMAP_SSL"):
        config.load()
    monkeypatch.setenv("INBOUND_IMAP_SSL", "true")
    assert config.load()["INBOUND_IMAP_SSL"] is True
