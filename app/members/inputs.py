"""The input models of a membership (参加のお申し込み, a member's own corrections, a successor
named in a hand-over), and the person fields every sign-up form shares with them (a name, an
organisation, a department), each defined once."""

from typing import Annotated

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from pydantic import Field, field_validator
from pydantic.json_schema import SkipJsonSchema

from app.inputs import Code, EmailAddress, Flag, InputModel, Line, rule
from app.members.models import ThemeInterest

NAME_MAX = 100
ORGANIZATION_MAX = 100
DEPARTMENT_MAX = 200

Name = Annotated[str, Line(NAME_MAX, required=True)]
# NFKC, so that 「東京都　江戸川区」 and full-width letters match the official list.
Organization = Annotated[str, Code(ORGANIZATION_MAX, required=True)]
Department = Annotated[str, Line(DEPARTMENT_MAX)]
Themes = Annotated[tuple[ThemeInterest, ...], Field(max_length=len(ThemeInterest))]
Locale = SkipJsonSchema[str]  # the language the request was read in: mail goes out in it

PERSON_LABELS = {
    "name": _l("お名前"),
    "email": _l("メールアドレス"),
    "organization": _l("所属団体"),
}


def must_agree(value, message):
    """A box that must be ticked; unticked or missing says `message`."""
    if value is not True:
        raise rule(message)
    return value


class MembershipInput(InputModel):
    """A membership as the services take it: who, which organisation, what interests them."""

    labels = PERSON_LABELS

    name: Name
    email: EmailAddress
    organization: Organization
    """The municipality as people write it (「江戸川区」「東京都江戸川区」) or another body."""
    department: Department = ""
    theme_interests: Themes = ()
    listed_publicly: Flag = False
    """The organisation may be named on /municipalities (its own yes, unticked by default)."""
    locale: Locale = "ja"

    @field_validator("theme_interests")
    @classmethod
    def _once_each(cls, themes):
        return tuple(theme for theme in ThemeInterest if theme in themes)


class JoinInput(MembershipInput):
    """An application to join the network (/join and the API), with the applicant's consent to
    notices (特定電子メール法) and to the purpose of use (個人情報保護法)."""

    consent: Flag = Field(False, validate_default=True)
    """Agreed to receive the network's notices by mail."""
    privacy: Flag = Field(False, validate_default=True)
    """Agreed to the handling of personal data (個人情報の取り扱いについて)."""

    @field_validator("consent")
    @classmethod
    def _consented(cls, value):
        return must_agree(value, _("お知らせメールの受信への同意が必要です。"))

    @field_validator("privacy")
    @classmethod
    def _privacy(cls, value):
        return must_agree(value, _("お申し込みには個人情報の取り扱いへの同意が必要です。"))


class ProfileInput(InputModel):
    """What a member may correct themselves; the address and organisation identify the
    membership (a new address or organisation is a new application, or a hand-over)."""

    labels = PERSON_LABELS

    name: Name
    department: Department = ""
    theme_interests: Themes = ()
    listed_publicly: Flag = False


class SuccessorInput(InputModel):
    """The successor a member names when handing over (後任の方)."""

    labels = {"name": _l("後任の方のお名前"), "email": _l("後任の方のメールアドレス")}

    name: Name
    email: EmailAddress
    department: Department = ""
