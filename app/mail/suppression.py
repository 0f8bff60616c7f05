"""Addresses that bounced for good: bulk mail skips them; organizers can see and clear them."""

from datetime import datetime

from sqlalchemy import String, Text, select
from sqlalchemy.orm import Mapped, mapped_column

from app import clock
from app.database import UTCDateTime
from app.extensions import Model, db


class SuppressedAddress(Model):
    """An address a server refused permanently (5xx), with the answer it gave."""

    __tablename__ = "suppressed_addresses"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)


def flag_address(email: str, reason: str) -> None:
    """Remember a permanent failure (once per address)."""
    if (
        db.session.scalar(select(SuppressedAddress.id).where(SuppressedAddress.email == email))
        is None
    ):
        db.session.add(SuppressedAddress(email=email, reason=reason[:2000]))


def suppressed(emails: set[str]) -> set[str]:
    """Which of these addresses bulk mail must skip."""
    if not emails:
        return set()
    query = select(SuppressedAddress.email).where(SuppressedAddress.email.in_(emails))
    return set(db.session.scalars(query))
