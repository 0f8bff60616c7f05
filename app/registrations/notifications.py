"""Mail to attendees about their registration. Each builder queues one message in the outbox."""

from flask_babel import lazy_gettext as _l

from app.mail.compose import public_url, queue_mail
from app.registrations.models import Registration, RegistrationStatus


def _queue(name: str, registration: Registration, subject, **context) -> None:
    event = registration.event
    queue_mail(
        name,
        to_addr=registration.email,
        to_name=registration.name,
        locale=registration.locale,
        subject=subject,
        registration=registration,
        event=event,
        event_url=public_url("events.detail", slug=event.slug),
        manage_url=public_url("registrations.manage", token=registration.manage_token),
        **context,
    )


def notify_registration_received(registration: Registration, resent: bool = False) -> None:
    """Confirmation, or notice of a place on the waitlist, right after sign-up (or on request)."""
    if registration.status == RegistrationStatus.CONFIRMED:
        subject = _l("【お申し込み完了】%(title)s", title=registration.event.title)
    else:
        subject = _l("【キャンセル待ち受付】%(title)s", title=registration.event.title)
    _queue("registration_received", registration, subject, resent=resent)


def notify_promoted(registration: Registration) -> None:
    """A seat came free and the person moved from the waitlist to confirmed."""
    subject = _l(
        "【参加確定】%(title)s（キャンセル待ちから繰り上がりました）",
        title=registration.event.title,
    )
    _queue("registration_promoted", registration, subject)


def notify_registration_cancelled(registration: Registration) -> None:
    subject = _l("【キャンセル受付】%(title)s", title=registration.event.title)
    _queue("registration_cancelled", registration, subject)
