"""Privacy: a forwarded notice opens no one's record, /join changes nothing stored until its link
is confirmed, the management token leaves the session once shown, pages with personal data are
never stored by the browser, and API reads of personal data are audited."""

import html
import re
from datetime import timedelta

from flask import json
from itsdangerous import base64_decode
from sqlalchemy import select

from app import clock
from app.audit.models import AuditEntry
from app.extensions import db
from app.mail.outbox import OutboxMessage
from app.members.models import Member, MembershipApplication, MemberStatus
from app.members.services import profile_token, unsubscribe
from app.registrations.models import Registration
from tests.conftest import NOW, sign_in
from tests.factories import make_api_token, make_member

CONFIRM_URL = re.compile(r"https://reskilling\.example\.jp(/join/confirm/\S+)")
APPLICATION = {
    "name": "なりすまし",
    "organization": "東京都江戸川区",
    "department": "別の部署",
    "consent": "y",
    "privacy": "y",
}


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def mails(category: str) -> list[OutboxMessage]:
    db.session.expire_all()
    query = select(OutboxMessage).where(OutboxMessage.category == category)
    return list(db.session.scalars(query.order_by(OutboxMessage.id)))


def snapshot(member: Member) -> dict:
    db.session.expire_all()
    row = db.session.get(Member, member.id)
    columns = ("name", "organization_name", "department", "status", "consent_at", "list_nonce")
    return {column: getattr(row, column) for column in columns}


# --- the profile link, by mail only ---------------------------------------------------------


def ask_for_profile_link(client, email):
    return client.submit("/members/profile-link", {"email": email})


def test_asking_for_the_profile_link_mails_it_to_the_member_only(client):
    hanako = make_member(email="hanako@city.example.jp")
    response = ask_for_profile_link(client, "hanako@city.example.jp")
    for_stranger = ask_for_profile_link(client, "nobody@city.example.jp")
    # The same answer for a member and for anyone else: the page reveals no one.
    assert response.status_code == for_stranger.status_code == 200
    assert response.get_data() == for_stranger.get_data()
    assert "/members/profile/" not in text_of(response)
    [mail] = mails("member_profile_link")
    assert mail.to_addr == "hanako@city.example.jp"
    assert f"/members/profile/{profile_token(hanako)}" in mail.text_body


def test_profile_link_mails_to_one_address_are_throttled(client):
    make_member(email="hanako@city.example.jp")
    for _ in range(6):
        assert ask_for_profile_link(client, "hanako@city.example.jp").status_code == 200
    assert len(mails("member_profile_link")) == 3  # REQUESTED_MAIL_LIMIT: 3 an hour


def test_an_unsubscribed_member_can_still_ask_for_the_link_a_pending_one_cannot(client):
    left = make_member(email="left@city.example.jp")
    unsubscribe(left, clock.now())
    make_member(email="pending@city.example.jp", status=MemberStatus.PENDING)
    db.session.commit()
    ask_for_profile_link(client, "left@city.example.jp")
    ask_for_profile_link(client, "pending@city.example.jp")
    assert [m.to_addr for m in mails("member_profile_link")] == ["left@city.example.jp"]


def test_the_unsubscribed_page_shows_the_result_and_the_mail_form_only(client):
    hanako = make_member(email="hanako@city.example.jp", department="総務部デジタル推進課")
    from app.members.services import unsubscribe_token

    url = f"/unsubscribe/{unsubscribe_token(hanako)}"
    page = text_of(client.submit(url, {}))
    assert "配信を停止しました" in page
    assert "/members/profile/" not in page and "総務部デジタル推進課" not in page
    assert "URLをメールで受け取る" in page


# --- /join changes nothing before confirmation ----------------------------------------------


def test_join_for_an_unsubscribed_members_address_changes_nothing_until_confirmed(client):
    hanako = make_member(email="hanako@city.example.jp", name="山田 花子")
    unsubscribe(hanako, clock.now())
    db.session.commit()
    before = snapshot(hanako)
    response = client.submit("/join", {**APPLICATION, "email": "hanako@city.example.jp"})
    assert response.status_code == 302
    assert snapshot(hanako) == before  # name, organisation, status, links: all as they were
    [mail] = mails("member_confirm")
    path = CONFIRM_URL.search(mail.text_body).group(1)
    # The owner of the address sees what was typed before confirming it.
    assert "なりすまし" in text_of(client.get(path))
    assert snapshot(hanako) == before  # a mail scanner opening the link changes nothing either
    client.submit(path, {})
    db.session.expire_all()
    member = db.session.get(Member, hanako.id)
    assert (member.name, member.organization_name, member.status) == (
        "なりすまし",
        "東京都 江戸川区",
        MemberStatus.ACTIVE,
    )
    assert db.session.scalars(select(MembershipApplication)).all() == []
    assert client.get(path).status_code == 404  # spent


def test_join_repeated_for_someone_elses_address_mails_them_a_few_times_only(client):
    make_member(email="hanako@city.example.jp", status=MemberStatus.PENDING, confirm_nonce="n")
    for _ in range(8):
        client.submit("/join", {**APPLICATION, "email": "hanako@city.example.jp"})
    assert len(mails("member_confirm")) == 3


def test_an_application_link_expires(client, frozen_now):
    hanako = make_member(email="hanako@city.example.jp")
    unsubscribe(hanako, clock.now())
    db.session.commit()
    client.submit("/join", {**APPLICATION, "email": "hanako@city.example.jp"})
    path = CONFIRM_URL.search(mails("member_confirm")[0].text_body).group(1)
    frozen_now(NOW + timedelta(days=15))
    assert client.get(path).status_code == 404


# --- the management token and the session ---------------------------------------------------


def session_of(client) -> dict:
    cookie = client.get_cookie("session")
    if cookie is None:
        return {}
    payload = cookie.value.lstrip(".").split(".")[0]
    data = base64_decode(payload)
    if cookie.value.startswith("."):
        import zlib

        data = zlib.decompress(data)
    return json.loads(data)


def test_the_management_token_leaves_the_session_once_the_result_page_showed_it(client, make_event):
    event = make_event()
    response = client.submit(
        f"/events/{event.slug}/register",
        {
            "name": "山田 花子",
            "email": "hanako@city.example.jp",
            "organization": "鳥取県",
            "privacy": "y",
        },
    )
    assert response.status_code == 302
    token = db.session.scalar(select(Registration)).manage_token
    page = client.get(response.headers["Location"])
    assert f"/r/{token}" in text_of(page)
    assert token not in json.dumps(session_of(client))
    # Reloading the result page (say, on a shared PC) shows nothing personal any more.
    again = client.get(response.headers["Location"])
    assert again.status_code == 302


# --- no-store -------------------------------------------------------------------------------


def test_pages_with_personal_data_are_never_stored(
    client, make_event, make_registration, make_organizer
):
    event = make_event()
    registration = make_registration(event)
    hanako = make_member(email="hanako@city.example.jp")
    for url in (
        f"/r/{registration.manage_token}",
        f"/members/profile/{profile_token(hanako)}",
        "/members/profile-link",
        "/admin/login",
    ):
        assert client.get(url).headers.get("Cache-Control") == "no-store", url
    sign_in(client, make_organizer())
    assert client.get("/admin/").headers.get("Cache-Control") == "no-store"
    # Public pages stay cacheable.
    assert client.get("/").headers.get("Cache-Control") != "no-store"
    assert client.get(f"/events/{event.slug}").headers.get("Cache-Control") != "no-store"


# --- API reads are audited ------------------------------------------------------------------


def test_api_reads_of_personal_data_are_audited_with_who_what_and_how_many(
    app, make_event, make_registration, make_organizer
):
    organizer = make_organizer()
    row, token = make_api_token(organizer, "連携")
    event = make_event()
    registrations = [make_registration(event) for _ in range(3)]
    member = make_member()
    api = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    for url in (
        f"/api/v1/events/{event.id}/registrations?per_page=2",
        f"/api/v1/registrations/{registrations[0].id}",
        "/api/v1/members",
        f"/api/v1/members/{member.id}",
    ):
        response = api.get(url, headers=headers)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "no-store"
    # The reads' entries (making the organizer and the token left their own before them).
    reads = select(AuditEntry).where(AuditEntry.action.like("%.api_%")).order_by(AuditEntry.id)
    entries = db.session.scalars(reads).all()
    assert [(e.action, e.target, e.detail["rows"]) for e in entries] == [
        ("registration.api_list", f"event:{event.id}", 2),
        ("registration.api_read", f"registration:{registrations[0].id}", 1),
        ("member.api_list", "members", 1),
        ("member.api_read", f"member:{member.id}", 1),
    ]
    assert {e.organizer_id for e in entries} == {organizer.id}
    assert {e.detail["token_id"] for e in entries} == {row.id}
    assert {e.detail["via"] for e in entries} == {"api"}


def test_a_get_on_the_one_click_url_shows_the_one_button_page_and_changes_nothing(client):
    hanako = make_member(email="hanako@city.example.jp")
    from app.members.services import unsubscribe_token

    token = unsubscribe_token(hanako)
    response = client.get(f"/unsubscribe/{token}/one-click")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert page.count("<button") == 2  # 配信を停止する, and the profile-link form's
    assert f'action="/unsubscribe/{token}"' in page
    db.session.refresh(hanako)
    assert hanako.status == MemberStatus.ACTIVE  # GET changes nothing
    # The button on that page works, as the page's own would.
    done = client.submit(f"/unsubscribe/{token}/one-click", {}, action=f"/unsubscribe/{token}")
    assert "配信を停止しました" in text_of(done)
    db.session.refresh(hanako)
    assert hanako.status == MemberStatus.UNSUBSCRIBED
