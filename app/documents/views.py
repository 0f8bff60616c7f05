"""The attendee's door to their documents: the certificate of attendance, from the link in their
mail (/r/<token>, the management page). A GET that writes nothing."""

from flask import Blueprint, Response, render_template, request

from app import clock
from app.documents.attendees import may_have_certificate
from app.documents.certificates import CertificateUnavailable, certificates_pdf
from app.documents.http import pdf_response
from app.extensions import limiter
from app.registrations.signup import find_by_token

bp = Blueprint("documents", __name__)


def _registration_key() -> str:
    """One counter per registration (the id a token claims): laying out a PDF takes a CPU for a
    moment, so a link pasted somewhere public cannot keep the server busy."""
    token = str((request.view_args or {}).get("token", ""))
    return "certificate:" + token.partition(".")[0][:12]


@bp.route("/r/<token>/certificate.pdf")
@limiter.limit("20 per hour", key_func=_registration_key)
def certificate(token: str) -> Response | tuple[str, int]:
    """Their own certificate once checked in; before that, a page that says why not (403).
    A wrong token is a 404, like every page behind the management link."""
    registration = find_by_token(token)
    if not may_have_certificate(registration):
        return render_template(
            "documents/certificate_unavailable.html",
            registration=registration,
            event=registration.event,
            token=token,
            message=CertificateUnavailable.message,
        ), 403
    body = certificates_pdf(registration.event, [registration], clock.now())
    return pdf_response(body, f"certificate-event{registration.event_id}.pdf")
