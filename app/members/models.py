"""Members of the network (参加のお申し込み) and their consent to notices."""

from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app import clock
from app.database import UTCDateTime
from app.extensions import Model
from app.tokens import new_nonce


class MemberStatus(StrEnum):
    PENDING = "pending"
    ACTIVE = "active"
    UNSUBSCRIBED = "unsubscribed"


class ThemeInterest(StrEnum):
    STAFF = "staff"  # 庁内職員向け事業
    BUSINESS_CITIZENS = "business_citizens"  # 企業・市民向け事業


class Member(Model):
    """A contact person of a municipality (or other public body) in the network."""

    __tablename__ = "members"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    organization_code: Mapped[str | None] = mapped_column(String(6), index=True)
    organization_name: Mapped[str] = mapped_column(String(100))
    department: Mapped[str] = mapped_column(String(200), default="")
    # The language the person used on our pages; their mail comes in it.
    locale: Mapped[str] = mapped_column(String(5), default="ja")
    theme_interests: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(20), default=MemberStatus.PENDING, index=True)
    # What the person agreed to, and when: the record 特定電子メール法 asks us to keep.
    consent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    consent_version: Mapped[str] = mapped_column(String(20))
    # The double opt-in link is signed with this nonce (see app/tokens.py); cleared once used.
    confirm_nonce: Mapped[str | None] = mapped_column(String(32))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The personal calendar feed URL is signed with this nonce; a new one revokes the old URL.
    feed_nonce: Mapped[str | None] = mapped_column(String(32))
    unsubscribed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Links in notices (unsubscribe, "still me", "hand over") are signed with this nonce.
    list_nonce: Mapped[str] = mapped_column(String(32), default=new_nonce)
    # When the member last said they are still their organisation's contact (April check).
    contact_confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set on a successor: the member they take over from, who stops getting notices on confirmation.
    predecessor_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL")
    )
    # Agreed to have the organisation named on the public ご参加自治体 page.
    listed_publicly: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, onupdate=clock.now)


class MembershipApplication(Model):
    """What someone typed on /join for an address that already has a record (pending, invited or
    unsubscribed). It is held here, and the member left as it is, until the link mailed to that
    address is confirmed: anyone can type anyone's address."""

    __tablename__ = "membership_applications"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), index=True)
    name: Mapped[str] = mapped_column(String(100))
    organization_code: Mapped[str | None] = mapped_column(String(6))
    organization_name: Mapped[str] = mapped_column(String(100))
    department: Mapped[str] = mapped_column(String(200), default="")
    theme_interests: Mapped[list[str]] = mapped_column(JSON, default=list)
    locale: Mapped[str] = mapped_column(String(5), default="ja")
    listed_publicly: Mapped[bool] = mapped_column(default=False)
    # The wording agreed to; the moment is created_at.
    consent_version: Mapped[str] = mapped_column(String(20))
    # The confirmation link is signed with this nonce (see app/tokens.py).
    nonce: Mapped[str] = mapped_column(String(32), default=new_nonce)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=clock.now, index=True)
