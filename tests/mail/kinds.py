"""One mail of every kind, made by the same builders the app calls, with realistic content: an
online event with two parts and two theme tables, a full waitlist, a member, an inquiry."""

import email
from datetime import timedelta
from email import policy

import pytest
from sqlalchemy import select

from app import clock
from app.announcements import sending as announcements
from app.extensions import db
from app.inquiries.models import Inquiry
from app.inquiries.notifications import notify_organizers, notify_sender
from app.mail.outbox import OutboxMessage
from app.materials.notifications import notify_materials_available
from app.members.imports.notifications import notify_import_invitation
from app.members.models import MemberStatus
from app.members.notifications import (
    notify_already_member,
    notify_confirm_membership,
    notify_handover_invitation,
    notify_profile_link,
    notify_welcome,
)
from app.notices.notifications import notify_half_year
from app.organizers.notifications import notify_password_reset
from app.registrations import notifications as registration_mail
from app.registrations.models import RegistrationStatus
from app.reminders.notifications import notify_reminder
from tests.conftest import NOW
from tests.factories import make_announcement, make_member

SECRETARIAT = {
    "SECRETARIAT_NAME": "全国自治体リスキリングネットワーク事務局",
    "SECRETARIAT_ADDRESS": "〒680-8570 鳥取県鳥取市東町一丁目220",
    "SECRETARIAT_CONTACT": "info@reskilling.example.jp",
    "MAIL_DEFAULT_SENDER": "全国自治体リスキリングネットワーク事務局 <info@reskilling.example.jp>",
}


def _made_by(action) -> OutboxMessage:
    """Run `action`, return the one message it queued."""
    before = set(db.session.scalars(select(OutboxMessage.id)))
    action()
    db.session.flush()
    new = [m for m in db.session.scalars(select(OutboxMessage)) if m.id not in before]
    assert len(new) == 1, [m.category for m in new]
    return new[0]


@pytest.fixture
def every_mail_kind(app, make_event, make_registration, make_organizer):
    """{label: OutboxMessage}, one per kind of mail the service sends."""
    app.config.update(SECRETARIAT)
    event = make_event(
        title="2026年度 セミナー＆情報交換会「ひとの学びで、地域は進む」",
        description="第一部は先進自治体の事例共有、第二部はテーマ別の情報交換会です。",
        capacity=1,
        parts=[
            {"title": "第一部 基調講演", "starts_at": NOW + timedelta(days=30)},
            {"title": "第二部 情報交換会", "starts_at": NOW + timedelta(days=30, hours=1)},
        ],
        tables=[{"title": "企業・市民向け事業"}, {"title": "庁内職員向け事業"}],
    )
    kinds: dict[str, OutboxMessage] = {}
    first = db.session.scalars(select(OutboxMessage.id)).all()
    confirmed = make_registration(
        event,
        part_ids=[part.id for part in event.parts],
        table_id=event.tables[1].id,
        organization="札幌市",
        department="総務局 デジタル推進課",
    )
    kinds["confirmation"] = next(
        m for m in db.session.scalars(select(OutboxMessage)) if m.id not in first
    )
    before = set(db.session.scalars(select(OutboxMessage.id)))
    waiting = make_registration(event, part_ids=[event.parts[0].id])
    assert waiting.status == RegistrationStatus.WAITLISTED
    kinds["waitlist"] = next(
        m for m in db.session.scalars(select(OutboxMessage)) if m.id not in before
    )
    waiting.status = RegistrationStatus.CONFIRMED
    kinds["promotion"] = _made_by(lambda: registration_mail.notify_promoted(waiting))
    kinds["update"] = _made_by(
        lambda: registration_mail.notify_registration_updated(confirmed, with_invite=True)
    )
    kinds["changed by the attendee"] = _made_by(
        lambda: registration_mail.notify_changed_by_attendee(
            confirmed, ["テーマテーブル"], requeued=False, with_invite=True
        )
    )
    kinds["reminder"] = _made_by(lambda: notify_reminder(confirmed, "1d"))
    kinds["event changed"] = _made_by(lambda: registration_mail.notify_event_changed(confirmed))
    kinds["cancellation"] = _made_by(
        lambda: registration_mail.notify_registration_cancelled(confirmed, had_seat=True)
    )
    kinds["event cancelled"] = _made_by(lambda: registration_mail.notify_event_cancelled(confirmed))

    member = make_member(name="札幌 花子", organization="札幌市", commit=False)
    kinds["half-yearly notice"] = _made_by(
        lambda: notify_half_year(member, [event], contact_check=True)
    )
    announcement = make_announcement(
        subject="9月にセミナー＆情報交換会を開催します",
        body="{name} 様\n\n9月にセミナー＆情報交換会を開催予定です。詳細は追ってご案内します。",
        created_by="jimukyoku@reskilling.example.jp",
        commit=False,
    )
    kinds["announcement"] = _made_by(
        lambda: announcements.queue_announcement(announcement.id, clock.now())
    )
    kinds["materials"] = _made_by(
        lambda: notify_materials_available(
            event, [], member.email, member.name, "ja", "当日の資料をお送りします。", member
        )
    )
    applicant = make_member(
        name="札幌 次郎", organization="札幌市", status=MemberStatus.PENDING, commit=False
    )
    kinds["join confirmation"] = _made_by(
        lambda: notify_confirm_membership(applicant, "confirm-token")
    )
    kinds["import invitation"] = _made_by(
        lambda: notify_import_invitation(applicant, "confirm-token", clock.now())
    )
    kinds["welcome"] = _made_by(lambda: notify_welcome(member, "feed-token", "profile-token"))
    kinds["already a member"] = _made_by(lambda: notify_already_member(member))
    kinds["handover"] = _made_by(
        lambda: notify_handover_invitation(
            make_member(name="札幌 三郎", organization="札幌市", commit=False),
            member,
            "handover-token",
        )
    )
    kinds["profile link"] = _made_by(lambda: notify_profile_link(member, "profile-token"))

    inquiry = Inquiry(
        name="鳥取 太郎",
        email="taro@pref.tottori.example.jp",
        organization_name="鳥取県",
        subject="次回の情報交換会について",
        body="テーブルの定員と、途中参加の可否を教えてください。",
    )
    db.session.add(inquiry)
    db.session.flush()
    kinds["inquiry reply"] = _made_by(lambda: notify_sender(inquiry))
    kinds["inquiry notification"] = _made_by(
        lambda: notify_organizers(inquiry, ["jimukyoku@reskilling.example.jp"])
    )
    kinds["password reset"] = _made_by(
        lambda: notify_password_reset(make_organizer(), "reset-token")
    )
    db.session.commit()
    for label, message in kinds.items():
        assert message.mime is not None, f"{label}: {message.last_error}"
    return kinds


def parsed(message: OutboxMessage) -> email.message.EmailMessage:
    return email.message_from_bytes(message.mime, policy=policy.default)
