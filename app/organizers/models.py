"""Organizer accounts."""

from datetime import datetime
from enum import StrEnum

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app import clock
from app.database import UTCDateTime
from app.extensions import Model
from app.tokens import new_nonce


class OrganizerRole(StrEnum):
    ADMIN = "admin"  # also manages organizers and reads the audit log
    ORGANIZER = "organizer"


class Organizer(UserMixin, Model):
    """A member of the secretariat who signs in to the console."""

    __tablename__ = "organizers"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(100), default="")
    role: Mapped[str] = mapped_column(String(20), default=OrganizerRole.ORGANIZER)
    password_hash: Mapped[str] = mapped_column(String(255))
    active: Mapped[bool] = mapped_column(default=True)
    # Part of the session identity and of reset links: a new nonce signs out every session and
    # voids every reset link (password change, deactivation).
    session_nonce: Mapped[str] = mapped_column(String(32), default=new_nonce)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)

    @property
    def is_admin(self) -> bool:
        return self.role == OrganizerRole.ADMIN

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive accounts
        return self.active

    def get_id(self) -> str:
        return f"{self.id}.{self.session_nonce}"


class ApiToken(Model):
    """A bearer token for the JSON API, acting as its organizer with the organizer's role.

    Only a SHA-256 hash of the token is kept: the token is shown once, when it is made.
    """

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    organizer_id: Mapped[int] = mapped_column(
        ForeignKey("organizers.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The token's first characters, so the console can say which one is which.
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    organizer: Mapped[Organizer] = relationship()
