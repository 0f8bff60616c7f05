"""The answer page in a real browser (Debian's chromium via Playwright) on a phone-sized screen:
it fits the width, a missing answer is explained beside its question with what was typed kept,
and the answers, once sent, come back filled in for editing.

Screenshot for a human: /tmp/survey-phone.png."""

import re
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.serving import WSGIRequestHandler, make_server

from app.extensions import db
from app.mail.outbox import OutboxMessage
from app.surveys import followups
from app.surveys.models import SurveyResponse

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
PHONE = {"width": 390, "height": 844}
SCREENSHOT = Path("/tmp/survey-phone.png")


class _Quiet(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):
        pass


@pytest.fixture
def served(app):
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    server.server_close()


@pytest.fixture
def phone():
    if not CHROMIUM.exists():
        pytest.skip(f"browser test skipped: {CHROMIUM} does not exist")
    playwright = pytest.importorskip("playwright.sync_api")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        context = browser.new_context(
            locale="ja-JP", viewport=PHONE, is_mobile=True, has_touch=True
        )
        context.set_default_timeout(15_000)
        yield context.new_page()
        context.close()
        browser.close()


def test_an_attendee_answers_on_a_phone(
    app, served, phone, upcoming_with_attendees, make_survey, frozen_now
):
    from playwright.sync_api import expect

    event, _people = upcoming_with_attendees(1)
    survey = make_survey(event)
    followups.send_survey_mail(survey.id, frozen_now(event.ends_at + timedelta(hours=1)))
    db.session.commit()
    mail = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.category == "survey_invitation")
    )
    path = re.search(r"https://reskilling\.example\.jp(/surveys/\S+)", mail.text_body).group(1)
    db.session.commit()  # on SQLite an open transaction would hold the write lock

    page = phone
    page.goto(served + path)
    expect(page.get_by_role("heading", level=1)).to_have_text("アンケート")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    page.get_by_label("ご意見・ご感想").fill("事例が具体的で参考になりました。")
    page.get_by_label("第二部").check()
    page.get_by_role("button", name="回答を送信する").tap()

    rating = page.locator("fieldset", has_text="全体の満足度")
    expect(rating.locator("p.error")).to_contain_text("「全体の満足度」に回答してください。")
    expect(page.get_by_label("ご意見・ご感想")).to_have_value("事例が具体的で参考になりました。")
    expect(page.get_by_label("第二部")).to_be_checked()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

    page.get_by_label("4", exact=True).check()
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    page.get_by_role("button", name="回答を送信する").tap()
    expect(page.get_by_text("回答を受け付けました。")).to_be_visible()
    expect(page.get_by_label("4", exact=True)).to_be_checked()
    expect(page.get_by_role("button", name="回答を更新する")).to_be_visible()

    db.session.rollback()
    saved = db.session.scalar(select(SurveyResponse))
    assert saved.answers[str(survey.questions[0].id)] == 4
    assert saved.answers[str(survey.questions[1].id)] == ["第二部"]
