"""The statistics pages in the console: the network's and an event's numbers with inline SVG
charts (well-formed, no script), and sensible pages when there is nothing to count yet."""

import html
import re
import xml.etree.ElementTree as ET
from datetime import timedelta

import pytest

from tests.conftest import NOW, sign_in
from tests.factories import add_sample_network


@pytest.fixture
def sample(app, frozen_now):
    network = add_sample_network(frozen_now)
    frozen_now(NOW + timedelta(days=2))
    return network


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def charts(response) -> list[ET.Element]:
    page = response.get_data(as_text=True)
    return [ET.fromstring(svg) for svg in re.findall(r"<svg.*?</svg>", page, re.DOTALL)]


def test_the_network_page_reports_members_organisations_and_prefectures(sample, organizer_client):
    response = organizer_client.get("/admin/statistics")
    assert response.status_code == 200
    page = text_of(response)
    assert "4 自治体・5 名" in page  # active members
    assert "2 / 47 都道府県" in page
    assert "その他（団体コードなし）" in page
    assert "<script" not in page


def test_the_network_page_lists_each_event_with_confirmed_and_attended(sample, organizer_client):
    page = text_of(organizer_client.get("/admin/statistics"))
    assert f'href="/admin/events/{sample.seminar.id}/statistics"' in page
    assert "定期共有会" in page
    assert "2 自治体・2 名" in page  # 出席 at the seminar, and confirmed at the session


def test_the_network_page_draws_members_per_prefecture(sample, organizer_client):
    (chart,) = charts(organizer_client.get("/admin/statistics"))
    assert chart.get("role") == "img"
    assert chart.find("{http://www.w3.org/2000/svg}title").text == "都道府県別の会員数"


def test_the_event_page_reports_statuses_and_headcounts(sample, organizer_client):
    response = organizer_client.get(f"/admin/events/{sample.seminar.id}/statistics")
    assert response.status_code == 200
    page = text_of(response)
    assert "4 自治体・5 名" in page  # confirmed
    assert "2 自治体・2 名" in page  # attended
    assert "企業・市民向け事業" in page and "第二部" in page
    assert "8月3日" in page  # the daily numbers under the chart
    assert f"/admin/events/{sample.seminar.id}/registrants.csv" in page
    assert f"/admin/events/{sample.seminar.id}/attendance.xlsx" in page


def test_the_event_page_draws_sign_ups_tables_and_prefectures(sample, organizer_client):
    found = charts(organizer_client.get(f"/admin/events/{sample.seminar.id}/statistics"))
    titles = [c.find("{http://www.w3.org/2000/svg}title").text for c in found]
    assert titles == [
        "申込数の推移（セミナー＆情報交換会）",
        "テーマテーブル別の参加確定者数",
        "都道府県別の参加確定者数",
    ]


def test_an_event_title_with_markup_is_escaped_in_the_chart(
    organizer_client, make_event, make_registration
):
    event = make_event(title='<b>R&D</b> "セミナー"')
    make_registration(event)
    response = organizer_client.get(f"/admin/events/{event.id}/statistics")
    assert "<b>R&D" not in response.get_data(as_text=True)
    first = charts(response)[0]
    assert first.find("{http://www.w3.org/2000/svg}title").text == (
        '申込数の推移（<b>R&D</b> "セミナー"）'
    )


def test_an_event_nobody_signed_up_for_gives_a_page_not_an_error(organizer_client, make_event):
    event = make_event()
    response = organizer_client.get(f"/admin/events/{event.id}/statistics")
    assert response.status_code == 200
    page = text_of(response)
    assert "まだお申し込みはありません。" in page
    assert "0 自治体・0 名" in page
    assert "当日の受付後に表示します。" in page


def test_a_past_event_without_check_ins_says_there_is_no_record(
    client, make_organizer, make_event, make_registration, frozen_now
):
    event = make_event(starts_at=NOW + timedelta(days=1), ends_at=NOW + timedelta(days=1, hours=2))
    make_registration(event)
    frozen_now(NOW + timedelta(days=3))
    organizer_client = sign_in(client, make_organizer())  # days later: a session of that day
    page = text_of(organizer_client.get(f"/admin/events/{event.id}/statistics"))
    assert "受付の記録はありません。" in page


def test_an_empty_network_gives_a_page_not_an_error(organizer_client):
    response = organizer_client.get("/admin/statistics")
    assert response.status_code == 200
    page = text_of(response)
    assert "0 自治体・0 名" in page
    assert "有効な会員はまだいません。" in page


def test_an_unknown_event_is_not_found(organizer_client):
    assert organizer_client.get("/admin/events/999999/statistics").status_code == 404
