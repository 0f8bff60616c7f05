"""Mail to attendees about their registration. Each builder queues one message in the outbox.

Mail to a confirmed attendee carries their calendar invite; a cancellation of a confirmed seat
carries the CANCEL that removes it. Waitlisted and pending people get no invite until they hold a
seat.
"""

from flask_babel import lazy_gettext as _l

from app.mail.compose import queue_mail
from app.registrations import invites
from app.registrations.models import Registration, RegistrationStatus


def _queue(name: str, registration: Registration, subject, calendar=None, **context) -> None:
    queue_mail(
        name,
        to_addr=registration.email,
        to_name=registration.name,
        locale=registration.locale,
        subject=subject,
        calendar=calendar,
        registration=registration,
        event=registration.event,
        join_opens_at=invites.join_opens_at(registration),
        has_invite=calendar is not None,
        **invites.links(registration),
        **context,
    )


def notify_registration_received(registration: Registration, resent: bool = False) -> None:
    """Confirmation with the invite, or notice of a place on the waitlist or of waiting for
    approval (also on request)."""
    title = registration.event.title
    if registration.status == RegistrationStatus.PENDING:
        subject = _l("【お申し込みを受け付けました（承認待ち）】%(title)s", title=title)
        _queue("registration_pending", registration, subject, resent=resent)
        return
    if registration.status == RegistrationStatus.CONFIRMED:
        subject = _l("【お申し込み完了】%(title)s", title=title)
        calendar = invites.invite(registration, new_sequence=not resent)
    else:
        subject = _l("【キャンセル待ち受付】%(title)s", title=title)
        calendar = None
    _queue("registration_received", registration, subject, calendar, resent=resent)


def notify_promoted(registration: Registration) -> None:
    """A seat came free and the person moved from the waitlist to confirmed: now the invite."""
    subject = _l(
        "【参加確定】%(title)s（キャンセル待ちから繰り上がりました）",
        title=registration.event.title,
    )
    _queue("registration_promoted", registration, subject, invites.invite(registration))


def notify_approved(registration: Registration) -> None:
    """An organizer approved the sign-up: a seat and the invite, or a place on the waitlist."""
    title = registration.event.title
    if registration.status == RegistrationStatus.CONFIRMED:
        subject = _l("【参加確定】%(title)s（お申し込みが承認されました）", title=title)
        calendar = invites.invite(registration)
    else:
        subject = _l("【キャンセル待ち受付】%(title)s（お申し込みが承認されました）", title=title)
        calendar = None
    _queue("registration_approved", registration, subject, calendar)


def notify_declined(registration: Registration, reason: str) -> None:
    """An organizer declined the sign-up; `reason` (may be empty) is quoted in the mail."""
    subject = _l("【お申し込みについてのお知らせ】%(title)s", title=registration.event.title)
    _queue("registration_declined", registration, subject, reason=reason)


def notify_cancelled_by_organizer(registration: Registration, had_seat: bool) -> None:
    """The secretariat cancelled the registration; a held seat's calendar entry is withdrawn."""
    subject = _l("【お申し込み取り消しのお知らせ】%(title)s", title=registration.event.title)
    calendar = invites.invite(registration, cancel=True) if had_seat else None
    _queue("registration_cancelled_by_organizer", registration, subject, calendar)


def notify_registration_updated(registration: Registration, with_invite: bool) -> None:
    """The secretariat corrected the registration; a moved seat brings an updated invite."""
    subject = _l("【申込内容変更のお知らせ】%(title)s", title=registration.event.title)
    calendar = invites.invite(registration) if with_invite else None
    _queue("registration_updated", registration, subject, calendar)


def notify_registration_cancelled(registration: Registration, had_seat: bool) -> None:
    """The attendee cancelled; if they held a seat, their calendar entry is withdrawn."""
    subject = _l("【キャンセル受付】%(title)s", title=registration.event.title)
    calendar = invites.invite(registration, cancel=True) if had_seat else None
    _queue("registration_cancelled", registration, subject, calendar)


def notify_event_changed(registration: Registration) -> None:
    """The time or place moved: the same UID with a higher SEQUENCE moves the calendar entry."""
    subject = _l("【日時・会場変更】%(title)s", title=registration.event.title)
    _queue("event_changed", registration, subject, invites.invite(registration))


def notify_event_cancelled(registration: Registration) -> None:
    """The event is off: confirmed attendees get a CANCEL, the waitlist a plain notice."""
    subject = _l("【開催中止】%(title)s", title=registration.event.title)
    had_seat = registration.status == RegistrationStatus.CONFIRMED
    calendar = invites.invite(registration, cancel=True) if had_seat else None
    _queue("event_cancelled", registration, subject, calendar)


def notify_changed_by_attendee(
    registration: Registration, changed: list[str], requeued: bool, with_invite: bool
) -> None:
    """The attendee changed their own parts, table or answers: what it now says; a moved seat
    brings the updated invite (same UID, higher SEQUENCE), a seat given up its CANCEL."""
    subject = _l("【申込内容の変更を受け付けました】%(title)s", title=registration.event.title)
    if requeued:
        calendar = invites.invite(registration, cancel=True)
    elif with_invite:
        calendar = invites.invite(registration)
    else:
        calendar = None
    _queue(
        "registration_changed_by_attendee",
        registration,
        subject,
        calendar,
        changed=changed,
        requeued=requeued,
    )
