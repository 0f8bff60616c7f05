"""The membership application form (参加のお申し込み)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectChoice, StringField
from wtforms.validators import DataRequired

from app.forms import (
    HoneypotForm,
    MultiCheckboxField,
    department_field,
    email_field,
    name_field,
    organization_field,
    read_into,
)
from app.members.inputs import JoinInput, ProfileInput, SuccessorInput
from app.members.models import ThemeInterest

THEME_CHOICES = [
    SelectChoice(ThemeInterest.STAFF.value, _l("庁内職員向け事業（職員のDX人材育成など）")),
    SelectChoice(
        ThemeInterest.BUSINESS_CITIZENS.value,
        _l("企業・市民向け事業（中小企業のDX推進、市民・求職者の学びなど）"),
    ),
]


LISTED_PUBLICLY_LABEL = _l("自治体名をご参加自治体一覧に掲載してよい")


def themes_field() -> MultiCheckboxField:
    return MultiCheckboxField(_l("関心のあるテーマ"), choices=THEME_CHOICES, validate_choice=False)


class MembershipForm(HoneypotForm):
    name = name_field()
    email = email_field(_l("メールアドレス"), checked=False)
    organization = organization_field()
    department = department_field()
    theme_interests = themes_field()
    # Unchecked unless the applicant ticks it: naming the organisation in public needs its own yes.
    listed_publicly = BooleanField(LISTED_PUBLICLY_LABEL, default=False)
    consent = BooleanField(_l("お知らせメールの受信に同意します"))
    privacy = BooleanField(_l("「個人情報の取り扱いについて」に同意します"))

    def validated_input(self, locale: str) -> JoinInput | None:
        """The application as typed, checked by its input model (the JSON API reads into the
        same model); None with every mistake beside its field."""
        readable = self.validate()
        data = read_into(
            self,
            JoinInput,
            {
                "name": self.name.data or "",
                "email": self.email.data or "",
                "organization": self.organization.data or "",
                "department": self.department.data or "",
                "theme_interests": list(self.theme_interests.data or []),
                "listed_publicly": bool(self.listed_publicly.data),
                "consent": bool(self.consent.data),
                "privacy": bool(self.privacy.data),
                "locale": locale,
            },
        )
        return data if readable else None


class ConfirmForm(FlaskForm):
    """Only the CSRF token: confirming is a POST, so mail scanners that open links confirm nothing."""


class MembershipConfirmForm(ConfirmForm):
    """The double opt-in. A successor invited by their predecessor also answers the public
    listing here (an applicant did on the join form)."""

    listed_publicly = BooleanField(LISTED_PUBLICLY_LABEL)


class HandoverForm(FlaskForm):
    """The successor's details, given by the member handing over."""

    # Not name_field(): the browser must not fill in the member's own name here.
    name = StringField(_l("後任の方のお名前"))
    email = email_field(_l("後任の方のメールアドレス"), checked=False)
    department = department_field()

    def validated_input(self) -> SuccessorInput | None:
        readable = self.validate()
        data = read_into(
            self,
            SuccessorInput,
            {
                "name": self.name.data or "",
                "email": self.email.data or "",
                "department": self.department.data or "",
            },
        )
        return data if readable else None


class ProfileForm(FlaskForm):
    """A member's own record, as they may correct it (登録内容の変更)."""

    name = name_field()
    department = department_field()
    theme_interests = themes_field()
    listed_publicly = BooleanField(LISTED_PUBLICLY_LABEL)

    def validated_input(self) -> ProfileInput | None:
        readable = self.validate()
        data = read_into(
            self,
            ProfileInput,
            {
                "name": self.name.data or "",
                "department": self.department.data or "",
                "theme_interests": list(self.theme_interests.data or []),
                "listed_publicly": bool(self.listed_publicly.data),
            },
        )
        return data if readable else None


class LeaveForm(FlaskForm):
    """退会: a box to tick, so that one stray click deletes nothing."""

    sure = BooleanField(
        _l("退会し、登録情報を削除します"),
        validators=[DataRequired(message=_l("退会する場合は、チェックを入れてください。"))],
    )
