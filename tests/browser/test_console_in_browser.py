"""The organizer console in a real browser, end to end: an organizer signs in, creates and
publishes an event with a custom question, an attendee signs up through the public form, the
organizer finds the registrant with the answer, checks them in, downloads CSV and .xlsx (both read
back here), and sends an announcement that reaches a real SMTP server (aiosmtpd on 127.0.0.1).

Screenshots of the main screens are written to docs/screenshots/ (named in the README), so a
reader can see the console without running it.
"""

import csv
import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from app.extensions import db
from app.mail.delivery import deliver_due
from tests.conftest import ORGANIZER_PASSWORD
from tests.mail.conftest import (  # noqa: F401  (fixtures: a real SMTP server for the app)
    smtp_config,
    smtp_port,
    smtp_server,
    stopped_smtp_server,
)

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
QUESTION = "関心のあるテーマ"
ANSWER = "地域企業のDX支援"


@pytest.fixture
def app_overrides(smtp_config):  # noqa: F811
    return smtp_config


def shot(page, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def test_an_organizer_runs_an_event_from_the_console(
    app,
    live_server,
    make_page,
    make_organizer,
    smtp_server,  # noqa: F811
):
    organizer = make_organizer(email="jimukyoku@secretariat.example.jp", name="事務局 花子")
    email = organizer.email
    db.session.rollback()  # SQLite: leave no transaction open while the server writes
    console = make_page(viewport={"width": 1280, "height": 900})

    # Sign in; the console opens on the event list.
    console.goto(live_server + "/admin/events")
    console.get_by_label("メールアドレス").fill(email)
    console.get_by_label("パスワード").fill(ORGANIZER_PASSWORD)
    console.get_by_role("button", name="ログイン").click()
    expect(console.get_by_role("heading", level=1)).to_have_text("イベント")

    # Create an event with a required single-choice question, then publish it.
    console.get_by_role("link", name="新しいイベントを作成").click()
    console.locator('[name="title"]').fill("12月 自治体DXセミナー")
    console.locator('[name="starts_at"]').fill("2026-12-15T14:00")
    console.locator('[name="ends_at"]').fill("2026-12-15T16:00")
    console.locator('[name="meeting_url"]').fill("https://meet.example.jp/dx-seminar")
    console.locator("#questions summary").click()  # optional sections start folded
    console.locator('[name="questions-0-label"]').fill(QUESTION)
    console.locator('[name="questions-0-type"]').select_option("single_choice")
    console.locator('[name="questions-0-required"]').check()
    console.locator('[name="questions-0-choices"]').fill(f"庁内のDX人材育成\n{ANSWER}")
    console.get_by_role("button", name="下書きとして作成").click()
    expect(console.get_by_role("heading", level=1)).to_contain_text("12月 自治体DXセミナー")
    console.get_by_role("button", name="公開する").click()
    expect(console.get_by_text("公開中").first).to_be_visible()
    event_page = console.url

    # An attendee signs up through the public form and answers the question.
    attendee = make_page(viewport={"width": 390, "height": 844})
    attendee.goto(live_server + "/")
    attendee.get_by_role("link", name="12月 自治体DXセミナー").click()
    attendee.get_by_role("link", name="このイベントに申し込む").click()
    attendee.get_by_label("お名前").fill("鈴木 一郎")
    attendee.get_by_label("メールアドレス").fill("ichiro.suzuki@city.example.lg.jp")
    attendee.get_by_label("所属団体（自治体名）").fill("鳥取県 鳥取市")
    attendee.get_by_label(ANSWER).check()
    attendee.get_by_label("「個人情報の取り扱いについて」に同意します").check()
    attendee.get_by_role("button", name="申し込む").click()
    expect(attendee.get_by_role("heading", level=1)).to_have_text("お申し込みが完了しました")

    # The organizer sees the registrant with the answer.
    console.goto(event_page)
    console.get_by_role("link", name="申込者一覧").click()
    row = console.get_by_role("row").filter(has_text="鈴木 一郎")
    expect(row).to_contain_text(ANSWER)
    shot(console, "registrants")

    # On the day: one tap checks the attendee in (on a phone).
    phone = make_page(
        viewport={"width": 390, "height": 844}, storage_state=console.context.storage_state()
    )
    phone.goto(event_page)
    phone.get_by_role("link", name="当日受付（チェックイン）").click()
    phone.get_by_role("listitem").filter(has_text="鈴木 一郎").get_by_role("button").click()
    expect(phone.get_by_role("listitem").filter(has_text="鈴木 一郎")).to_contain_text("受付済")
    shot(phone, "checkin-phone")

    # Downloads: CSV with a BOM for Excel, and .xlsx; both read back.
    console.goto(event_page)
    with console.expect_download() as download:
        console.get_by_role("link", name="申込者のダウンロード（CSV）").click()
    data = Path(download.value.path()).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"))))
    assert [(r["氏名"], r[QUESTION]) for r in rows] == [("鈴木 一郎", ANSWER)]
    assert rows[0]["受付（出席）"] != ""
    with console.expect_download() as download:
        console.get_by_role("link", name="申込者のダウンロード（Excel）").click()
    sheet = load_workbook(io.BytesIO(Path(download.value.path()).read_bytes())).active
    header = [cell.value for cell in sheet[1]]
    values = [cell.value for cell in sheet[2]]
    assert values[header.index("氏名")] == "鈴木 一郎"
    assert values[header.index(QUESTION)] == ANSWER

    # Statistics and the event list, for the screenshots.
    console.get_by_role("link", name="集計").click()
    expect(console.get_by_role("heading", level=1)).to_be_visible()
    shot(console, "event-statistics")
    console.goto(live_server + "/admin/events")
    shot(console, "events")

    # An announcement to the registrants reaches the SMTP server.
    console.goto(event_page)
    console.get_by_role("link", name="申込者へのお知らせを作成").click()
    console.get_by_label("件名").fill("【ご案内】12月セミナーの資料について")
    console.get_by_label("本文").fill("{name} 様\n\n当日の資料は前日にお送りします。")
    console.get_by_role("button", name="保存して確認する").click()
    console.get_by_role("button", name="今すぐ 1名に送信する").click()
    with app.app_context():
        sent = deliver_due()
        db.session.commit()
    assert sent >= 1
    expect(console).to_have_url(re.compile(r"/admin/announcements/\d+/progress$"))
    console.reload()  # the page also refreshes itself every 5 seconds while mail is waiting
    expect(console.get_by_text("送信済み").first).to_be_visible()
    shot(console, "announcement-progress")
    subjects = [r.message["Subject"] for r in smtp_server.received]
    assert "【ご案内】12月セミナーの資料について" in subjects
    received = next(
        r for r in smtp_server.received if r.message["Subject"].startswith("【ご案内】")
    )
    assert received.rcpt_tos == ["ichiro.suzuki@city.example.lg.jp"]
    assert "鈴木 一郎 様" in received.message.get_body(preferencelist=("plain",)).get_content()
