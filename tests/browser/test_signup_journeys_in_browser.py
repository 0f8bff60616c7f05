"""The applicant's path in a real browser (Debian's chromium driven by Playwright): several
mistakes answered in one round with a focused summary, the organisation picker by name or
reading with and without JavaScript, and a registrant moving to another table from the
management page while keeping the seat. The last one runs on a phone-sized screen and writes the
screenshots of the path to docs/screenshots/signup-phone-*.png (named in the README).

Skipped when /usr/bin/chromium is missing, unless REQUIRE_BROWSER=1 (then it fails).
"""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.mail.outbox import OutboxMessage
from app.registrations.models import Registration, RegistrationStatus
from tests.browser.test_signup_in_browser import count

CONSENT = "「個人情報の取り扱いについて」に同意します"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
PHONE = {"width": 390, "height": 844}


def shoot(page, name: str) -> None:
    page.screenshot(path=str(SCREENSHOTS / f"signup-phone-{name}.png"), full_page=True)


@pytest.fixture
def seminar(make_event):
    """A seminar with a keynote and an exchange part at two theme tables (plain values; the
    test's transaction is ended so the server's writes are not blocked)."""
    event = make_event(
        title="9月 セミナー＆情報交換会",
        parts=[
            {"title": "第一部 基調講演"},
            {"title": "第二部 情報交換会", "uses_tables": True},
        ],
        tables=[
            {"title": "企業・市民向け事業", "capacity": 3},
            {"title": "庁内職員向け事業", "capacity": 3},
        ],
    )
    values = {
        "id": event.id,
        "slug": event.slug,
        "parts": [part.title for part in event.parts],
        "part_ids": [part.id for part in event.parts],
        "tables": [table.title for table in event.tables],
        "table_ids": [table.id for table in event.tables],
    }
    db.session.rollback()
    return values


def form_url(base_url, seminar):
    return f"{base_url}/events/{seminar['slug']}/register"


def test_several_mistakes_in_one_round_with_a_focused_summary(live_server, make_page, seminar):
    page = make_page()
    page.goto(form_url(live_server, seminar))
    page.get_by_label("ふりがな").fill("やまだ はなこ")
    page.get_by_label("メールアドレス").fill("hanako@")
    page.get_by_label("部署名").fill("総務部デジタル推進課")
    page.get_by_label(seminar["parts"][1]).check()
    page.get_by_role("button", name="申し込む").click()

    summary = page.get_by_role("alert")
    expect(summary).to_be_focused()
    assert page.title().startswith("入力内容をご確認ください")
    links = summary.get_by_role("link")
    texts = links.all_inner_texts()
    # Every mistake at once, in the order of the page, each naming the field.
    assert [text.split(":")[0] for text in texts] == [
        "お名前",
        "メールアドレス",
        "所属団体（自治体名）",
        "情報交換会のテーブル",
        CONSENT,
    ]
    # What was typed stays.
    expect(page.get_by_label("ふりがな")).to_have_value("やまだ はなこ")
    expect(page.get_by_label("メールアドレス")).to_have_value("hanako@")
    expect(page.get_by_label("部署名")).to_have_value("総務部デジタル推進課")
    expect(page.get_by_label(seminar["parts"][1])).to_be_checked()
    # Each link lands on its field.
    links.nth(3).click()
    expect(page.get_by_label(seminar["tables"][0])).to_be_focused()
    links.nth(4).click()
    expect(page.get_by_label(CONSENT)).to_be_focused()
    assert count(Registration) == 0


@pytest.mark.parametrize("typed", ["ひろしま", "広島", "ヒロシマ"])
def test_the_picker_finds_a_government_by_name_or_reading(live_server, make_page, seminar, typed):
    page = make_page()
    page.goto(form_url(live_server, seminar))
    field = page.get_by_role("combobox", name="所属団体（自治体名）")
    field.press_sequentially(typed)
    options = page.get_by_role("listbox").get_by_role("option")
    expect(options.first).to_have_text("広島県")
    expect(options.nth(1)).to_have_text("広島県 広島市")
    field.press("ArrowDown")
    field.press("ArrowDown")
    field.press("Enter")  # chooses; does not send the form
    expect(field).to_have_value("広島県 広島市")
    expect(page.get_by_role("listbox")).to_be_hidden()
    expect(page).to_have_url(form_url(live_server, seminar))


def test_without_javascript_the_server_offers_the_candidates(live_server, make_page, seminar):
    page = make_page(java_script_enabled=False)
    page.goto(form_url(live_server, seminar))
    page.get_by_label("お名前").fill("山田 花子")
    page.get_by_label("メールアドレス").fill("hanako@city.example.jp")
    field = page.get_by_label("所属団体（自治体名）")
    field.fill("ひろしま")
    page.get_by_label(seminar["parts"][0]).check()
    page.get_by_label(CONSENT).check()
    page.get_by_role("button", name="申し込む").click()
    expect(page.locator("#organization-error")).to_contain_text(
        "「ひろしま」に当てはまる自治体が複数あります"
    )
    expect(page.locator("#organization-error")).to_contain_text("広島県、広島県 広島市")
    expect(field).to_have_value("ひろしま")
    expect(page.get_by_label("お名前")).to_have_value("山田 花子")
    field.fill("広島県 広島市")
    page.get_by_role("button", name="申し込む").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("お申し込みが完了しました")
    registration = db.session.scalar(select(Registration))
    assert (registration.organization_code, registration.organization_name) == (
        "341002",
        "広島県 広島市",
    )
    db.session.rollback()


def test_moving_to_another_table_keeps_the_seat_and_queues_an_updated_invite(
    live_server, make_page, seminar
):
    page = make_page(viewport=PHONE, device_scale_factor=1)
    page.goto(form_url(live_server, seminar))
    page.get_by_role("button", name="申し込む").click()
    expect(page.get_by_role("alert")).to_be_focused()
    shoot(page, "1-errors")
    page.get_by_label("お名前").fill("山田 花子")
    page.get_by_label("メールアドレス").fill("hanako@city.example.jp")
    page.get_by_label("所属団体（自治体名）").fill("鳥取県")
    page.get_by_label("所属団体（自治体名）").press("Escape")
    page.get_by_label(seminar["parts"][1]).check()
    page.get_by_label(seminar["tables"][0]).check()
    page.get_by_label(CONSENT).check()
    page.get_by_role("button", name="申し込む").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("お申し込みが完了しました")
    shoot(page, "2-done")

    page.get_by_role("link", name="申込内容の確認・キャンセル").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("申込内容の確認")
    page.get_by_label(seminar["tables"][1]).check()
    page.get_by_role("button", name="変更内容を確認する").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("変更内容の確認")
    expect(page.get_by_role("status")).to_contain_text("お席はそのまま確保されます")
    shoot(page, "3-change")
    assert count(OutboxMessage) == 1  # nothing sent before confirming
    page.get_by_role("button", name="この内容で変更する").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("申込内容の確認")
    expect(page.get_by_text("お席はそのまま確保しています", exact=False)).to_be_visible()
    shoot(page, "4-changed")
    registration = db.session.scalar(select(Registration))
    assert registration.status == RegistrationStatus.CONFIRMED
    assert registration.table_id == seminar["table_ids"][1]
    mails = list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
    assert len(mails) == 2
    first, update = mails
    uid = re.compile(r"^UID:(.*)$", re.M)
    assert uid.search(update.calendar_body).group(1) == uid.search(first.calendar_body).group(1)
    assert "SEQUENCE:1" in update.calendar_body and "SEQUENCE:0" in first.calendar_body
    db.session.rollback()
