"""Mail to people who apply to the network."""

from flask_babel import lazy_gettext as _l

from app.mail.compose import public_url, queue_mail, webcal
from app.members.models import Member, MembershipApplication


def _queue(name: str, member: Member | MembershipApplication, subject, **context) -> None:
    queue_mail(
        name,
        to_addr=member.email,
        to_name=member.name,
        locale=member.locale,
        subject=subject,
        member=member,
        **context,
    )


def notify_confirm_membership(member: Member | MembershipApplication, token: str) -> None:
    """The double opt-in mail: the application counts only after its link is followed. For an
    address that has a record, `member` is the held application (what was typed)."""
    subject = _l("【要確認】全国自治体リスキリングネットワーク 参加のお申し込み")
    _queue(
        "member_confirm", member, subject, confirm_url=public_url("members.confirm", token=token)
    )


def notify_already_member(member: Member) -> None:
    subject = _l("全国自治体リスキリングネットワーク 参加登録済みのお知らせ")
    _queue("member_already", member, subject)


def notify_welcome(member: Member, feed_token: str, profile_token: str) -> None:
    """Welcome, with the member's personal calendar feed (sessions, and their own join links) and
    the page of their own record."""
    subject = _l("【登録完了】全国自治体リスキリングネットワークへようこそ")
    feed_url = public_url("registrations.member_feed", token=feed_token)
    _queue(
        "member_welcome",
        member,
        subject,
        feed_url=feed_url,
        webcal_url=webcal(feed_url),
        profile_url=public_url("members.profile", token=profile_token),
    )


def notify_handover_invitation(member: Member, predecessor: Member, token: str) -> None:
    """The successor named in the April check is invited; joining takes their own confirmation."""
    subject = _l("【ご案内】全国自治体リスキリングネットワーク 担当者引き継ぎのお知らせ")
    _queue(
        "member_handover",
        member,
        subject,
        predecessor=predecessor,
        confirm_url=public_url("members.confirm", token=token),
    )


def notify_profile_link(member: Member, profile_token: str) -> None:
    """The link to the member's own record, asked for on the unsubscribe page (or its own)."""
    subject = _l("全国自治体リスキリングネットワーク 登録内容の確認・変更のご案内")
    _queue(
        "member_profile_link",
        member,
        subject,
        profile_url=public_url("members.profile", token=profile_token),
    )
