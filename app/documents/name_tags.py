"""名札: name tags for an event on a label sheet the organizer picks (labels.py), in 五十音順.

A tag shows the organisation and department, the reading and the name, each at the largest size
that fits one line of the label (long department names shrink rather than spill over).
"""

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from app.documents.labels import LabelSheet, lay_out, text_size_pt
from app.documents.rendering import render_pdf
from app.events.models import Event
from app.registrations.models import Registration

PADDING_MM = 4.0


@dataclass(frozen=True)
class NameTag:
    """What one label prints, with the font sizes that fit it."""

    name: str
    name_pt: float
    reading: str
    reading_pt: float
    organization: str
    organization_pt: float
    department: str
    department_pt: float


def name_tag(registration: Registration, sheet: LabelSheet) -> NameTag:
    width = sheet.width_mm - 2 * PADDING_MM
    tall = sheet.height_mm >= 50  # 42 mm labels get smaller type throughout
    organization = registration.organization_name
    department = registration.department
    reading = unicodedata.normalize("NFKC", registration.furigana)  # ｶﾅ as カナ
    return NameTag(
        name=registration.name,
        name_pt=text_size_pt(registration.name, width, 26 if tall else 20, 11),
        reading=reading,
        reading_pt=text_size_pt(reading, width, 10 if tall else 8, 6),
        organization=organization,
        organization_pt=text_size_pt(organization, width, 13 if tall else 11, 7),
        department=department,
        department_pt=text_size_pt(department, width, 10 if tall else 8, 6),
    )


def name_tags_pdf(
    event: Event, registrations: Sequence[Registration], sheet: LabelSheet, skip: int = 0
) -> bytes:
    tags = [name_tag(registration, sheet) for registration in registrations]
    return render_pdf(
        "documents/name_tags.html",
        event=event,
        sheet=sheet,
        pages=lay_out(tags, sheet, skip),
        padding_mm=PADDING_MM,
    )
