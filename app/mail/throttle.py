"""How much mail one address was sent lately, counted where the mail is made: in the outbox.

The HTTP limits (app/ratelimits.py) stop a burst at the door; this stops it whichever door it
came through, in every process at once (the outbox is one table), and survives a restart.
"""

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from limits import parse
from sqlalchemy import func, select

from app.errors import DomainError
from app.extensions import db
from app.mail.outbox import OutboxMessage

# The mails a visitor can cause by typing an address, grouped by what they are about.
REGISTRATION_MAIL = ("registration_received", "registration_pending")
MEMBERSHIP_MAIL = ("member_confirm", "member_already", "member_profile_link")


class MailLimitReached(DomainError):
    """Too much mail went to this address lately; `retry_after` says when to try again."""

    message = _l("このメールアドレスには短時間に多くのメールをお送りしています。")
    field = "email"

    def __init__(self, retry_after: int):
        minutes = max(math.ceil(retry_after / 60), 1)
        super().__init__(
            _l(
                "このメールアドレスには短時間に多くのメールをお送りしています。%(minutes)d分ほど待ってから、もう一度お試しください。入力内容はそのまま残っています。",
                minutes=minutes,
            )
        )
        self.retry_after = retry_after


@dataclass(frozen=True)
class Budget:
    amount: int
    window: timedelta


def budget(config_name: str) -> Budget:
    """A limit such as "3 per hour" from the configuration."""
    item = parse(current_app.config[config_name])
    return Budget(item.amount, timedelta(seconds=item.get_expiry()))


def seconds_until_allowed(
    address: str, categories: tuple[str, ...], limit: Budget, now: datetime
) -> int:
    """0 when another mail of these categories may go to `address`, else the seconds until one
    may (when the oldest mail counted leaves the window)."""
    count, oldest = db.session.execute(select(*usage(address, categories, limit, now))).one()
    return wait_seconds(count, oldest, limit, now)


def usage(address: str, categories: tuple[str, ...], limit: Budget, now: datetime) -> tuple:
    """How many of these mails went to `address` within the window, and when the oldest of them
    did: two scalar subqueries, for a caller that reads them beside something else."""
    recent = (
        OutboxMessage.to_addr == address,
        OutboxMessage.category.in_(categories),
        OutboxMessage.created_at > now - limit.window,
    )
    return (
        select(func.count()).select_from(OutboxMessage).where(*recent).scalar_subquery(),
        select(func.min(OutboxMessage.created_at)).where(*recent).scalar_subquery(),
    )


def wait_seconds(count: int, oldest: datetime | None, limit: Budget, now: datetime) -> int:
    """seconds_until_allowed() from what usage() read."""
    if count < limit.amount or oldest is None:
        return 0
    if oldest.tzinfo is None:  # a bare aggregate over SQLite comes back without its zone
        oldest = oldest.replace(tzinfo=UTC)
    return max(math.ceil((oldest + limit.window - now).total_seconds()), 1)


def may_send(address: str, categories: tuple[str, ...], config_name: str, now: datetime) -> bool:
    """Whether one more mail of these categories may go to `address` now."""
    return seconds_until_allowed(address, categories, budget(config_name), now) == 0


def ensure_may_send(
    address: str, categories: tuple[str, ...], config_name: str, now: datetime
) -> None:
    """Raise MailLimitReached when `address` had its share of these mails lately."""
    wait = seconds_until_allowed(address, categories, budget(config_name), now)
    if wait:
        raise MailLimitReached(wait)
