"""The members list and a member's record in the console: search, status filter, pages, and the
consent record with the wording the member agreed to."""

import html
import re

from app.members.consent import CURRENT_VERSION, WORDING
from app.members.models import MemberStatus
from tests.factories import make_member


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def member_links(response) -> list[str]:
    return re.findall(r'href="/admin/members/\d+">([^<]+)<', text_of(response))


def test_the_list_shows_each_member_with_their_consent_record(organizer_client):
    make_member(organization="鳥取県", name="山田 花子", email="hanako@pref.tottori.example.jp")
    response = organizer_client.get("/admin/members")
    assert response.status_code == 200
    page = text_of(response)
    assert "山田 花子" in page
    assert "hanako@pref.tottori.example.jp" in page
    assert "2026年8月1日(土) 10:00" in page
    assert f"文言の版: {CURRENT_VERSION}" in page
    assert "1 名" in page


def test_the_list_searches_by_text(organizer_client):
    make_member(organization="鳥取県", name="山田 花子")
    make_member(organization="東京都江戸川区", name="佐藤 次郎")
    response = organizer_client.get("/admin/members?q=江戸川")
    assert member_links(response) == ["佐藤 次郎"]
    assert 'value="江戸川"' in text_of(response)


def test_the_list_filters_by_status(organizer_client):
    make_member(name="有効な人")
    make_member(name="停止した人", status=MemberStatus.UNSUBSCRIBED)
    response = organizer_client.get("/admin/members?status=unsubscribed")
    assert member_links(response) == ["停止した人"]
    assert '<option value="unsubscribed" selected>' in text_of(response)


def test_an_unknown_status_or_page_shows_everyone_instead_of_an_error(organizer_client):
    make_member(name="有効な人")
    for query in ("status=bogus", "page=abc", "page=-3", "page=99999999999999999999999"):
        response = organizer_client.get(f"/admin/members?{query}")
        assert response.status_code == 200, query
    assert member_links(organizer_client.get("/admin/members?status=bogus")) == ["有効な人"]


def test_the_list_pages_and_keeps_the_filters_in_its_links(organizer_client):
    for n in range(51):
        make_member(name=f"鳥取 {n:02d}")
    first = text_of(organizer_client.get("/admin/members?q=鳥取&status=active"))
    assert len(member_links(organizer_client.get("/admin/members?q=鳥取"))) == 50
    assert "51 名" in first
    next_link = re.search(r'href="(/admin/members\?[^"]*page=2[^"]*)"', first).group(1)
    assert "status=active" in next_link and "q=" in next_link
    second = organizer_client.get(next_link)
    assert member_links(second) == ["鳥取 00"]


def test_the_list_links_to_downloads_with_the_same_filters(organizer_client):
    page = text_of(organizer_client.get("/admin/members?status=pending"))
    assert "/admin/members.csv?status=pending" in page
    assert "/admin/members.xlsx?status=pending" in page


def test_an_empty_list_says_so(organizer_client):
    assert "該当する会員はいません。" in text_of(organizer_client.get("/admin/members"))


def test_a_member_page_shows_the_consent_time_version_and_wording(
    organizer_client, make_event, make_registration
):
    member = make_member(
        organization="鳥取市", name="鳥取 一郎", email="ichiro@city.example.jp", department="企画課"
    )
    make_registration(make_event(title="定期共有会"), email="ichiro@city.example.jp")
    response = organizer_client.get(f"/admin/members/{member.id}")
    assert response.status_code == 200
    page = text_of(response)
    assert "鳥取 一郎" in page
    assert "団体コード 312011・鳥取県" in page
    assert "2026年8月1日(土) 10:00" in page
    assert CURRENT_VERSION in page
    assert WORDING[CURRENT_VERSION] in page
    assert "定期共有会" in page and "参加確定" in page


def test_an_invited_successor_shows_that_consent_is_still_to_come(organizer_client):
    predecessor = make_member(name="前任 太郎")
    successor = make_member(
        name="後任 花子",
        status=MemberStatus.PENDING,
        consented=False,
        predecessor_id=predecessor.id,
    )
    page = text_of(organizer_client.get(f"/admin/members/{successor.id}"))
    assert "ご本人はまだ同意していません" in page
    assert WORDING[CURRENT_VERSION] not in page
    assert f'href="/admin/members/{predecessor.id}"' in page
    listing = text_of(organizer_client.get("/admin/members"))
    assert "後任者として招待中（同意前）" in listing


def test_a_consent_version_without_recorded_wording_is_flagged(organizer_client):
    member = make_member(consent_version="2020-01")
    page = text_of(organizer_client.get(f"/admin/members/{member.id}"))
    assert "この版の文言は記録にありません。" in page


def test_an_unknown_member_is_not_found(organizer_client):
    assert organizer_client.get("/admin/members/999999").status_code == 404


def test_a_visitor_is_sent_to_the_login_page(client):
    assert client.get("/admin/members").status_code == 302
