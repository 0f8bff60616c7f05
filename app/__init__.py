"""The application factory."""

from functools import partial
from pathlib import Path
from typing import cast

from flask import Flask
from flask.json.provider import DefaultJSONProvider
from flask_babel import lazy_gettext as _l

import config
from app import body_limits, cli, database, errors, formatting, models, routing, security  # noqa: F401  (models: every table for Alembic)
from app.admin import bp as admin_bp
from app.admin import sessions
from app.api import bp as api_bp
from app.api import docs_bp as api_docs_bp
from app.api import resources
from app.calendar.views import bp as calendar_bp
from app.documents.views import bp as documents_bp
from app.events.views import bp as events_bp
from app.extensions import babel, csrf, db, limiter, login, mail, migrate, select_locale
from app.inbound import console as inbound_console
from app.inquiries.views import bp as inquiries_bp
from app.materials.views import bp as materials_bp
from app.members.views import bp as members_bp
from app.ops import logs
from app.ops.health import bp as ops_bp
from app.ops.metrics import bp as metrics_bp
from app.organizations import views as organization_views
from app.organizers.services import load_for_session
from app.public.views import bp as public_bp
from app.registrations.views import bp as registrations_bp
from app.surveys.views import bp as surveys_bp
from app.webhooks import listeners as webhook_listeners

ROOT = Path(__file__).resolve().parent.parent


def create_app(overrides: dict | None = None) -> Flask:
    """Build the app from config.load(), with `overrides` on top (tests use them)."""
    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(config.INSTANCE_DIR),
    )
    app.config.update(config.load())
    app.config.update(overrides or {})
    cast(DefaultJSONProvider, app.json).ensure_ascii = False  # the API answers in readable Japanese
    # A server connection can drop while it sits in the pool; a SQLite file cannot, and the ping
    # before every transaction costs the outbox a tenth of a millisecond a message.
    engine_options = app.config.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {})
    engine_options.setdefault(
        "pool_pre_ping", not app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")
    )

    body_limits.init_app(app)  # ahead of every hook that reads the body (CSRF, the limiter)
    db.init_app(app)
    database.init_app(app)  # SQLite's locking, on this app's engine only
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    mail.init_app(app)
    csrf.init_app(app)
    csrf.exempt(api_bp)  # bearer tokens, no cookies: CSRF (a cookie attack) does not apply
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=str(ROOT / "translations"),
    )
    limiter.init_app(app)
    login.init_app(app)
    login.login_view = "admin.login"
    login.login_message = _l("ログインしてください。")
    login.session_protection = "strong"
    login.user_loader(load_for_session)
    sessions.init_app(app)
    errors.init_app(app)
    formatting.init_app(app)
    security.init_app(app)
    logs.init_app(app)
    # Changes to registrations and events emit webhooks, shown as the API shows them.
    webhook_listeners.init_app(
        app,
        webhook_listeners.Representations(
            event=partial(resources.event_json, organizer=True),
            registration=resources.registration_json,
            moment=resources.iso,
        ),
    )
    inbound_console.init_app(app)  # bounces and calendar replies on the console's pages

    routing.init_app(app)  # before the blueprints: their rules use the `id` converter
    for blueprint in (
        public_bp,
        calendar_bp,
        events_bp,
        registrations_bp,
        documents_bp,
        members_bp,
        materials_bp,
        inquiries_bp,
        surveys_bp,
        ops_bp,
        metrics_bp,
        admin_bp,
        api_bp,
        api_docs_bp,
    ):
        app.register_blueprint(blueprint)
    organization_views.init_app(app)  # the picker's search and script

    cli.init_app(app)
    return app
