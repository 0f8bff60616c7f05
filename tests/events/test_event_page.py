"""The public event page says plainly what a visitor needs before signing up: date, format,
deadline, the seats left at the event, its parts and its tables, and when sign-up opens or that
it has closed."""

import html
from datetime import timedelta

from tests.conftest import NOW


def page_of(client, event):
    return html.unescape(client.get(f"/events/{event.slug}").get_data(as_text=True))


def test_the_page_shows_date_format_deadline_and_seats_left(client, make_event, make_registration):
    event = make_event(
        capacity=10,
        parts=[
            {"title": "第一部 基調講演"},
            {"title": "第二部 情報交換会", "uses_tables": True, "capacity": 8},
        ],
        tables=[{"title": "企業・市民向け事業", "capacity": 1}, {"title": "庁内職員向け事業"}],
        registration_closes_at=NOW + timedelta(days=20),
    )
    exchange = event.parts[1]
    make_registration(event, part_ids=[exchange.id], table_id=event.tables[0].id)
    page = page_of(client, event)
    assert "2026年8月31日(月)" in page  # the date
    assert "オンライン開催" in page
    assert "受付締切" in page and "2026年8月21日(金)" in page
    assert "残席 9（定員 10名）" in page
    assert "第二部 情報交換会" in page and "残席 7（定員 8名）" in page
    assert "テーブル「企業・市民向け事業」" in page and "満席・キャンセル待ち受付中" in page
    assert "このイベントに申し込む" in page


def test_a_full_event_says_the_waitlist_is_open(client, make_event, make_registration):
    event = make_event(capacity=1)
    make_registration(event)
    page = page_of(client, event)
    assert "満席・キャンセル待ち受付中" in page
    assert "このイベントに申し込む" in page


def test_before_opening_and_after_closing_are_said_plainly(client, make_event):
    later = make_event(registration_opens_at=NOW + timedelta(days=2, hours=3))
    page = page_of(client, later)
    assert "受付開始前（2026年8月3日(月) 13:00 から）" in page
    assert "このイベントに申し込む" not in page
    closed = make_event(registration_closes_at=NOW - timedelta(hours=1))
    page = page_of(client, closed)
    assert "お申し込みの受付は終了しました（受付締切: 2026年8月1日(土) 09:00）" in page
    assert "このイベントに申し込む" not in page
    assert "空席状況" not in page
