"""ご参加自治体: the organisations of active members who agreed to be listed, each once, grouped
by prefecture in 全国地方公共団体コード order, with their count; nobody else's, and never free text."""

import html
import re

from app.members.models import MemberStatus
from app.members.services import listed_organizations


def page_text(client) -> str:
    response = client.get("/municipalities")
    assert response.status_code == 200
    return html.unescape(re.sub(r"<[^>]+>", " ", response.get_data(as_text=True)))


def test_listed_organisations_are_grouped_by_prefecture_in_code_order(client, make_member):
    make_member(organization="鳥取県 鳥取市", listed_publicly=True)
    make_member(organization="東京都 江戸川区", listed_publicly=True)
    make_member(organization="鳥取県", listed_publicly=True)
    make_member(organization="北海道 札幌市", listed_publicly=True)
    make_member(
        organization="鳥取県 鳥取市", listed_publicly=True
    )  # a second member of the same city

    prefectures = listed_organizations()

    assert [(p.name, p.organizations) for p in prefectures] == [
        ("北海道", ["札幌市"]),
        ("東京都", ["江戸川区"]),
        ("鳥取県", ["鳥取県", "鳥取市"]),
    ]
    text = " ".join(page_text(client).split())
    assert "4 団体" in text
    assert text.index("北海道") < text.index("東京都") < text.index("鳥取県")
    assert "鳥取県 2 団体" in text
    assert text.count("鳥取市") == 1


def test_only_active_members_who_agreed_are_listed(client, make_member):
    make_member(organization="鳥取県 鳥取市", listed_publicly=False)
    make_member(organization="東京都 江戸川区", listed_publicly=True, status=MemberStatus.PENDING)
    make_member(
        organization="北海道 札幌市", listed_publicly=True, status=MemberStatus.UNSUBSCRIBED
    )
    make_member(
        organization="独立行政法人 情報処理推進機構", listed_publicly=True
    )  # free text is never published
    make_member(organization="大阪府 八尾市", listed_publicly=True)

    assert [(p.name, p.organizations) for p in listed_organizations()] == [("大阪府", ["八尾市"])]
    text = page_text(client)
    for hidden in ("鳥取市", "江戸川区", "札幌市", "情報処理推進機構", "会員"):
        assert hidden not in text


def test_an_organisation_stays_listed_while_one_of_its_members_agreed(make_member):
    make_member(organization="鳥取県 鳥取市", listed_publicly=False)
    make_member(organization="鳥取県 鳥取市", listed_publicly=True)
    assert [p.organizations for p in listed_organizations()] == [["鳥取市"]]


def test_an_empty_list_says_so(client):
    assert "掲載にご同意いただいた自治体はまだありません。" in page_text(client)


def test_every_public_page_links_to_the_list_and_the_inquiry_form(client):
    body = client.get("/").get_data(as_text=True)
    assert 'href="/municipalities"' in body and 'href="/contact"' in body
