"""The input model of an announcement (一斉配信): subject, body, audience and send time, with every
rule that needs nothing but the input. The console's form and the JSON API translate into it;
the services check what needs the database (the event exists, the table is the event's) and the
clock (a send time still to come)."""

import re
from typing import Annotated, Literal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from pydantic import Field, ValidationInfo, field_validator

from app.announcements import placeholders
from app.formatting import format_items
from app.inputs import Id, InputModel, Line, Moment, Text, rule
from app.members.models import ThemeInterest
from app.registrations.models import RegistrationStatus

EVENT_REGISTRANTS = "event_registrants"
MEMBERS = "members"
MEMBERS_BY_THEME = "members_by_theme"
AUDIENCE_KINDS = (EVENT_REGISTRANTS, MEMBERS, MEMBERS_BY_THEME)
SUBJECT_MAX = 200
BODY_MAX = 20_000

PERSON_PLACEHOLDERS = placeholders.keys_for((placeholders.PERSON,))
EVENT_PLACEHOLDERS = placeholders.keys_for((placeholders.EVENT,))
REGISTRATION_PLACEHOLDERS = placeholders.keys_for((placeholders.REGISTRATION,))
ALL_PLACEHOLDERS = PERSON_PLACEHOLDERS + EVENT_PLACEHOLDERS + REGISTRATION_PLACEHOLDERS
# What counts as a placeholder when checking: any {...} on one line without nested braces, so a
# typo ({nmae}), attribute access ({name.__class__}) or an index ({name[0]}) is refused, not sent.
CANDIDATE = re.compile(r"\{([^{}\r\n]*)\}")


class AudienceInput(InputModel):
    """Who an announcement goes to: the registrants of an event (by status, optionally one
    table), every active member, or the members interested in some themes. A members' audience
    may name an event too, for {event_title} and {event_date}."""

    kind: Literal["event_registrants", "members", "members_by_theme"]
    event_id: Id | None = Field(None, validate_default=True)
    statuses: tuple[RegistrationStatus, ...] = Field(
        (RegistrationStatus.CONFIRMED,), max_length=len(RegistrationStatus)
    )
    """For registrants: which of them (default: confirmed)."""
    table_id: Id | None = None
    """For registrants: only those at this theme table."""
    themes: tuple[ThemeInterest, ...] = Field(
        (), max_length=len(ThemeInterest), validate_default=True
    )
    """For members_by_theme: members interested in any of these."""

    @field_validator("event_id")
    @classmethod
    def _event_for_registrants(cls, event_id, info: ValidationInfo):
        if info.data.get("kind") == EVENT_REGISTRANTS and event_id is None:
            raise rule(_("イベントを選んでください。"))
        return event_id

    @field_validator("statuses")
    @classmethod
    def _some_status(cls, statuses):
        if not statuses:
            raise rule(_("お申し込みの状態を選んでください。"))
        return tuple(status for status in RegistrationStatus if status in statuses)

    @field_validator("themes")
    @classmethod
    def _some_theme(cls, themes, info: ValidationInfo):
        if info.data.get("kind") == MEMBERS_BY_THEME and not themes:
            raise rule(_("テーマを選んでください。"))
        return tuple(sorted(set(themes)))

    def placeholders(self) -> tuple[str, ...]:
        """The placeholders this audience can fill: the person always, the event when there is
        one, the personal links only for registrants."""
        names: tuple[str, ...] = PERSON_PLACEHOLDERS
        if self.event_id is not None:
            names += EVENT_PLACEHOLDERS
        if self.kind == EVENT_REGISTRANTS:
            names += REGISTRATION_PLACEHOLDERS
        return names

    def stored(self) -> dict:
        """The audience as the announcement row keeps it."""
        if self.kind == EVENT_REGISTRANTS:
            return {
                "kind": self.kind,
                "event_id": self.event_id,
                "statuses": [str(status) for status in self.statuses],
                "table_id": self.table_id,
            }
        stored: dict[str, object] = {"kind": self.kind, "event_id": self.event_id}
        if self.kind == MEMBERS_BY_THEME:
            stored["themes"] = [str(theme) for theme in self.themes]
        return stored


def unknown_placeholder(text: str, allowed: tuple[str, ...]) -> str | None:
    """The first {...} in `text` that is not one of `allowed` (in either spelling), or None."""
    for match in CANDIDATE.finditer(text):
        if not placeholders.is_allowed(match.group(1), allowed):
            return match.group(1)
    return None


def placeholder_message(placeholder: str, allowed: tuple[str, ...]) -> str:
    return _(
        "「%(placeholder)s」は使えない差し込み項目です。使えるのは %(names)s です。",
        placeholder="{" + placeholder + "}",
        names=format_items(placeholders.tokens(allowed)),
    )


class AnnouncementInput(InputModel):
    """An announcement as typed: without `send_at` a draft, with it scheduled."""

    labels = {"subject": _l("件名"), "body": _l("本文"), "audience.kind": _l("配信先")}

    audience: AudienceInput
    subject: Annotated[str, Line(SUBJECT_MAX, required=True)]
    """May hold the placeholders the audience fills: {氏名} {自治体名} {イベント名} … (or the
    English tokens {name} {organization} {event_title} …)"""
    body: Annotated[str, Text(BODY_MAX, required=True)]
    send_at: Moment | None = None
    """When the worker sends it (after now); none: kept as a draft."""

    @field_validator("subject", "body")
    @classmethod
    def _placeholders_fit(cls, text: str, info: ValidationInfo) -> str:
        audience = info.data.get("audience")
        if audience is not None:
            allowed = audience.placeholders()
            wrong = unknown_placeholder(text, allowed)
            if wrong is not None:
                raise rule(placeholder_message(wrong, allowed))
        return text
