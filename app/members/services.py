"""Membership applications (参加のお申し込み) with double opt-in."""

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, or_, select

from app.audit.actor import Actor
from app.audit.services import record
from app.errors import DomainError
from app.extensions import db
from app.mail import throttle
from app.mail.outbox import OutboxMessage, withdraw_bulk_mail
from app.members import applications, notifications
from app.members.consent import CURRENT_VERSION
from app.members.inputs import MembershipInput, ProfileInput, SuccessorInput
from app.members.models import Member, MembershipApplication, MemberStatus
from app.organizations.services import find_local_government, resolve_organization
from app.tokens import find_signed, make_token, new_nonce, token_matches, token_row_id

CONFIRM_PURPOSE = "member-confirm"
FEED_PURPOSE = "member-feed"
UNSUBSCRIBE_PURPOSE = "member-unsubscribe"
STILL_CONTACT_PURPOSE = "member-still-contact"
HANDOVER_PURPOSE = "member-handover"
PROFILE_PURPOSE = "member-profile"
# consent_version of a successor invited by their predecessor, until they confirm themselves.
AWAITING_CONSENT = "invited"


class MembershipLinkInvalid(DomainError):
    message = _l("このリンクは無効か、既に使用されています。")


def apply_for_membership(data: MembershipInput, now: datetime) -> Member | None:
    """Record an application and mail a confirmation link; the member is active only once clicked.

    Someone already active gets a mail saying so instead, so the form never reveals who is a
    member. For an address that has a record (pending, invited, unsubscribed) the application is
    held apart and the record changes only on confirmation. Past REQUESTED_MAIL_LIMIT mails to the
    address nothing happens at all, with the same answer. Returns the address's member record
    (new and pending, or as it was), if there is one.
    """
    member = db.session.scalar(select(Member).where(Member.email == data.email))
    if not throttle.may_send(data.email, throttle.MEMBERSHIP_MAIL, "REQUESTED_MAIL_LIMIT", now):
        return member
    if member is not None and member.status == MemberStatus.ACTIVE:
        notifications.notify_already_member(member)
        return member
    organization = resolve_organization(data.organization)
    if member is not None:
        application = applications.hold_application(data, organization, now)
        notifications.notify_confirm_membership(
            application, applications.application_token(application)
        )
        return member
    member = Member(email=data.email)
    db.session.add(member)
    member.name = data.name
    member.organization_code = organization.code
    member.organization_name = organization.name
    member.department = data.department
    member.theme_interests = list(data.theme_interests)
    member.locale = data.locale
    member.listed_publicly = data.listed_publicly
    member.status = MemberStatus.PENDING
    member.consent_at = now
    member.consent_version = CURRENT_VERSION
    member.confirm_nonce = new_nonce()
    db.session.flush()
    notifications.notify_confirm_membership(member, confirm_token(member))
    return member


def confirm_token(member: Member) -> str:
    if member.confirm_nonce is None:
        raise ValueError("a confirmed member has no confirmation link")
    return make_token(CONFIRM_PURPOSE, member.id, member.confirm_nonce)


def find_pending_by_token(token: str, lock: bool = False) -> Member:
    """The member a confirmation link was sent to; with `lock`, the row is locked for update."""
    row_id = token_row_id(token)
    member = (
        db.session.get(Member, row_id, with_for_update=lock, populate_existing=lock)
        if row_id is not None
        else None
    )
    if member is None or not token_matches(token, CONFIRM_PURPOSE, member.id, member.confirm_nonce):
        raise MembershipLinkInvalid()
    return member


def confirm_membership(token: str, now: datetime, listed_publicly: bool | None = None) -> Member:
    """Activate the member the link was sent to; the link works once, even when clicked twice at
    once. `listed_publicly` is the invited successor's own answer (an applicant gave theirs on
    the join form, and it stands)."""
    member = find_pending_by_token(token, lock=True)
    if member.consent_version == AWAITING_CONSENT and listed_publicly is not None:
        member.listed_publicly = listed_publicly
    return _activate(member, now)


def find_application_by_token(token: str, now: datetime) -> MembershipApplication:
    """The held application a confirmation link was sent for, while its address is not active."""
    application = applications.find_application(token, now)
    if application is None or _is_active(application.email):
        raise MembershipLinkInvalid()
    return application


def _is_active(email: str) -> bool:
    status = db.session.scalar(select(Member.status).where(Member.email == email))
    return status == MemberStatus.ACTIVE


def confirm_application(token: str, now: datetime) -> Member:
    """The address's owner confirmed a held application: its details go on the member (made anew
    if the record went meanwhile), who becomes active; the link works once."""
    application = applications.find_application(token, now, lock=True)
    if application is None:
        raise MembershipLinkInvalid()
    member = db.session.scalar(
        select(Member).where(Member.email == application.email).with_for_update()
    )
    if member is not None and member.status == MemberStatus.ACTIVE:
        raise MembershipLinkInvalid()
    if member is None:
        member = Member(email=application.email)
        db.session.add(member)
    for name in (
        "name",
        "organization_code",
        "organization_name",
        "department",
        "locale",
        "listed_publicly",
        "consent_version",
    ):
        setattr(member, name, getattr(application, name))
    member.theme_interests = list(application.theme_interests)
    member.consent_at = application.created_at
    return _activate(member, now)


def _activate(member: Member, now: datetime) -> Member:
    member.status = MemberStatus.ACTIVE
    member.confirmed_at = now
    member.unsubscribed_at = None
    member.confirm_nonce = None
    member.feed_nonce = member.feed_nonce or new_nonce()
    member.contact_confirmed_at = now
    if member.consent_version == AWAITING_CONSENT:
        member.consent_at = now
        member.consent_version = CURRENT_VERSION
    predecessor = db.session.get(Member, member.predecessor_id) if member.predecessor_id else None
    if predecessor is not None and predecessor.status == MemberStatus.ACTIVE:
        # The successor took over: the old address stops getting notices from now on.
        predecessor.status = MemberStatus.UNSUBSCRIBED
        predecessor.unsubscribed_at = now
    db.session.flush()
    applications.discard_applications(member.email)
    notifications.notify_welcome(member, feed_token(member), profile_token(member))
    return member


def feed_token(member: Member) -> str:
    """The secret in the member's personal calendar feed URL."""
    if member.feed_nonce is None:
        raise ValueError("the feed is made when the membership is confirmed")
    return make_token(FEED_PURPOSE, member.id, member.feed_nonce)


def reissue_feed_token(member: Member) -> str:
    """Revoke the member's feed URL (say it was shared) and return the new token."""
    member.feed_nonce = new_nonce()
    db.session.flush()
    return feed_token(member)


def find_by_feed_token(token: str) -> Member:
    member = find_signed(Member, token, FEED_PURPOSE, "feed_nonce")
    if member is None or member.status != MemberStatus.ACTIVE:
        raise MembershipLinkInvalid()
    return member


def unsubscribe_token(member: Member) -> str:
    """The secret in the member's unsubscribe link (every notice and announcement carries it)."""
    return make_token(UNSUBSCRIBE_PURPOSE, member.id, member.list_nonce)


def still_contact_token(member: Member) -> str:
    return make_token(STILL_CONTACT_PURPOSE, member.id, member.list_nonce)


def handover_token(member: Member) -> str:
    return make_token(HANDOVER_PURPOSE, member.id, member.list_nonce)


def profile_token(member: Member) -> str:
    """The secret in the link to the member's own record (see, correct, leave)."""
    return make_token(PROFILE_PURPOSE, member.id, member.list_nonce)


def _find_by_list_token(token: str, purpose: str) -> Member:
    member = find_signed(Member, token, purpose, "list_nonce")
    if member is None:
        raise MembershipLinkInvalid()
    return member


def find_by_unsubscribe_token(token: str) -> Member:
    return _find_by_list_token(token, UNSUBSCRIBE_PURPOSE)


def find_by_still_contact_token(token: str) -> Member:
    return _find_by_list_token(token, STILL_CONTACT_PURPOSE)


def find_by_handover_token(token: str) -> Member:
    return _find_by_list_token(token, HANDOVER_PURPOSE)


def find_by_profile_token(token: str) -> Member:
    member = _find_by_list_token(token, PROFILE_PURPOSE)
    if member.status == MemberStatus.PENDING:
        raise MembershipLinkInvalid()
    return member


def update_profile(member: Member, data: ProfileInput, *, actor: Actor | None) -> None:
    """The member's own correction (no actor: not an organizer's act), or an organizer's, which
    the audit log keeps."""
    member.name = data.name
    member.department = data.department
    member.theme_interests = list(data.theme_interests)
    member.listed_publicly = data.listed_publicly
    db.session.flush()
    if actor is not None:
        record(actor, "member.update", f"member:{member.id}")


def leave_network(member: Member) -> None:
    """退会: the member's record goes, with the membership mail kept for it (notices,
    announcements, welcome). Sign-ups to events are the attendee's own and stay, with their mail."""
    db.session.execute(
        delete(OutboxMessage).where(
            OutboxMessage.to_addr == member.email,
            or_(
                OutboxMessage.unsubscribe_url.is_not(None),
                OutboxMessage.category.startswith("member_", autoescape=True),
            ),
        )
    )
    db.session.delete(member)
    db.session.flush()


def confirm_still_contact(member: Member, now: datetime) -> None:
    """「引き続き担当です」: the April check answered yes."""
    member.contact_confirmed_at = now
    db.session.flush()


def hand_over(member: Member, successor: SuccessorInput, now: datetime) -> Member:
    """「後任者へ引き継ぐ」: invite the successor to join for the same organisation. The member keeps
    getting notices until the successor confirms (see confirm_membership)."""
    if successor.email == member.email:
        raise DomainError(_l("後任の方のメールアドレスを入力してください。"), field="email")
    existing = db.session.scalar(select(Member).where(Member.email == successor.email))
    if existing is not None and existing.status == MemberStatus.ACTIVE:
        # Already a member: the hand-over is done as soon as we know.
        member.status = MemberStatus.UNSUBSCRIBED
        member.unsubscribed_at = now
        db.session.flush()
        return existing
    applicant = existing or Member(email=successor.email)
    db.session.add(applicant)
    applicant.name = successor.name
    applicant.organization_code = member.organization_code
    applicant.organization_name = member.organization_name
    applicant.department = successor.department
    applicant.theme_interests = list(member.theme_interests)
    # Proposed to the successor on the confirmation page, where they answer for themselves.
    applicant.listed_publicly = member.listed_publicly
    applicant.locale = member.locale
    applicant.status = MemberStatus.PENDING
    # The successor has agreed to nothing yet; they consent on the confirmation page.
    applicant.consent_at = now
    applicant.consent_version = AWAITING_CONSENT
    applicant.confirm_nonce = new_nonce()
    applicant.predecessor_id = member.id
    db.session.flush()
    notifications.notify_handover_invitation(applicant, member, confirm_token(applicant))
    return applicant


def unsubscribe(member: Member, now: datetime) -> bool:
    """Stop notices and announcements to the member (配信停止). Mail about events they sign up
    for still comes. Returns False when they had already unsubscribed."""
    if member.status == MemberStatus.UNSUBSCRIBED:
        return False
    member.status = MemberStatus.UNSUBSCRIBED
    member.unsubscribed_at = now
    withdraw_bulk_mail(member.email)
    db.session.flush()
    return True


@dataclass
class ListedPrefecture:
    """One prefecture on the ご参加自治体 page, with its listed organisations in code order."""

    name: str
    organizations: list[str] = field(default_factory=list)


def listed_organizations() -> list[ListedPrefecture]:
    """The organisations of active members who agreed to be listed, each once, grouped by
    prefecture in 全国地方公共団体コード order.

    Only organisations on the official list appear, under their official names: free text typed
    into the form is never published.
    """
    codes = db.session.scalars(
        select(Member.organization_code)
        .where(
            Member.status == MemberStatus.ACTIVE,
            Member.listed_publicly.is_(True),
            Member.organization_code.is_not(None),
        )
        .distinct()
    )
    prefectures: dict[str, ListedPrefecture] = {}
    for code in sorted(code for code in codes if code):
        government = find_local_government(code)
        if government is None:
            continue
        prefecture = prefectures.setdefault(code[:2], ListedPrefecture(government.prefecture))
        prefecture.organizations.append(government.municipality or government.prefecture)
    return [prefectures[key] for key in sorted(prefectures)]
