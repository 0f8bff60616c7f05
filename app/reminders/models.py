"""A record of each reminder sent: the unique key makes "at most once" a database fact."""

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app import clock
from app.database import UTCDateTime
from app.extensions import Model


class ReminderDelivery(Model):
    """Rule `rule` of the event was mailed (or deliberately skipped) to this registration."""

    __tablename__ = "reminder_deliveries"
    __table_args__ = (UniqueConstraint("registration_id", "rule"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id", ondelete="CASCADE"))
    rule: Mapped[str] = mapped_column(String(20))
    # False when a later reminder superseded this one after downtime; it is then never sent.
    sent: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
