"""Database plumbing shared by every domain: UTC timestamps and SQLite's locking."""

import logging
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from flask import Blueprint, Flask, current_app, has_request_context, request
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


F = TypeVar("F", bound=Callable[..., Any] | Blueprint)
READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# conn.info key: whether the SQLite transaction on this connection took the write lock at BEGIN.
WRITE_LOCKED = "sqlite_write_locked"
log = logging.getLogger(__name__)


def writes(view: F) -> F:
    """Mark a view (or a blueprint, for all of its views) that writes although it answers GET: a
    logged download, a counted join link, the API's token use. On SQLite its transaction then
    takes the write lock at BEGIN like every POST's."""
    view.writes_on_get = True  # type: ignore[union-attr]
    return view


def init_app(app: Flask) -> None:
    """Switch SQLite's settings on for the app's engine (the factory calls this after db)."""
    with app.app_context():
        configure(db.engine)


def configure(engine: Engine) -> None:
    """WAL, a busy timeout, foreign keys and BEGIN IMMEDIATE for writers on a SQLite engine;
    others as they are."""
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _configure_sqlite)
        event.listen(engine, "begin", _begin)
        event.listen(engine, "before_cursor_execute", _check_read_only)


def _configure_sqlite(dbapi_connection: Any, _record: object) -> None:
    # Autocommit at the driver level so the "begin" hook below decides how a transaction starts.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _read_only_request() -> bool:
    """A GET/HEAD/OPTIONS request whose view is not marked @writes (GET never writes)."""
    if not has_request_context() or request.method not in READ_ONLY_METHODS:
        return False
    view = current_app.view_functions.get(request.endpoint or "")
    blueprint = current_app.blueprints.get(request.blueprint or "")
    return not (getattr(view, "writes_on_get", False) or getattr(blueprint, "writes_on_get", False))


def _begin(conn: Connection) -> None:
    # sqlite3 would start the transaction at the first write, so a count-then-insert check races;
    # taking the write lock at BEGIN serialises writers and keeps capacity exact: everything a
    # writer reads (the event, its seat counts, the outbox rows it claims, the scheduler's lease)
    # is read under the lock it writes under. So every transaction takes it (POSTs, API writes,
    # CLI commands, the worker, the scheduler, tests calling services), except a read-only
    # request's: a GET page would otherwise hold every writer off while it renders. A plain BEGIN
    # is still a consistent snapshot, and were such a transaction to write after all, SQLite
    # refuses the write if anyone committed since its snapshot (never a stale count-then-insert);
    # _check_read_only says so in the log.
    write = not _read_only_request()
    conn.info[WRITE_LOCKED] = write
    conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")


def holds_write_lock(conn: Connection) -> bool:
    """On SQLite, whether this connection's transaction took the write lock at BEGIN (so nothing
    it has read can have changed since); always False elsewhere."""
    return conn.dialect.name == "sqlite" and bool(conn.info.get(WRITE_LOCKED))


_WRITES = ("INSERT", "UPDATE", "DELETE", "REPLACE")


def _check_read_only(conn: Connection, _cursor: object, statement: str, *_args: object) -> None:
    if conn.info.get(WRITE_LOCKED, True) or not statement.lstrip().upper().startswith(_WRITES):
        return
    if not has_request_context() or not _read_only_request():
        return  # a test writing after a request in the same context; no lock race there
    message = f"{request.method} {request.endpoint} writes: mark its view with @database.writes"
    if current_app.testing:
        raise RuntimeError(message)
    log.warning(message)
