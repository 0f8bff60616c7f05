"""登録内容の確認・変更・退会: a member sees what is held about them, corrects it and can leave,
through the link in their welcome mail (or mailed to them on request). 個人情報保護法 asks for all
three; the link is the only key, so a wrong or spent one shows nothing."""

import html
import re

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.mail.outbox import OutboxMessage, enqueue
from app.members.models import Member, MemberStatus, ThemeInterest
from app.members.services import profile_token, unsubscribe_token
from tests.factories import make_member

PROFILE_URL = re.compile(r"https://reskilling\.example\.jp(/members/profile/\S+)")


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def member(email) -> Member | None:
    db.session.expire_all()
    return db.session.scalar(select(Member).where(Member.email == email))


@pytest.fixture
def hanako(app):
    return make_member(
        organization="鳥取県",
        name="山田 花子",
        email="hanako@city.example.jp",
        department="総務部デジタル推進課",
        theme_interests=[ThemeInterest.STAFF.value],
    )


def path(someone) -> str:
    return f"/members/profile/{profile_token(someone)}"


def test_the_welcome_mail_links_to_the_page_that_shows_what_is_held(app, client):
    client.submit(
        "/join",
        {
            "name": "山田 花子",
            "email": "hanako@city.example.jp",
            "organization": "鳥取県",
            "consent": "y",
            "privacy": "y",
        },
    )
    confirm = re.search(r"https://reskilling\.example\.jp(/join/confirm/\S+)", outbox_text())
    client.submit(confirm.group(1), {})
    welcome = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.category == "member_welcome")
    )
    page = text_of(client.get(PROFILE_URL.search(welcome.text_body).group(1)))
    for shown in ("山田 花子", "hanako@city.example.jp", "鳥取県", "配信中"):
        assert shown in page


def outbox_text() -> str:
    return "\n".join(db.session.scalars(select(OutboxMessage.text_body)))


def test_a_member_corrects_their_name_department_themes_and_listing(client, hanako):
    response = client.submit(
        path(hanako),
        {
            "name": "山田 華子",
            "department": "企画部 DX推進課",
            "theme_interests": [ThemeInterest.BUSINESS_CITIZENS.value],
            "listed_publicly": "y",
        },
    )
    assert response.status_code == 302
    assert "登録内容を更新しました。" in text_of(client.get(response.headers["Location"]))
    changed = member("hanako@city.example.jp")
    assert (changed.name, changed.department) == ("山田 華子", "企画部 DX推進課")
    assert changed.theme_interests == [ThemeInterest.BUSINESS_CITIZENS.value]
    assert changed.listed_publicly is True
    assert changed.organization_name == "鳥取県"  # not for the member to change here


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", "お名前を入力してください。"),
        ("name", "山田\x00", "使えない文字"),
        ("department", "あ" * 201, "200文字以内で入力してください。"),
        ("theme_interests", "bogus", "選択肢の中から選んでください"),
    ],
)
def test_bad_input_is_explained_kept_and_changes_nothing(client, hanako, field, value, message):
    data = {"name": "山田 華子", "department": "企画部 DX推進課", field: value}
    response = client.submit(path(hanako), data)
    assert response.status_code == 200
    page = text_of(response)
    assert message in page
    # What was typed in the other fields is still there to fix and send again.
    for other in {"name", "department"} - {field}:
        assert f'value="{data[other]}"' in page
    assert member("hanako@city.example.jp").name == "山田 花子"


def test_leaving_needs_the_box_ticked_and_then_deletes_the_record_and_its_mail(
    app, client, hanako, make_event, make_registration
):
    registration = make_registration(make_event(), email="hanako@city.example.jp")
    enqueue(
        to_addr=hanako.email,
        subject="定期共有会のご案内",
        text_body="山田 花子 様",
        category="half_year_notice",
        unsubscribe_url="https://reskilling.example.jp/unsubscribe/x/one-click",
    )
    db.session.commit()
    leave = f"{path(hanako)}/leave"

    refused = client.submit(path(hanako), {}, action=leave)
    assert refused.status_code == 400
    assert "退会する場合は、チェックを入れてください。" in text_of(refused)
    assert member("hanako@city.example.jp") is not None

    response = client.submit(path(hanako), {"sure": "y"}, action=leave)
    assert response.status_code == 200
    assert "登録情報を削除しました" in text_of(response)
    assert member("hanako@city.example.jp") is None
    left = db.session.scalars(
        select(OutboxMessage.category).where(OutboxMessage.to_addr == hanako.email)
    ).all()
    assert "half_year_notice" not in left
    assert "registration_received" in left  # the sign-up to an event is theirs, and stays
    assert db.session.get(type(registration), registration.id) is not None
    # The link is spent with the record.
    assert client.get(path_of_deleted := leave.rsplit("/", 1)[0]).status_code == 404, (
        path_of_deleted
    )


def test_a_wrong_or_pending_members_link_shows_nothing(client, hanako):
    assert client.get(path(hanako)[:-3] + "xyz").status_code == 404
    pending = make_member(email="pending@city.example.jp", status=MemberStatus.PENDING)
    assert client.get(path(pending)).status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Member)) == 2


def test_the_unsubscribe_page_offers_the_record_only_by_mail_to_the_members_address(client, hanako):
    # Whoever a notice was forwarded to holds its unsubscribe link: it must not open the record.
    page = text_of(client.get(f"/unsubscribe/{unsubscribe_token(hanako)}"))
    assert "/members/profile/" not in page
    assert hanako.name not in page and hanako.department not in page
    assert "URLをメールで受け取る" in page
    response = client.submit(
        f"/unsubscribe/{unsubscribe_token(hanako)}",
        {"email": "ＨＡＮＡＫＯ@city.example.jp"},
        action="/members/profile-link",
    )
    assert response.status_code == 200
    [mail] = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.category == "member_profile_link")
    )
    assert mail.to_addr == hanako.email
    assert PROFILE_URL.search(mail.text_body).group(1) == path(hanako)
