"""The numbers of the statistics pages on a small sample (tests/factories.py): statuses,
"N 自治体・M 名", sign-ups per day in JST, theme tables, parts, prefectures, the network."""

from datetime import date, timedelta

import pytest

from app.statistics.services import (
    Headcount,
    Person,
    event_statistics,
    headcount,
    network_statistics,
    organization_key,
    prefecture_of,
)
from tests.conftest import NOW
from tests.factories import add_sample_network


@pytest.fixture
def sample(app, frozen_now):
    network = add_sample_network(frozen_now)
    frozen_now(NOW + timedelta(days=2))
    return network


def test_the_prefecture_is_the_first_two_digits_of_the_code():
    assert prefecture_of("310000") == "鳥取県"
    assert prefecture_of("312011") == "鳥取県"
    assert prefecture_of("131237") == "東京都"
    assert prefecture_of("011002") == "北海道"
    assert prefecture_of(None) is None
    assert prefecture_of("") is None


def test_organisations_are_counted_by_code_and_by_name_without_one():
    people = [
        Person("310000", "鳥取県"),
        Person("310000", "鳥取県"),
        Person(None, "独立行政法人 情報処理推進機構"),
        Person(None, "独立行政法人　情報処理推進機構"),  # a full-width space is the same body
        Person(None, "一般社団法人 地域DX協会"),
    ]
    assert headcount(people) == Headcount(organizations=3, people=5)
    assert organization_key(None, "ＩＰＡ　本部") == organization_key(None, "IPA 本部")


def test_event_statistics_count_each_status_and_the_attended(app, sample):
    stats = event_statistics(sample.seminar, NOW + timedelta(days=2))
    assert stats.statuses == {"confirmed": 5, "waitlisted": 1, "pending": 1, "cancelled": 1}
    assert stats.total == 8
    assert stats.attended == 2


def test_event_statistics_report_organisations_and_people_confirmed_and_attended(app, sample):
    stats = event_statistics(sample.seminar, NOW + timedelta(days=2))
    # 鳥取県 (two people), 江戸川区, 札幌市 and the body without a code.
    assert stats.confirmed == Headcount(organizations=4, people=5)
    assert stats.attendance == Headcount(organizations=2, people=2)


def test_an_event_without_check_ins_has_no_attendance_figure(app, sample):
    stats = event_statistics(sample.session, NOW)
    assert stats.confirmed == Headcount(organizations=2, people=2)
    assert stats.attendance is None


def test_sign_ups_over_time_are_running_totals_per_day_in_japan(app, sample):
    stats = event_statistics(sample.seminar, NOW + timedelta(days=2))
    assert [(d.day, d.signed_up, d.active) for d in stats.signups] == [
        (date(2026, 8, 1), 3, 3),
        (date(2026, 8, 2), 5, 5),
        (date(2026, 8, 3), 8, 7),  # one cancelled that day
    ]


def test_sign_ups_over_time_run_on_to_today_without_new_sign_ups(app, sample):
    stats = event_statistics(sample.seminar, NOW + timedelta(days=4))
    assert [d.day for d in stats.signups][-1] == date(2026, 8, 5)
    assert stats.signups[-1].signed_up == 8


def test_a_sign_up_at_night_utc_counts_on_the_next_day_in_japan(
    app, make_event, make_registration, frozen_now
):
    event = make_event()
    frozen_now(NOW.replace(hour=16))  # 2026-08-01 16:00 UTC is 2 August 01:00 JST
    make_registration(event)
    stats = event_statistics(event, NOW.replace(hour=16))
    assert [d.day for d in stats.signups] == [date(2026, 8, 2)]


def test_theme_tables_and_parts_count_confirmed_waitlisted_and_pending(app, sample):
    stats = event_statistics(sample.seminar, NOW + timedelta(days=2))
    tables = [(t.title, t.confirmed, t.waitlisted, t.pending) for t in stats.tables]
    assert tables == [("企業・市民向け事業", 2, 1, 0), ("庁内職員向け事業", 3, 0, 1)]
    parts = [(p.title, p.confirmed, p.waitlisted, p.pending) for p in stats.parts]
    assert parts == [("第一部", 5, 1, 1), ("第二部", 5, 1, 1)]


def test_confirmed_people_by_prefecture_in_official_order_then_bodies_without_code(app, sample):
    stats = event_statistics(sample.seminar, NOW + timedelta(days=2))
    rows = [(r.code, r.name, r.organizations, r.people) for r in stats.prefectures]
    assert rows == [
        ("01", "北海道", 1, 1),
        ("13", "東京都", 1, 1),
        ("31", "鳥取県", 1, 2),
        (None, "その他（団体コードなし）", 1, 1),
    ]


def test_an_event_nobody_signed_up_for_gives_zeros(app, make_event):
    stats = event_statistics(make_event(), NOW)
    assert stats.total == 0
    assert stats.confirmed == Headcount(0, 0)
    assert stats.attendance is None
    assert stats.signups == []
    assert stats.prefectures == []


def test_network_statistics_count_active_members_organisations_and_prefectures(app, sample):
    stats = network_statistics()
    assert stats.members == {"active": 5, "pending": 1, "unsubscribed": 1}
    assert stats.active == Headcount(organizations=4, people=5)
    assert stats.prefectures_covered == 2
    assert stats.prefecture_total == 47
    rows = [(r.name, r.organizations, r.people) for r in stats.prefectures]
    assert rows == [("東京都", 1, 1), ("鳥取県", 2, 3), ("その他（団体コードなし）", 1, 1)]


def test_network_statistics_list_each_event_with_its_headcount(app, sample, make_event):
    make_event(title="下書き", status="draft")
    stats = network_statistics()
    assert [s.event.title for s in stats.events] == ["定期共有会", "セミナー＆情報交換会"]
    session, seminar = stats.events
    assert session.confirmed == Headcount(2, 2) and session.attendance is None
    assert seminar.confirmed == Headcount(4, 5) and seminar.attendance == Headcount(2, 2)


def test_an_empty_network_gives_zeros(app):
    stats = network_statistics()
    assert stats.active == Headcount(0, 0)
    assert stats.prefectures_covered == 0
    assert stats.events == []
