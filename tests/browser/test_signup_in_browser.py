"""Signing up for an event in a real browser (Debian's chromium driven by Playwright), against the
app served on a local port: labels, keyboard, a phone-sized screen, errors beside their fields.

Skipped when /usr/bin/chromium is missing, unless REQUIRE_BROWSER=1 (then it fails).
Screenshots for a human: /tmp/signup.png (the filled form) and /tmp/signup-error.png (phone, error).
"""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from app.extensions import db
from app.mail.outbox import OutboxMessage
from app.registrations.models import Registration, RegistrationStatus

SCREENSHOT = Path("/tmp/signup.png")
ERROR_SCREENSHOT = Path("/tmp/signup-error.png")


@pytest.fixture
def seminar(make_event):
    """A seminar with a keynote part and an exchange part seated at two theme tables.

    Returns plain values and ends the test's own transaction: on SQLite every transaction begins
    with BEGIN IMMEDIATE, so a transaction left open here would block the server's writes.
    """
    event = make_event(
        title="9月 セミナー＆情報交換会",
        parts=[
            {"title": "第一部 基調講演"},
            {"title": "第二部 情報交換会", "uses_tables": True},
        ],
        tables=[
            {"title": "企業・市民向け事業", "description": "中小企業のDX推進"},
            {"title": "庁内職員向け事業", "description": "職員のDX人材育成"},
        ],
    )
    values = {
        "id": event.id,
        "slug": event.slug,
        "title": event.title,
        "parts": [part.title for part in event.parts],
        "tables": [table.title for table in event.tables],
    }
    db.session.rollback()
    return values


def count(model):
    try:
        return db.session.scalar(select(func.count()).select_from(model))
    finally:
        db.session.rollback()


def open_sign_up_form(page, base_url, seminar):
    page.goto(base_url + "/")
    page.get_by_role("link", name=seminar["title"]).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(seminar["title"])
    page.get_by_role("link", name="このイベントに申し込む").click()
    expect(page).to_have_url(f"{base_url}/events/{seminar['slug']}/register")
    expect(page.get_by_role("heading", level=1)).to_have_text("お申し込み")


def test_sign_up_with_labels_and_keyboard(live_server, make_page, seminar):
    page = make_page(viewport={"width": 1280, "height": 900})
    open_sign_up_form(page, live_server, seminar)

    page.get_by_label("お名前").fill("山田 花子")
    # From the name field, Tab goes to ふりがな and then to the e-mail address: type it by keyboard.
    page.keyboard.press("Tab")
    expect(page.get_by_label("ふりがな")).to_be_focused()
    page.keyboard.type("やまだ はなこ")
    page.keyboard.press("Tab")
    expect(page.get_by_label("メールアドレス")).to_be_focused()
    page.keyboard.type("hanako@city.example.jp")
    page.get_by_label("所属団体（自治体名）").fill("鳥取県")
    page.get_by_label("部署名").fill("総務部デジタル推進課")

    page.get_by_label(seminar["parts"][0]).check()
    # The second part's checkbox is ticked with the space bar.
    second_part = page.get_by_label(seminar["parts"][1])
    second_part.focus()
    page.keyboard.press("Space")
    expect(second_part).to_be_checked()
    page.get_by_label(seminar["tables"][1]).check()
    page.get_by_label("「個人情報の取り扱いについて」に同意します").check()

    page.screenshot(path=str(SCREENSHOT), full_page=True)
    page.get_by_role("button", name="申し込む").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("お申し込みが完了しました")
    expect(
        page.get_by_text("hanako@city.example.jp 宛てに確認メールをお送りしました")
    ).to_be_visible()
    expect(page.get_by_text(seminar["tables"][1], exact=True)).to_be_visible()

    registration = db.session.scalar(select(Registration))
    assert registration is not None
    assert registration.event_id == seminar["id"]
    assert registration.email == "hanako@city.example.jp"
    assert registration.furigana == "やまだ はなこ"
    assert registration.organization_code == "310000"
    assert registration.status == RegistrationStatus.CONFIRMED
    assert [part.title for part in registration.parts] == seminar["parts"]
    assert registration.table.title == seminar["tables"][1]
    db.session.rollback()
    assert count(Registration) == 1
    assert count(OutboxMessage) == 1


def test_invalid_email_on_a_phone_is_explained_beside_the_field_and_input_kept(
    live_server, make_page, seminar
):
    page = make_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    open_sign_up_form(page, live_server, seminar)

    page.get_by_label("お名前").fill("山田 花子")
    page.get_by_label("メールアドレス").fill("hanako@")
    page.get_by_label("所属団体（自治体名）").fill("東京都江戸川区")
    page.get_by_label(seminar["parts"][1]).check()
    page.get_by_label(seminar["tables"][0]).check()
    page.get_by_label("「個人情報の取り扱いについて」に同意します").check()
    # Submitting from a text field with Enter (implicit submission), as on a phone's keyboard "Go".
    page.get_by_label("お名前").press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("お申し込み")
    email = page.get_by_label("メールアドレス")
    message = "メールアドレスの形式が正しくありません"
    # The message sits in the e-mail field's own box, and screen readers read it with the field.
    field_box = page.locator("div.field", has=page.locator("#email"))
    expect(field_box.locator("p.error")).to_contain_text(message)
    expect(field_box).to_have_class("field has-error")
    expect(email).to_have_attribute("aria-invalid", "true")
    expect(email).to_have_accessible_description(re.compile(message))
    described_by = email.get_attribute("aria-describedby").split()
    assert "email-error" in described_by
    expect(page.locator("#email-error")).to_contain_text(message)
    expect(page.get_by_role("alert")).to_contain_text(message)  # the summary above the form
    # Nothing else is flagged.
    expect(page.locator("p.error")).to_have_count(1)

    # Everything typed is still there.
    expect(email).to_have_value("hanako@")
    expect(page.get_by_label("お名前")).to_have_value("山田 花子")
    expect(page.get_by_label("所属団体（自治体名）")).to_have_value("東京都江戸川区")
    expect(page.get_by_label(seminar["parts"][0])).not_to_be_checked()
    expect(page.get_by_label(seminar["parts"][1])).to_be_checked()
    expect(page.get_by_label(seminar["tables"][0])).to_be_checked()
    expect(page.get_by_label("「個人情報の取り扱いについて」に同意します")).to_be_checked()

    # The page fits the phone's width: no sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # The summary links to the field.
    page.get_by_role("alert").get_by_role("link").click()
    expect(email).to_be_focused()
    page.screenshot(path=str(ERROR_SCREENSHOT), full_page=True)

    assert count(Registration) == 0
    assert count(OutboxMessage) == 0

    # Corrected, it goes through.
    email.fill("hanako@city.example.jp")
    page.get_by_role("button", name="申し込む").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("お申し込みが完了しました")
    assert count(Registration) == 1
    assert count(OutboxMessage) == 1
