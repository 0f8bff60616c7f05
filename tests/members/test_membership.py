"""参加のお申し込み through the pages: double opt-in (apply, mail, confirm by POST), a reply that
reveals nobody's membership, and bad input explained beside its field with nothing stored."""

import html
import re
import threading
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.mail.outbox import OutboxMessage, OutboxStatus
from app.members import services
from app.members.consent import CURRENT_VERSION
from app.members.models import Member, MemberStatus, ThemeInterest
from tests.conftest import NOW

JOIN = "/join"

VALID = {
    "name": "山田 花子",
    "email": "hanako@city.example.jp",
    "organization": "鳥取県",
    "department": "総務部デジタル推進課 DX推進係",
    "theme_interests": [ThemeInterest.STAFF.value],
    "consent": "y",
    "privacy": "y",
}

CONFIRM_URL = re.compile(r"https://reskilling\.example\.jp(/join/confirm/\S+)")


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def text_of(response):
    return html.unescape(response.get_data(as_text=True))


def outbox():
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def member_by_email(email):
    db.session.expire_all()
    return db.session.scalar(select(Member).where(Member.email == email))


def apply(client, **overrides):
    return client.submit(JOIN, {**VALID, **overrides})


def confirm_path(message: OutboxMessage) -> str:
    """The path of the confirmation link in the mail's text body."""
    match = CONFIRM_URL.search(message.text_body)
    assert match, message.text_body
    return match.group(1)


def assert_nothing_stored():
    assert count(Member) == 0
    assert count(OutboxMessage) == 0


# --- the happy path -------------------------------------------------------------------------------


def test_join_page_shows_the_form_with_the_consent_wording(client):
    response = client.get(JOIN)
    assert response.status_code == 200
    page = text_of(response)
    assert "参加のお申し込み" in page
    assert "メールで受け取ることに同意します" in page  # the versioned consent wording
    assert 'name="csrf_token"' in page


def test_a_valid_application_stores_a_pending_member_and_queues_one_confirmation_mail(client):
    response = apply(client)
    assert response.status_code == 302
    assert urlsplit(response.headers["Location"]).path == "/join/sent"
    assert "確認メールをお送りしました" in text_of(client.get(response.headers["Location"]))

    member = member_by_email(VALID["email"])
    assert member.status == MemberStatus.PENDING
    assert member.name == VALID["name"]
    assert member.department == VALID["department"]
    assert member.theme_interests == [ThemeInterest.STAFF.value]
    assert member.consent_at == NOW
    assert member.consent_version == CURRENT_VERSION
    assert member.confirmed_at is None
    assert member.confirm_nonce

    [mail] = outbox()
    assert mail.category == "member_confirm"
    assert mail.to_addr == VALID["email"]
    assert mail.to_name == VALID["name"]
    assert mail.status == OutboxStatus.QUEUED
    assert "要確認" in mail.subject
    path = confirm_path(mail)
    assert path.startswith(f"/join/confirm/{member.id}.")
    assert "参加を確定する" in mail.text_body


def test_opening_the_link_shows_a_button_but_does_not_activate(client):
    apply(client)
    [mail] = outbox()
    path = confirm_path(mail)
    nonce = member_by_email(VALID["email"]).confirm_nonce

    # Mail scanners and link previewers follow links, sometimes more than once.
    for _ in range(3):
        response = client.get(path)
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        assert "参加を確定する" in page
        assert '<form method="post"' in page
        assert 'name="csrf_token"' in page
    assert client.head(path).status_code == 200

    member = member_by_email(VALID["email"])
    assert member.status == MemberStatus.PENDING
    assert member.confirmed_at is None
    assert member.confirm_nonce == nonce
    assert len(outbox()) == 1


def test_posting_the_confirmation_activates_sends_a_welcome_and_spends_the_link(client, frozen_now):
    apply(client)
    path = confirm_path(outbox()[0])
    confirmed_at = frozen_now(NOW + timedelta(hours=3))

    response = client.submit(path, {})
    assert response.status_code == 200
    assert "お申し込みが完了しました" in text_of(response)

    member = member_by_email(VALID["email"])
    assert member.status == MemberStatus.ACTIVE
    assert member.confirmed_at == confirmed_at
    assert member.consent_at == NOW  # the consent is the application's, not the click's
    assert member.confirm_nonce is None

    mails = outbox()
    assert [m.category for m in mails] == ["member_confirm", "member_welcome"]
    assert mails[1].to_addr == VALID["email"]
    assert "ようこそ" in mails[1].subject

    # The link is spent: GET and POST both get the 404 page, and nothing else is sent.
    again = client.get(path)
    assert again.status_code == 404
    assert "このリンクは使用できません" in text_of(again)
    token = client.token(JOIN)
    posted = client.post(path, data={"csrf_token": token})
    assert posted.status_code == 404
    assert "このリンクは使用できません" in text_of(posted)
    assert len(outbox()) == 2
    assert member_by_email(VALID["email"]).confirmed_at == confirmed_at


def test_confirming_without_csrf_token_gets_the_friendly_400_and_stays_pending(client):
    apply(client)
    path = confirm_path(outbox()[0])
    response = client.post(path, data={})
    assert response.status_code == 400
    assert "ページの有効期限が切れました" in text_of(response)
    assert member_by_email(VALID["email"]).status == MemberStatus.PENDING
    assert len(outbox()) == 1


def test_applying_again_while_pending_changes_nothing_until_the_new_link_is_confirmed(client):
    apply(client)
    old_path = confirm_path(outbox()[0])
    apply(client, name="山田 花子（再）")
    mails = outbox()
    assert [m.category for m in mails] == ["member_confirm", "member_confirm"]
    new_path = confirm_path(mails[1])
    assert new_path != old_path
    # Anyone can type the address: the stored record, and the link it was sent, stay as they were.
    assert member_by_email(VALID["email"]).name == VALID["name"]
    assert client.get(old_path).status_code == 200
    assert "山田 花子（再）" in text_of(client.get(new_path))
    client.submit(new_path, {})
    member = member_by_email(VALID["email"])
    assert (member.name, member.status) == ("山田 花子（再）", MemberStatus.ACTIVE)
    assert count(Member) == 1
    # Confirmed once: both links are spent.
    assert client.get(old_path).status_code == 404
    assert client.get(new_path).status_code == 404


def _changed_mac(good):
    return good[:-1] + ("A" if good[-1] != "A" else "B")


def _next_row(good):
    row_id, mac = good.split(".")
    return f"{int(row_id) + 1}.{mac}"


@pytest.mark.parametrize(
    "token_of",
    [
        _changed_mac,  # one character of the mac changed
        _next_row,  # another row's id with this row's mac
        lambda good: good.split(".")[0] + ".forged",
        lambda good: "999999999." + good.split(".")[1],
        lambda good: good.split(".")[1],  # no id at all
        lambda good: "１." + good.split(".")[1],  # a full-width digit as the id
        lambda good: good.split(".")[0] + "." + "x" * 500,
        lambda good: "9" * 40 + ".abc",
        lambda good: "%00",
        lambda good: "-1.abc",
    ],
)
def test_a_tampered_or_unknown_token_is_404_not_500(client, token_of):
    apply(client)
    good = confirm_path(outbox()[0]).rsplit("/", 1)[1]
    bad = token_of(good)
    assert bad != good
    response = client.get(f"/join/confirm/{bad}")
    assert response.status_code == 404
    if bad != "%00":  # a NUL in a path is refused at the door (app/routing.py): the site's 404
        assert "このリンクは使用できません" in text_of(response)
    posted = client.post(f"/join/confirm/{bad}", data={"csrf_token": client.token(JOIN)})
    assert posted.status_code == 404
    assert member_by_email(VALID["email"]).status == MemberStatus.PENDING
    assert len(outbox()) == 1


def test_two_simultaneous_confirmations_send_one_welcome(client, app):
    if app.database_name == "sqlite":
        pytest.skip("SQLite serialises writers with BEGIN IMMEDIATE; the race needs PostgreSQL")
    apply(client)
    token = confirm_path(outbox()[0]).rsplit("/", 1)[1]
    db.session.rollback()
    both_have_read = threading.Barrier(2, timeout=10)
    results = []

    def click():
        # What the confirm view does: look the link up, then confirm it, in one transaction.
        with app.app_context():
            try:
                services.find_pending_by_token(token)
                both_have_read.wait()
                services.confirm_membership(token, NOW)
                db.session.commit()
                results.append("confirmed")
            except services.MembershipLinkInvalid:
                db.session.rollback()
                results.append("invalid")

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(results) == ["confirmed", "invalid"]
    assert [m.category for m in outbox()] == ["member_confirm", "member_welcome"]


# --- an address that is already a member ----------------------------------------------------------


def test_applying_with_an_active_address_changes_nothing_and_mails_already_a_member(
    client, frozen_now
):
    apply(client)
    client.submit(confirm_path(outbox()[0]), {})
    before = member_by_email(VALID["email"])
    snapshot = {
        column: getattr(before, column)
        for column in (
            "id",
            "name",
            "organization_code",
            "organization_name",
            "department",
            "theme_interests",
            "status",
            "consent_at",
            "consent_version",
            "confirm_nonce",
            "confirmed_at",
            "updated_at",
        )
    }
    assert snapshot["status"] == MemberStatus.ACTIVE

    frozen_now(NOW + timedelta(days=2))
    # A stranger (or the member, forgetfully) applies with the same address, in other case and width.
    response = apply(
        client,
        email="ＨＡＮＡＫＯ＠city.example.jp",
        name="なりすまし",
        organization="東京都江戸川区",
        department="別の部署",
        theme_interests=[ThemeInterest.BUSINESS_CITIZENS.value],
    )
    # The answer is the same as to a new application (compared below), so it reveals nothing.
    assert response.status_code == 302

    after = member_by_email(VALID["email"])
    assert {column: getattr(after, column) for column in snapshot} == snapshot
    assert count(Member) == 1

    mails = outbox()
    assert [m.category for m in mails] == ["member_confirm", "member_welcome", "member_already"]
    already = mails[-1]
    assert already.to_addr == VALID["email"]
    assert "参加登録済み" in already.subject
    assert "既に全国自治体リスキリングネットワークに参加登録されています" in already.text_body
    assert "/join/confirm/" not in already.text_body
    # What the stranger typed never reaches the member's mailbox.
    assert "なりすまし" not in already.text_body + already.to_name


def test_the_answer_to_a_member_is_identical_to_the_answer_to_a_newcomer(client):
    apply(client)
    client.submit(confirm_path(outbox()[0]), {})

    for_member = apply(client, name="誰か")
    for_newcomer = apply(client, name="誰か", email="newcomer@city.example.jp")

    assert for_member.status_code == for_newcomer.status_code == 302
    assert for_member.headers["Location"] == for_newcomer.headers["Location"]
    assert for_member.get_data() == for_newcomer.get_data()
    followed_member = client.get(for_member.headers["Location"])
    followed_newcomer = client.get(for_newcomer.headers["Location"])
    assert followed_member.get_data() == followed_newcomer.get_data()


# --- bad input ------------------------------------------------------------------------------------


def input_tag(page: str, field: str) -> str:
    match = re.search(rf'<input[^>]*\bid="{field}"[^>]*>', page)
    assert match, field
    return match.group(0)


def checkbox_checked(page: str, field: str) -> bool:
    return re.search(r"\bchecked\b", input_tag(page, field)) is not None


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"consent": None}, "consent", "お知らせメールの受信への同意が必要です。"),
        ({"privacy": None}, "privacy", "お申し込みには個人情報の取り扱いへの同意が必要です。"),
        (
            {"email": "hanako@"},
            "email",
            "メールアドレスの形式が正しくありません（例: taro@city.example.lg.jp）。",
        ),
        ({"email": "hanako city.example.jp"}, "email", "メールアドレスの形式が正しくありません"),
        ({"email": ""}, "email", "メールアドレスを入力してください。"),
        ({"name": "あ" * 101}, "name", "100文字以内で入力してください。"),
        ({"name": ""}, "name", "お名前を入力してください。"),
        ({"name": "山田\x00"}, "name", "使えない文字"),
        ({"name": "山田\x1b花子"}, "name", "使えない文字"),
        ({"organization": ""}, "organization", "所属団体を入力してください。"),
        ({"organization": "鳥取県\r\n"}, None, None),  # trailing line break: stripped, accepted
    ],
)
def test_bad_input_is_explained_beside_the_field_keeps_what_was_typed_and_stores_nothing(
    client, overrides, field, message
):
    data = {key: value for key, value in {**VALID, **overrides}.items() if value is not None}
    response = client.submit(JOIN, data)
    if field is None:
        assert response.status_code == 302
        return
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    text = text_of(response)

    # The message is beside the field, tied to it for screen readers, and in the summary above.
    assert f'<p class="error" id="{field}-error">' in page
    error = re.search(rf'<p class="error" id="{field}-error">(.*?)</p>', text, re.S).group(1)
    assert message in error
    assert re.search(rf'aria-describedby="[^"]*\b{field}-error\b', input_tag(page, field))
    assert "入力内容をご確認ください。" in text
    assert f'href="#{field}"' in page

    # Everything typed is still there, the faulty value included (so it can be corrected).
    for name in ("name", "email", "organization", "department"):
        assert f'value="{html.escape(data[name], quote=True)}"' in page, name
    assert checkbox_checked(page, "theme_interests-0")
    assert not checkbox_checked(page, "theme_interests-1")
    assert checkbox_checked(page, "consent") == ("consent" in data)
    assert checkbox_checked(page, "privacy") == ("privacy" in data)

    assert_nothing_stored()


def test_an_organisation_that_grows_under_normalisation_is_refused_or_fits(client):
    typed = "㍿" * 100  # 100 characters as typed, 400 after NFKC
    response = apply(client, organization=typed)
    if response.status_code == 422:
        assert "100文字以内で入力してください。" in text_of(response)
        assert_nothing_stored()
    else:
        assert response.status_code == 302
        assert len(db.session.scalar(select(Member.organization_name))) <= 100


def test_full_width_email_is_stored_as_ascii(client):
    response = apply(client, email="ｔａｒｏ＠ｃｉｔｙ．ｅｘａｍｐｌｅ．ｊｐ")
    assert response.status_code == 302
    member = db.session.scalar(select(Member))
    assert member.email == "taro@city.example.jp"
    [mail] = outbox()
    assert mail.to_addr == "taro@city.example.jp"


def test_an_invalid_theme_choice_is_refused(client):
    response = apply(client, theme_interests=["staff", "everything"])
    assert response.status_code == 422
    assert 'id="theme_interests-error"' in response.get_data(as_text=True)
    assert_nothing_stored()


def test_user_text_is_escaped_on_the_confirm_page_and_form(client):
    script = "<script>alert(1)</script>"
    response = apply(client, name=script, department=script)
    assert response.status_code == 302
    page = client.get(confirm_path(outbox()[0])).get_data(as_text=True)
    assert script not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    form = apply(client, name=script, email="bad@")
    assert script not in form.get_data(as_text=True)


# --- organisations --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "code", "stored_name"),
    [
        ("鳥取県", "310000", "鳥取県"),
        ("東京都江戸川区", "131237", "東京都 江戸川区"),
        ("東京都　江戸川区", "131237", "東京都 江戸川区"),
        ("独立行政法人 情報処理推進機構", None, "独立行政法人 情報処理推進機構"),
        ("独立行政法人　情報処理推進機構", None, "独立行政法人 情報処理推進機構"),
    ],
)
def test_organisation_resolves_to_the_official_code_or_stays_free_text(
    client, typed, code, stored_name
):
    response = apply(client, organization=typed)
    assert response.status_code == 302
    member = db.session.scalar(select(Member))
    assert member.organization_code == code
    assert member.organization_name == stored_name


def test_the_form_offers_the_local_governments_as_suggestions(client):
    page = client.get(JOIN).get_data(as_text=True)
    assert '<datalist id="local-governments">' in page
    assert '<option value="東京都 江戸川区">' in page
    assert 'list="local-governments"' in page


# --- CSRF -----------------------------------------------------------------------------------------


def test_post_without_csrf_token_gets_the_friendly_400_page(client):
    response = client.post(JOIN, data=VALID)
    assert response.status_code == 400
    text = text_of(response)
    assert "ページの有効期限が切れました" in text
    assert "前のページに戻って再読み込みし、もう一度送信してください" in text
    assert_nothing_stored()


def test_post_with_a_forged_csrf_token_gets_the_same_400(client):
    client.get(JOIN)
    response = client.post(JOIN, data={**VALID, "csrf_token": "forged"})
    assert response.status_code == 400
    assert "ページの有効期限が切れました" in text_of(response)
    assert_nothing_stored()
