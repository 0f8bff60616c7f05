"""The member import in a real browser: from the members page's 「Excel から取り込む」, upload a real
Shift_JIS CSV, correct a column, look at the preview, confirm, and find the members; then the
ヘルプ link opens the guide's page for the import."""

from playwright.sync_api import expect
from sqlalchemy import select

from app.extensions import db
from app.members.models import Member, MemberStatus
from tests.conftest import ORGANIZER_PASSWORD
from tests.members import import_samples as samples


def test_an_organizer_imports_a_contact_list(app, live_server, make_page, make_organizer, tmp_path):
    email = make_organizer(email="jimukyoku@secretariat.example.jp").email
    db.session.rollback()  # SQLite: leave no transaction open while the server writes
    path = tmp_path / "会員名簿.csv"
    path.write_bytes(samples.csv_bytes(samples.contacts()[:30]))
    page = make_page(viewport={"width": 1024, "height": 900})

    page.goto(live_server + "/admin/members")
    page.get_by_label("メールアドレス").fill(email)
    page.get_by_label("パスワード").fill(ORGANIZER_PASSWORD)
    page.get_by_role("button", name="ログイン").click()
    page.get_by_role("link", name="Excel から取り込む").click()

    page.get_by_label("会員の一覧（Excel または CSV）").set_input_files(str(path))
    page.get_by_role("button", name="アップロードして列を選ぶ").click()
    expect(page.get_by_text("30 行のデータがあります")).to_be_visible()
    expect(page.get_by_label("メールアドレス")).to_have_value("4")
    # The organizer says the reading is not to be used, and asks for the opt-in mail.
    page.get_by_label("ふりがな").select_option(label="（使わない）")
    page.get_by_label("同意の記録がない方に、参加確認のメール（ダブルオプトイン）を送る").check()
    page.get_by_role("button", name="プレビューを表示").click()

    expect(page.get_by_role("link", name="新規 21")).to_be_visible()
    expect(page.get_by_role("link", name="エラー 9")).to_be_visible()
    page.get_by_role("link", name="エラー 9").click()
    expect(page.get_by_role("cell", name="14 行目")).to_be_visible()
    expect(page.get_by_text("都道府県名を付けてください（例: 東京都府中市）")).to_be_visible()
    assert db.session.scalar(select(Member.id)) is None  # nothing yet
    db.session.rollback()

    page.get_by_role("button", name="取り込みを確定する").click()
    expect(page.get_by_role("button", name="この取り込みを取り消す")).to_be_visible()
    db.session.rollback()
    members = db.session.scalars(select(Member)).all()
    assert len(members) == 21
    statuses = {m.email: m.status for m in members}
    assert statuses["user0002@city.example.lg.jp"] == MemberStatus.ACTIVE
    assert statuses["user0003@city.example.lg.jp"] == MemberStatus.PENDING
    db.session.rollback()

    page.get_by_role("link", name="ヘルプ").click()
    expect(page.get_by_role("heading", name="会員の取り込み", level=1)).to_be_visible()
    expect(page.locator("img[src='/admin/help/images/member-import-preview.png']")).to_be_visible()
