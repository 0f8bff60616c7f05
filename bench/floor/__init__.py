"""The floor: a minimal app on the product's stack that does what a sign-up must, and nothing more.

Flask, Flask-SQLAlchemy, Flask-WTF (CSRF) and WTForms (email validation); the organisation list
the product uses, as a datalist; an event with parts and theme tables; the event row locked
(SELECT ... FOR UPDATE on PostgreSQL, BEGIN IMMEDIATE on SQLite) for a duplicate and a capacity
check; the registration and an outbox row holding the whole MIME message (text, HTML, iCalendar
invite); commit, redirect, result page. bench/floorcompare.py measures the product against it.

Under gunicorn: `gunicorn 'bench.floor:create_app()'` with FLOOR_DATABASE_URL and SECRET_KEY set.
"""

import os

from flask import Flask
from flask_wtf import CSRFProtect

from bench.floor import views
from bench.floor.models import db, init_engine_events

csrf = CSRFProtect()


def create_app(config: dict | None = None) -> Flask:
    """The floor app; its tables are made by bench.floor.models.create_database, not here."""
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=os.environ.get("SECRET_KEY", "floor-secret"),
        SQLALCHEMY_DATABASE_URI=os.environ.get("FLOOR_DATABASE_URL", "sqlite:///:memory:"),
        MAIL_SENDER=("全国自治体リスキリングネットワーク事務局", "noreply@floor.example.jp"),
        WTF_CSRF_TIME_LIMIT=None,
    )
    app.config.update(config or {})
    db.init_app(app)
    with app.app_context():
        init_engine_events(db.engine)
    csrf.init_app(app)
    app.register_blueprint(views.bp)
    return app
