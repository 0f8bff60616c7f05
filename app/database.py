"""Database plumbing shared by every domain: UTC timestamps and SQLite's locking."""

from datetime import UTC, datetime
from typing import Any

from flask import Flask
from sqlalchemy import DateTime, event
from sqlalchemy.engine import Connection, Dialect, Engine
from sqlalchemy.types import TypeDecorator

from app.extensions import db


class UTCDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime stored as UTC; SQLite hands it back naive, so UTC is re-attached."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; pass a timezone-aware one")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def init_app(app: Flask) -> None:
    """Switch SQLite's settings on for the app's engine (the factory calls this after db)."""
    with app.app_context():
        configure(db.engine)


def configure(engine: Engine) -> None:
    """WAL, a busy timeout, foreign keys and BEGIN IMMEDIATE on a SQLite engine; others as they are."""
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _configure_sqlite)
        event.listen(engine, "begin", _begin_immediate)


def _configure_sqlite(dbapi_connection: Any, _record: object) -> None:
    # Autocommit at the driver level so the "begin" hook below decides how a transaction starts.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _begin_immediate(conn: Connection) -> None:
    # sqlite3 would start the transaction at the first write, so a count-then-insert check races;
    # taking the write lock at BEGIN serialises writers and keeps capacity exact.
    conn.exec_driver_sql("BEGIN IMMEDIATE")
