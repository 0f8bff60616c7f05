"""The input model of a sign-up: who the person is, which parts and theme table, and their
answers. The sign-up form and the JSON API read into it; the services check what needs the
event (the window, the seats, that the parts, table and answers are the event's own)."""

from typing import Annotated

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from pydantic import BeforeValidator, Field, field_validator

from app.events.inputs import MAX_PARTS, MAX_QUESTIONS
from app.inputs import EmailAddress, Flag, Id, InputModel, Line, rule
from app.members.inputs import PERSON_LABELS, Department, Locale, Name, Organization, must_agree
from app.organizations.search import OrganizationUnclear, checked_organization

FURIGANA_MAX = 100
POSITION_MAX = 100


def _keyed_by_text(answers):
    """Question ids as keys, given as numbers or text ({7: ...} or {"7": ...})."""
    if isinstance(answers, dict):
        return {str(key): value for key, value in answers.items()}
    return answers


Answer = str | Annotated[tuple[str, ...], Field(max_length=100)] | None
PartIds = Annotated[tuple[Id, ...], Field(max_length=MAX_PARTS)]
Answers = Annotated[
    dict[str, Answer], BeforeValidator(_keyed_by_text), Field(max_length=MAX_QUESTIONS)
]


class RegistrantDetails(InputModel):
    """What a registration says about the person and their choices: what an organizer may
    correct (the address is the person's identity and stays)."""

    labels = {**PERSON_LABELS, "furigana": _l("ふりがな")}

    name: Name
    furigana: Annotated[str, Line(FURIGANA_MAX)] = ""
    organization: Organization
    """The municipality as people write it (「江戸川区」「東京都江戸川区」) or another body."""
    department: Department = ""
    position: Annotated[str, Line(POSITION_MAX)] = ""
    parts: PartIds = ()
    """The ids of the parts (第一部・第二部) the person joins."""
    table: Id | None = None
    """The id of the theme table, when a chosen part sits at tables."""
    answers: Answers = {}
    """Answers by question id: text, or a list of the options chosen."""

    @field_validator("organization")
    @classmethod
    def _organization(cls, value: str) -> str:
        """A government by its official name; a reading or a name several governments share is
        answered with the candidates, so the person picks one."""
        try:
            return checked_organization(value)
        except OrganizationUnclear as unclear:
            raise rule(unclear.message) from None

    @property
    def part_ids(self) -> list[int]:
        return list(dict.fromkeys(self.parts))

    @property
    def table_id(self) -> int | None:
        return self.table


class RegistrationInput(RegistrantDetails):
    """A person's sign-up for an event."""

    email: EmailAddress
    locale: Locale = "ja"


class SignUpInput(RegistrationInput):
    """A sign-up from the person themselves, who agrees to the purpose of use."""

    privacy: Flag = Field(False, validate_default=True)
    """Agreed to the handling of personal data (個人情報の取り扱いについて)."""

    @field_validator("privacy")
    @classmethod
    def _privacy(cls, value):
        return must_agree(value, _("お申し込みには個人情報の取り扱いへの同意が必要です。"))


class ChoiceChange(InputModel):
    """The attendee's own change from the management page: parts, theme table and answers (who
    they are stays; the secretariat corrects that)."""

    parts: PartIds = ()
    table: Id | None = None
    answers: Answers = {}

    @property
    def part_ids(self) -> list[int]:
        return list(dict.fromkeys(self.parts))

    @property
    def table_id(self) -> int | None:
        return self.table
