"""The factory builds a working app and reads its configuration from the environment."""

import pytest

import config
from app import create_app


def test_factory_applies_overrides_and_registers_blueprints(app):
    assert app.config["TESTING"] is True
    assert {"public", "events", "registrations", "members"} <= set(app.blueprints)


def test_config_defaults_need_nothing_set(monkeypatch, tmp_path):
    for name in ("DATABASE_URL", "SECRET_KEY", "MAIL_SERVER", "APP_TIMEZONE", "PUBLIC_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(config, "INSTANCE_DIR", tmp_path)
    settings = config.load()
    assert settings["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'app.db'}"
    assert settings["APP_TIMEZONE"] == "Asia/Tokyo"
    assert settings["MAIL_SERVER"] == ""
    # The development secret is generated once and kept.
    assert settings["SECRET_KEY"] == config.load()["SECRET_KEY"]
    assert len(settings["SECRET_KEY"]) >= 40
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_production_refuses_to_start_without_the_senders_address(monkeypatch):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 48)
    monkeypatch.delenv("SECRETARIAT_ADDRESS", raising=False)
    with pytest.raises(RuntimeError, match="SECRETARIAT_ADDRESS"):
        config.load()


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        config.load()


def test_postgres_urls_use_psycopg3(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@db/reskilling")
    assert config.load()["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db/reskilling"
    monkeypatch.setenv("DATABASE_URL", "postgres://u@db/reskilling")
    assert config.load()["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db/reskilling"


def test_mail_settings_use_flask_mail_names(monkeypatch):
    monkeypatch.setenv("MAIL_SERVER", "smtp.example.jp")
    monkeypatch.setenv("MAIL_PORT", "587")
    monkeypatch.setenv("MAIL_USE_TLS", "true")
    settings = config.load()
    assert (settings["MAIL_SERVER"], settings["MAIL_PORT"], settings["MAIL_USE_TLS"]) == (
        "smtp.example.jp",
        587,
        True,
    )


def test_wsgi_module_builds_an_app():
    app = create_app({"TESTING": True})
    assert app.name == "app"


def test_every_page_carries_security_headers(client):
    response = client.get("/")
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_webhooks_are_switched_on_by_the_factory_once_however_many_apps(app):
    """Explicit wiring: create_app adds the session listeners (a second app adds them again
    only if they were gone; see test_webhook_delivery for one delivery per change)."""
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    from app import create_app
    from app.webhooks.listeners import LISTENERS

    create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})
    for name, listener in LISTENERS:
        assert event.contains(Session, name, listener)
