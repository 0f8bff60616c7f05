"""The console by keyboard and at 200 % zoom, in a real browser: the main path (sign in, open an
event, its registrants, the check-in list, check someone in) with Tab and Enter only, every
focused control visibly outlined; no page cut off sideways at 640 CSS px (1280 px at 200 %);
check-in rows large enough to tap; and the announcement form's placeholder buttons."""

import pytest
from playwright.sync_api import expect

from app.extensions import db
from tests.conftest import ORGANIZER_PASSWORD

FOCUS_STYLE = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  return {tag: el.tagName, text: (el.innerText || el.value || el.name || '').trim().slice(0, 40),
          outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2};
}"""


@pytest.fixture
def event_with_people(app, make_event, make_registration, make_organizer):
    event = make_event(title="9月 セミナー＆情報交換会")
    make_registration(event, name="青木 太郎", furigana="あおき たろう", organization="鳥取県")
    make_registration(event, name="山田 花子", furigana="やまだ はなこ", organization="松江市")
    organizer = make_organizer()
    values = (event.id, event.title, organizer.email)
    db.session.rollback()  # SQLite: no open transaction while the server writes
    return values


def tab_to(page, wanted: str, limit: int = 60) -> list[dict]:
    """Press Tab until the focused control's text contains `wanted`; every stop seen."""
    stops = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        stop = page.evaluate(FOCUS_STYLE)
        stops.append(stop)
        if wanted in stop["text"]:
            return stops
    raise AssertionError(f"Tab never reached {wanted!r}: {[s['text'] for s in stops]}")


def test_the_console_main_path_works_by_keyboard_with_visible_focus(
    live_server, make_page, event_with_people
):
    event_id, title, email = event_with_people
    page = make_page(viewport={"width": 1280, "height": 900})
    page.goto(live_server + "/admin/login")
    stops = tab_to(page, "本文へ移動", limit=3)
    page.keyboard.press("Tab")
    stops += tab_to(page, "email")
    page.keyboard.type(email)
    page.keyboard.press("Tab")
    page.keyboard.type(ORGANIZER_PASSWORD)
    page.keyboard.press("Enter")  # Enter submits the sign-in form
    expect(page.get_by_role("heading", level=1)).to_have_text("イベント")

    stops += tab_to(page, title)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text(title)
    stops += tab_to(page, "当日受付")
    page.keyboard.press("Enter")
    expect(page).to_have_url(f"{live_server}/admin/events/{event_id}/checkin")

    stops += tab_to(page, "青木 太郎")
    page.keyboard.press("Enter")  # checks in the focused person
    expect(page.locator(".is-present")).to_contain_text("青木 太郎")
    unoutlined = [s for s in stops if not s["outline"]]
    assert len(stops) > 8
    assert not unoutlined, f"focus not visible on: {unoutlined}"


def test_checkin_rows_are_large_readable_targets(live_server, make_page, event_with_people):
    event_id, _title, email = event_with_people
    page = make_page(viewport={"width": 375, "height": 800})
    page.goto(live_server + f"/admin/events/{event_id}/checkin")
    page.locator('[name="email"]').fill(email)
    page.locator('[name="password"]').fill(ORGANIZER_PASSWORD)
    page.locator("main form button[type=submit]").click()
    rows = page.locator(".checkin-button")
    expect(rows).to_have_count(2)
    for index in range(2):
        box = rows.nth(index).bounding_box()
        assert box["height"] >= 44 and box["width"] >= 300, box
    first = rows.first
    expect(first.locator(".checkin-name")).to_have_text("青木 太郎")
    expect(first.locator(".checkin-reading")).to_have_text("あおき たろう")
    expect(first.locator(".checkin-org")).to_contain_text("鳥取県")
    backgrounds = [
        rows.nth(i).evaluate("el => getComputedStyle(el).backgroundColor") for i in range(2)
    ]
    assert backgrounds[0] != backgrounds[1]  # even rows tinted


def test_console_pages_fit_at_200_percent_zoom(live_server, make_page, event_with_people):
    event_id, _title, email = event_with_people
    page = make_page(viewport={"width": 640, "height": 800})  # 1280 px at 200 %
    page.goto(live_server + "/admin/login")
    page.locator('[name="email"]').fill(email)
    page.locator('[name="password"]').fill(ORGANIZER_PASSWORD)
    page.locator("main form button[type=submit]").click()
    cut = {}
    for path in (
        "/admin/events",
        f"/admin/events/{event_id}",
        f"/admin/events/{event_id}/edit",
        f"/admin/events/{event_id}/registrants",
        f"/admin/events/{event_id}/checkin",
        "/admin/announcements/new",
        "/admin/members",
        "/api/docs",
    ):
        page.goto(live_server + path)
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        if overflow > 0:
            cut[path] = overflow
    assert not cut, f"pages cut off sideways at 640 px: {cut}"


def test_placeholder_buttons_insert_at_the_cursor(live_server, make_page, event_with_people):
    _event_id, _title, email = event_with_people
    page = make_page(viewport={"width": 1280, "height": 900})
    page.goto(live_server + "/admin/announcements/new")
    page.locator('[name="email"]').fill(email)
    page.locator('[name="password"]').fill(ORGANIZER_PASSWORD)
    page.locator("main form button[type=submit]").click()
    body = page.locator('[name="body"]')
    body.fill("様\n資料を公開しました。")
    body.evaluate("el => el.setSelectionRange(0, 0)")
    page.get_by_role("button", name="{氏名}（氏名）").click()
    expect(body).to_have_value("{氏名}様\n資料を公開しました。")
