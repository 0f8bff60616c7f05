"""参加証明書: a certificate of attendance, one A4 page per attendee, for those checked in.

Each page speaks its attendee's language (the one they signed up in, like their mail), so the
attendee's own download and the organizer's bulk file say the same thing. The bulk file is one
PDF with a page per attendee rather than a ZIP of files: it prints in one job, embeds the font
once (a ZIP of 100 PDFs carries it 100 times), and opens on a locked-down office PC where
unpacking an archive may not be allowed; an attendee who wants their own file downloads it.
"""

from collections.abc import Sequence
from datetime import datetime

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from markupsafe import Markup

from app.documents.attendees import may_have_certificate
from app.documents.rendering import render_pdf
from app.errors import DomainError
from app.events.models import Event
from app.registrations.models import Registration


class CertificateUnavailable(DomainError):
    message = _l(
        "参加証明書は、当日の受付がお済みの方に発行しています。受付の記録が見つからないため、"
        "発行できません。ご参加になった場合は、事務局へお問い合わせください。"
    )


def certificate_number(registration: Registration) -> str:
    """Printed on the certificate, so the secretariat can find the record it was made from."""
    return f"{registration.event_id:04d}-{registration.id:06d}"


def _page(event: Event, registration: Registration, issued_at: datetime) -> Markup:
    with force_locale(registration.locale or "ja"):
        return Markup(
            render_template(
                "documents/_certificate_page.html",
                event=event,
                registration=registration,
                number=certificate_number(registration),
                issued_at=issued_at,
                secretariat=current_app.config["SECRETARIAT_NAME"],
            )
        )


def certificates_pdf(
    event: Event, registrations: Sequence[Registration], issued_at: datetime
) -> bytes:
    """One page per registration, in the order given; CertificateUnavailable for anyone who was
    not checked in (the caller chose them; none is silently left out)."""
    if not registrations or not all(may_have_certificate(r) for r in registrations):
        raise CertificateUnavailable()
    pages = [_page(event, registration, issued_at) for registration in registrations]
    return render_pdf("documents/certificates.html", event=event, pages=pages)
