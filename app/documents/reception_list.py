"""受付名簿: the reception list on paper, A4 portrait, in 五十音順, with a box to tick per
person, for a desk without a phone or for the record of the day."""

from collections.abc import Sequence
from datetime import datetime

from app.documents.rendering import render_pdf
from app.events.models import Event
from app.exports.services import REGISTRATION_STATUS_LABELS
from app.registrations.models import Registration


def reception_list_pdf(
    event: Event, registrations: Sequence[Registration], printed_at: datetime
) -> bytes:
    return render_pdf(
        "documents/reception_list.html",
        event=event,
        people=registrations,
        printed_at=printed_at,
        status_labels=REGISTRATION_STATUS_LABELS,
    )
