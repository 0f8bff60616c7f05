"""A member's own record in a real browser (Debian's chromium driven by Playwright): reached by
the link mailed to the member (the welcome mail, or the one the unsubscribe page offers to send),
corrected with labels only, and left with the box the page asks for.

Skipped when /usr/bin/chromium is missing, unless REQUIRE_BROWSER=1 (then it fails).
"""

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.members.models import Member, ThemeInterest
from app.members.services import profile_token
from tests.factories import make_member


@pytest.fixture
def profile_path(app):
    """A member's own page, as the mailed link opens it; the test's transaction is ended (SQLite's
    write lock)."""
    member = make_member(
        organization="鳥取県", name="山田 花子", email="hanako@city.example.jp", department="総務課"
    )
    member.theme_interests = [ThemeInterest.STAFF.value]
    db.session.commit()
    path = f"/members/profile/{profile_token(member)}"
    db.session.rollback()
    return path


def stored() -> tuple | None:
    """The member's row as plain values, the test's transaction ended before the server writes."""
    try:
        member = db.session.scalar(select(Member).where(Member.email == "hanako@city.example.jp"))
        if member is None:
            return None
        themes = sorted(member.theme_interests)
        return member.name, member.department, member.listed_publicly, themes
    finally:
        db.session.rollback()


def test_a_member_corrects_their_record_and_then_leaves(live_server, make_page, profile_path):
    page = make_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    page.goto(live_server + profile_path)
    expect(page.get_by_role("heading", level=1)).to_have_text("登録内容の確認・変更")
    expect(page.get_by_text("hanako@city.example.jp")).to_be_visible()

    # An empty name is explained beside the field, and the rest stays as typed.
    page.get_by_label("お名前").fill("")
    page.get_by_label("部署名").fill("企画部 DX推進課")
    page.get_by_role("button", name="変更を保存する").click()
    expect(page.locator("#name-error")).to_contain_text("お名前を入力してください。")
    expect(page.get_by_label("部署名")).to_have_value("企画部 DX推進課")

    page.get_by_label("お名前").fill("山田 華子")
    page.get_by_label("企業・市民向け事業（中小企業のDX推進、市民・求職者の学びなど）").check()
    page.get_by_label("自治体名をご参加自治体一覧に掲載してよい").check()
    page.get_by_role("button", name="変更を保存する").click()
    expect(page.get_by_text("登録内容を更新しました。")).to_be_visible()
    themes = sorted([ThemeInterest.STAFF.value, ThemeInterest.BUSINESS_CITIZENS.value])
    assert stored() == ("山田 華子", "企画部 DX推進課", True, themes)
    assert page.evaluate("document.documentElement.scrollWidth") <= 390

    # Leaving asks for the box first; then the record is gone.
    page.get_by_role("button", name="退会する").click()
    expect(page.get_by_text("退会する場合は、チェックを入れてください。").first).to_be_visible()
    assert stored() is not None
    page.get_by_label("退会し、登録情報を削除します").check()
    page.get_by_role("button", name="退会する").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("退会しました")
    assert stored() is None
