"""The floor's tables: events with parts and theme tables, registrations, the outbox."""

from datetime import UTC, datetime

from flask import has_request_context, request
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import (
    Column,
    DateTime,
    ForeignKey,
    LargeBinary,
    String,
    Table,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

db = SQLAlchemy()


def utcnow() -> datetime:
    """Naive UTC, the way both databases hand a plain DateTime back."""
    return datetime.now(UTC).replace(tzinfo=None)


class Event(db.Model):
    """An event people sign up for; times are naive UTC."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    starts_at: Mapped[datetime] = mapped_column(DateTime)
    ends_at: Mapped[datetime] = mapped_column(DateTime)
    capacity: Mapped[int | None]
    published: Mapped[bool] = mapped_column(default=True)
    registration_closes_at: Mapped[datetime | None] = mapped_column(DateTime)

    parts: Mapped[list["EventPart"]] = relationship(order_by="EventPart.position")
    tables: Mapped[list["ThemeTable"]] = relationship(order_by="ThemeTable.position")


class EventPart(db.Model):
    """第一部・第二部: parts an attendee chooses, each with optional seats of its own."""

    __tablename__ = "event_parts"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    position: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    capacity: Mapped[int | None]


class ThemeTable(db.Model):
    """A theme table of the exchange session, with optional seats of its own."""

    __tablename__ = "theme_tables"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    position: Mapped[int]
    title: Mapped[str] = mapped_column(String(200))
    capacity: Mapped[int | None]


registration_parts = Table(
    "registration_parts",
    db.metadata,
    Column("registration_id", ForeignKey("registrations.id"), primary_key=True),
    Column("part_id", ForeignKey("event_parts.id"), primary_key=True, index=True),
)


class Registration(db.Model):
    """One person's sign-up: confirmed while seats last, then waitlisted."""

    __tablename__ = "registrations"
    __table_args__ = (UniqueConstraint("event_id", "email"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"))
    name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(254))
    organization_code: Mapped[str | None] = mapped_column(String(6))
    organization_name: Mapped[str] = mapped_column(String(100))
    table_id: Mapped[int | None] = mapped_column(ForeignKey("theme_tables.id"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    event: Mapped[Event] = relationship()
    table: Mapped[ThemeTable | None] = relationship()
    parts: Mapped[list[EventPart]] = relationship(
        secondary=registration_parts, order_by=EventPart.position
    )


class OutboxMessage(db.Model):
    """A mail written in the sign-up's transaction, sent later by someone else."""

    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    to_addr: Mapped[str] = mapped_column(String(254))
    mime: Mapped[bytes] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(20), default="queued")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


def init_engine_events(engine) -> None:
    """SQLite: WAL, and a write lock taken at BEGIN by writing requests only (a count-then-insert
    check races otherwise; GET pages need no lock)."""
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # we say BEGIN ourselves
        for pragma in ("journal_mode=WAL", "busy_timeout=30000", "synchronous=NORMAL"):
            dbapi_connection.execute(f"PRAGMA {pragma}")

    @event.listens_for(engine, "begin")
    def _begin(conn):
        # The product's own hook on every Engine, if it is imported in this process (make
        # bench, the test suite), has already said BEGIN IMMEDIATE.
        if conn.connection.dbapi_connection.in_transaction:
            return
        writing = has_request_context() and request.method not in ("GET", "HEAD")
        conn.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")


def create_database(app, *, seats: int, part_seats: int, table_seats: int) -> str:
    """Create the tables and one event, 第一部 and 第二部 with three theme tables; its slug."""
    starts = datetime(2027, 9, 14, 5, 0)  # 14:00 in Tokyo
    with app.app_context():
        db.create_all()
        floor = Event(
            slug="floor",
            title="セミナー＆情報交換会（フロア）",
            starts_at=starts,
            ends_at=starts.replace(hour=7, minute=30),
            capacity=seats,
            parts=[
                EventPart(position=1, title="第一部 基調講演"),
                EventPart(position=2, title="第二部 情報交換会", capacity=part_seats),
            ],
            tables=[
                ThemeTable(position=n, title=title, capacity=table_seats)
                for n, title in enumerate(("企業・市民向け事業", "職員向け研修", "推進体制"), 1)
            ],
        )
        db.session.add(floor)
        db.session.commit()
        slug = floor.slug
        db.engine.dispose()
    return slug
