"""What the announcement services refuse: a bad subject, body, send time or audience, nobody to
send to, an announcement that does not exist or was already sent."""

from flask_babel import lazy_gettext as _l

from app.errors import DomainError


class InvalidAnnouncement(DomainError):
    """The subject, body or send time is not acceptable; `field` says which."""


class InvalidAudience(DomainError):
    """The audience description is incomplete or names something that does not exist."""

    message = _l("配信先の指定が正しくありません。")
    field = "kind"


class NoRecipients(DomainError):
    """Nobody (or not the person asked for) is in the audience, so there is nothing to render."""

    message = _l("配信先に該当する方がいません。")


class AnnouncementNotFound(DomainError):
    message = _l("このお知らせは見つかりません。")


class AnnouncementAlreadyQueued(DomainError):
    """Its messages are in the outbox: it can no longer be edited, scheduled or sent again."""

    message = _l("このお知らせは送信済みのため、変更や再送信はできません。")
