"""The member import in the console, through the test client: from the members page's button to
the upload, the columns, the preview of every row, the confirmation and the undo; bad files and
bad choices answer with their message (never a 500) and keep what was chosen; a large file is
checked and imported by the worker's job while the page shows the progress."""

import html
import io
import re

import pytest
from sqlalchemy import func, select

from app import clock
from app.audit.models import AuditEntry
from app.extensions import db
from app.members.imports.jobs import run_member_imports
from app.members.imports.models import ImportStatus, MemberImport
from app.members.models import Member
from tests.members import import_samples as samples


def page_text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def upload(client, content: bytes, file_name: str):
    token = client.token("/admin/members/import")
    return client.post(
        "/admin/members/import",
        data={"csrf_token": token, "file": (io.BytesIO(content), file_name)},
        content_type="multipart/form-data",
    )


def import_id(response) -> int:
    return int(re.search(r"/admin/members/import/(\d+)$", response.headers["Location"]).group(1))


def columns_form(page: str) -> dict:
    """What the columns page has selected, as the browser would post it."""
    data = {}
    for name, options in re.findall(
        r'<select id="(column-[a-z_]+)"[^>]*>(.*?)</select>', page, re.S
    ):
        selected = re.search(r'<option value="(\d*)" selected', options)
        data[name] = selected.group(1) if selected else ""
    return data


def members_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Member))


def test_the_members_page_offers_the_import(organizer_client):
    page = page_text(organizer_client.get("/admin/members"))
    assert 'href="/admin/members/import"' in page and "Excel から取り込む" in page


def test_upload_columns_preview_confirm_and_undo(organizer_client):
    client = organizer_client
    response = upload(client, samples.xlsx_bytes(), "会員名簿.xlsx")
    assert response.status_code == 302
    batch = import_id(response)
    url = f"/admin/members/import/{batch}"
    page = page_text(client.get(url))
    assert "1,000 行のデータがあります" in page
    chosen = columns_form(page)
    assert chosen["column-email"] == "4" and chosen["column-consent_method"] == "8"
    response = client.submit(url, chosen, action=f"{url}/columns")
    assert response.status_code == 302
    preview = page_text(client.get(url))
    assert "新規 991" in preview and "エラー 9" in preview
    errors = page_text(client.get(f"{url}?outcome=error"))
    assert "14 行目" in errors and "都道府県名を付けてください（例: 東京都府中市）" in errors
    assert (
        "20 行目" in errors and "17 行目と重複しています。どちらかの行を削除してください" in errors
    )
    assert members_count() == 0  # GET and the preview wrote nothing

    response = client.submit(url, {}, action=f"{url}/confirm")
    assert response.status_code == 302
    assert members_count() == 991
    done = page_text(client.get(url))
    assert "取り込み済み" in done and "この取り込みを取り消す" in done

    response = client.submit(url, {}, action=f"{url}/undo")
    assert response.status_code == 302
    assert members_count() == 0
    assert "取り込みを取り消しました（削除 991 名" in page_text(client.get(url))
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-2:] == ["member_import.import", "member_import.undo"]


def test_a_missing_column_is_named_and_the_choices_are_kept(organizer_client):
    client = organizer_client
    batch = import_id(upload(client, samples.csv_bytes(samples.contacts()[:5]), "a.csv"))
    url = f"/admin/members/import/{batch}"
    chosen = dict(
        columns_form(page_text(client.get(url))), **{"column-name": "", "column-kana": "2"}
    )
    response = client.submit(url, chosen, action=f"{url}/columns")
    assert response.status_code == 422
    page = page_text(response)
    assert "「氏名」の列を選んでください（必須です）。" in page
    assert columns_form(page)["column-kana"] == "2"


BAD_FILES = [
    (b"", "empty.csv", "ファイルが空です"),
    (b"a,b\n" * 1_400_000, "big.csv", "ファイルが大きすぎます（上限 5 MB）"),
    (b"PK\x03\x04broken", "broken.xlsx", "ファイルが壊れているか"),
    (bytes.fromhex("d0cf11e0a1b11ae1") + bytes(600), "old.xls", "古い Excel 形式（.xls）"),
    ("自治体名,氏名\r\n".encode(), "header.csv", "見出し行の下にデータがありません"),
    (b"\xef\xbb\xbf\xff\xfe,a\r\n", "bad.csv", "文字コードを判別できません"),
]


@pytest.mark.parametrize("content, file_name, message", BAD_FILES, ids=[f[1] for f in BAD_FILES])
def test_a_bad_file_gets_its_message_on_the_upload_page(
    organizer_client, content, file_name, message
):
    response = upload(organizer_client, content, file_name)
    assert response.status_code == 422
    assert message in page_text(response)
    assert db.session.scalar(select(func.count()).select_from(MemberImport)) == 0


def test_a_post_without_its_token_is_refused(organizer_client):
    response = organizer_client.post(
        "/admin/members/import",
        data={"file": (io.BytesIO(samples.csv_bytes(samples.contacts()[:3])), "a.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400


def test_a_large_file_is_checked_and_imported_by_the_worker(app, organizer_client):
    app.config["MEMBER_IMPORT_BACKGROUND_ROWS"] = 20  # 2,000 in production
    client = organizer_client
    batch = import_id(upload(client, samples.csv_bytes(samples.contacts()[:60]), "big.csv"))
    url = f"/admin/members/import/{batch}"
    page = page_text(client.get(url))
    assert "確認と取り込みは裏で行い" in page
    client.submit(url, columns_form(page), action=f"{url}/columns")
    waiting = page_text(client.get(url))
    assert '<meta http-equiv="refresh" content="3">' in waiting and "確認の順番待ち" in waiting
    assert run_member_imports(clock.now()) == 1
    assert "新規 51" in page_text(client.get(url))
    client.submit(url, {}, action=f"{url}/confirm")
    assert "取り込みの順番待ち" in page_text(client.get(url))
    assert members_count() == 0
    assert run_member_imports(clock.now()) == 1
    assert members_count() == 51
    assert db.session.get(MemberImport, batch).status == ImportStatus.IMPORTED


def test_odd_input_gets_an_answer_never_a_500(organizer_client):
    client = organizer_client
    response = upload(client, samples.csv_bytes(samples.contacts()[:3]), "a\x00b\u2028.csv")
    batch = import_id(response)
    assert db.session.get(MemberImport, batch).file_name == "ab.csv"
    url = f"/admin/members/import/{batch}"
    odd = {"column-name": "²", "column-email": "999999999999", "column-organization": "-1"}
    response = client.submit(url, odd, action=f"{url}/columns")
    assert response.status_code == 422
    assert "列を選んでください" in page_text(response)
    response = client.submit(url, {"sheet": "x" * 5000}, action=f"{url}/sheet")
    assert response.status_code in (302, 422)
    for path in (f"{url}?outcome=bogus&page=-1", "/admin/members/import/99999999999"):
        assert client.get(path).status_code in (200, 404)


def test_the_member_record_shows_the_imported_consent(organizer_client):
    client = organizer_client
    batch = import_id(upload(client, samples.xlsx_bytes(samples.contacts()[:3]), "a.xlsx"))
    url = f"/admin/members/import/{batch}"
    client.submit(url, columns_form(page_text(client.get(url))), action=f"{url}/columns")
    client.submit(url, {}, action=f"{url}/confirm")
    consented = db.session.scalar(
        select(Member).where(Member.email == "user0002@city.example.lg.jp")
    )
    pending = db.session.scalar(select(Member).where(Member.email == "user0003@city.example.lg.jp"))
    page = page_text(client.get(f"/admin/members/{consented.id}"))
    assert "事務局が取り込んだ同意の記録です（同意方法: 参加申込書（紙））。" in page
    assert "2025年4月1日" in page
    page = page_text(client.get(f"/admin/members/{pending.id}"))
    assert "事務局の名簿から取り込まれました" in page
    listing = page_text(client.get("/admin/members"))
    assert "取り込みで仮登録（同意前）" in listing
