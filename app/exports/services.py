"""The console's downloads: an event's registrants and attendance, and the members (as searched
in the console, with their consent record), as rows for a Table."""

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.events.models import Event
from app.exports import labels
from app.exports.cells import Code
from app.extensions import db
from app.members.models import Member, MemberStatus, ThemeInterest
from app.members.search import MemberSearch, member_query
from app.members.services import AWAITING_CONSENT
from app.registrations.models import Registration, RegistrationStatus
from app.statistics.services import prefecture_of

REGISTRATION_STATUS_LABELS = {
    RegistrationStatus.CONFIRMED: _l("参加確定"),
    RegistrationStatus.WAITLISTED: _l("キャンセル待ち"),
    RegistrationStatus.PENDING: _l("承認待ち"),
    RegistrationStatus.CANCELLED: _l("キャンセル"),
}
MEMBER_STATUS_LABELS = {
    MemberStatus.PENDING: _l("確認待ち"),
    MemberStatus.ACTIVE: _l("有効"),
    MemberStatus.UNSUBSCRIBED: _l("配信停止"),
}
THEME_LABELS = {
    ThemeInterest.STAFF: _l("庁内職員向け事業"),
    ThemeInterest.BUSINESS_CITIZENS: _l("企業・市民向け事業"),
}
# Several choices, parts or themes in one cell.
JOINER = "、"


@dataclass
class Table:
    """Headers and rows of cells (text, numbers, aware datetimes or None) for a writer."""

    sheet_title: str
    headers: list[str]
    rows: list[list] = field(default_factory=list)


def _label(labels: dict, value: str) -> str:
    return str(labels.get(value, value))


def _yes_no(flag: bool) -> str:
    return _("はい") if flag else _("いいえ")


def _answer_text(answer) -> str:
    """A custom question's answer as one cell: choices of a multiple-choice question joined."""
    if answer is None:
        return ""
    if isinstance(answer, list):
        return JOINER.join(str(choice) for choice in answer)
    return str(answer)


def _event_registrations(event_id: int, *statuses: str) -> list[Registration]:
    query = (
        select(Registration)
        .where(Registration.event_id == event_id)
        .options(selectinload(Registration.parts), selectinload(Registration.table))
        .order_by(Registration.id)
    )
    if statuses:
        query = query.where(Registration.status.in_(statuses))
    return list(db.session.scalars(query))


def _parts_text(registration: Registration) -> str:
    return JOINER.join(part.title for part in registration.parts)


def _table_text(registration: Registration) -> str:
    return registration.table.title if registration.table else ""


def registrant_table(event: Event) -> Table:
    """Everyone who signed up for the event, whatever their status, one column per question."""
    questions = list(event.questions)
    headers = [
        str(labels.NUMBER),
        str(labels.STATUS),
        str(labels.NAME),
        str(labels.READING),
        str(labels.EMAIL),
        str(labels.ORGANIZATION),
        str(labels.DEPARTMENT),
        str(labels.POSITION),
        str(labels.PARTS),
        str(labels.TABLE),
        *(question.label for question in questions),
        str(labels.CHECKED_IN),
        str(labels.REGISTERED_AT),
    ]
    rows = [
        [
            registration.id,
            _label(REGISTRATION_STATUS_LABELS, registration.status),
            registration.name,
            registration.furigana,
            registration.email,
            registration.organization_name,
            registration.department,
            registration.position,
            _parts_text(registration),
            _table_text(registration),
            *(_answer_text((registration.answers or {}).get(str(q.id))) for q in questions),
            registration.checked_in_at,
            registration.created_at,
        ]
        for registration in _event_registrations(event.id)
    ]
    return Table(_("申込者一覧"), headers, rows)


def attendance_table(event: Event) -> Table:
    """The confirmed attendees, whether they checked in (受付) and when."""
    headers = [
        str(labels.NUMBER),
        str(labels.NAME),
        str(labels.READING),
        str(labels.ORGANIZATION),
        str(labels.DEPARTMENT),
        str(labels.POSITION),
        str(labels.EMAIL),
        str(labels.PARTS),
        str(labels.TABLE),
        str(labels.ATTENDED),
        str(labels.CHECKED_IN_AT),
    ]
    rows = [
        [
            registration.id,
            registration.name,
            registration.furigana,
            registration.organization_name,
            registration.department,
            registration.position,
            registration.email,
            _parts_text(registration),
            _table_text(registration),
            _yes_no(registration.checked_in_at is not None),
            registration.checked_in_at,
        ]
        for registration in _event_registrations(event.id, RegistrationStatus.CONFIRMED)
    ]
    return Table(_("出欠"), headers, rows)


def _themes_text(member: Member) -> str:
    return JOINER.join(_label(THEME_LABELS, theme) for theme in member.theme_interests or [])


def member_table(search: MemberSearch) -> Table:
    """The members matching `search` with their consent record (時刻と文言の版)."""
    headers = [
        _("会員番号"),
        _("状態"),
        _("氏名"),
        _("メール"),
        _("所属（自治体・団体）"),
        _("団体コード"),
        _("都道府県"),
        _("部署"),
        _("関心のあるテーマ"),
        _("同意日時"),
        _("同意文言の版"),
        _("公開掲載"),
        _("申込日時"),
        _("確認日時"),
        _("配信停止日時"),
    ]
    rows = [
        [
            member.id,
            _label(MEMBER_STATUS_LABELS, member.status),
            member.name,
            member.email,
            member.organization_name,
            Code(member.organization_code or ""),
            prefecture_of(member.organization_code) or "",
            member.department,
            _themes_text(member),
            _consent_time(member),
            member.consent_version,
            _yes_no(member.listed_publicly),
            member.created_at,
            member.confirmed_at,
            member.unsubscribed_at,
        ]
        for member in db.session.scalars(member_query(search).order_by(Member.id))
    ]
    return Table(_("会員一覧"), headers, rows)


def _consent_time(member: Member) -> datetime | None:
    # An invited successor's consent_at is only the invitation time, not a consent.
    return None if member.consent_version == AWAITING_CONSENT else member.consent_at
