"""The demo data `flask seed-demo` and `make run` load: realistic sessions and a few members."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from app.events.models import Event, EventFormat, EventKind, EventPart, EventStatus, ThemeTable
from app.extensions import db
from app.members.consent import CURRENT_VERSION
from app.members.models import Member, MemberStatus, ThemeInterest
from app.notices.schedule import is_working_day
from app.organizations.services import resolve_organization

JST = ZoneInfo("Asia/Tokyo")


def _at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=JST)


def _weekday_on_or_after(day: date, weekday: int) -> date:
    """The first such weekday from `day` that is a working day (no holiday, not 29 Dec–3 Jan)."""
    day += timedelta(days=(weekday - day.weekday()) % 7)
    while not is_working_day(day):
        day += timedelta(days=7)
    return day


def seed_demo(now: datetime, only_if_empty: bool = False) -> bool:
    """Add the demo events and members; returns False when skipped because events exist."""
    if only_if_empty and db.session.scalar(select(func.count()).select_from(Event)):
        return False
    today = now.astimezone(JST).date()
    year = today.year if today.month < 9 else today.year + 1
    seminar_day = _weekday_on_or_after(date(year, 9, 10), 1)  # a Tuesday in mid-September
    sharing_day = _weekday_on_or_after(today + timedelta(days=21), 2)  # a Wednesday three weeks out

    seminar = Event(
        slug=f"seminar-{seminar_day:%Y%m}",
        title=f"{seminar_day.year}年9月 セミナー＆情報交換会",
        kind=EventKind.SEMINAR,
        description=(
            "第一部では、有識者と先進自治体による基調講演で最新事例を共有します。\n"
            "第二部では、お取り組みテーマごとのテーブルに分かれて情報交換を行います。\n"
            "全国自治体リスキリングネットワークのスローガン「ひとの学びで、地域は進む」のもと、"
            "同じ目標をもつ\u201cなかま\u201dとつながる場です。参加費は無料です。"
        ),
        starts_at=_at(seminar_day, 14),
        ends_at=_at(seminar_day, 16, 30),
        format=EventFormat.ONLINE,
        meeting_url="https://meet.example.jp/reskilling/seminar",
        capacity=100,
        registration_opens_at=now - timedelta(days=1),
        registration_closes_at=_at(seminar_day - timedelta(days=3), 17),
        status=EventStatus.PUBLISHED,
        parts=[
            EventPart(
                position=1,
                title="第一部 基調講演（有識者・先進自治体による最新事例共有）",
                starts_at=_at(seminar_day, 14),
                ends_at=_at(seminar_day, 15),
            ),
            EventPart(
                position=2,
                title="第二部 参加自治体による情報交換会",
                starts_at=_at(seminar_day, 15, 10),
                ends_at=_at(seminar_day, 16, 30),
                capacity=40,
                uses_tables=True,
            ),
        ],
        tables=[
            ThemeTable(
                position=1,
                title="企業・市民向け事業",
                description="中小企業のDX推進、求職者・市民への学習機会の提供",
                capacity=20,
            ),
            ThemeTable(
                position=2,
                title="庁内職員向け事業",
                description="自治体職員のDX人材育成",
                capacity=20,
            ),
        ],
    )
    sharing = Event(
        slug=f"sharing-{sharing_day:%Y%m}",
        title="定期共有会（半期ごとの取り組み共有）",
        kind=EventKind.SHARING_SESSION,
        description=(
            "半期ごとに、参加自治体のお取り組みの進捗と知見を共有します。"
            "\u201cなかま\u201dとの交流の輪を広げ、自治体の取り組みを加速させましょう。"
        ),
        starts_at=_at(sharing_day, 15),
        ends_at=_at(sharing_day, 16, 30),
        format=EventFormat.ONLINE,
        meeting_url="https://meet.example.jp/reskilling/sharing",
        capacity=None,
        registration_opens_at=now - timedelta(days=1),
        status=EventStatus.PUBLISHED,
    )
    db.session.add_all([seminar, sharing])

    for name, organization, department, email, interests in (
        (
            "田中 拓也",
            "鳥取県",
            "商工労働部 雇用人材局産業人材課",
            "tanaka@pref.tottori.example.jp",
            [ThemeInterest.BUSINESS_CITIZENS],
        ),
        (
            "渡邊 良光",
            "東京都 江戸川区",
            "経営企画部 DX推進課",
            "watanabe@city.edogawa.example.jp",
            [ThemeInterest.STAFF],
        ),
        (
            "山本 花子",
            "石川県 加賀市",
            "政策推進部 デジタル推進課",
            "yamamoto@city.kaga.example.jp",
            [ThemeInterest.STAFF, ThemeInterest.BUSINESS_CITIZENS],
        ),
        (
            "佐藤 健",
            "広島県",
            "商工労働局 産業人材課",
            "sato@pref.hiroshima.example.jp",
            [ThemeInterest.BUSINESS_CITIZENS],
        ),
    ):
        org = resolve_organization(organization)
        db.session.add(
            Member(
                name=name,
                email=email,
                organization_code=org.code,
                organization_name=org.name,
                department=department,
                theme_interests=[str(i) for i in interests],
                status=MemberStatus.ACTIVE,
                consent_at=now,
                consent_version=CURRENT_VERSION,
                confirmed_at=now,
            )
        )
    return True
