"""Files are kept only when both their name and their content say PDF, PowerPoint, Excel or Word
and they fit the size limit; a refused upload leaves no row and no file, not even a temporary one.
Links must be https. Deleting a material removes its file too."""

import io
import unicodedata

import pytest

from app.audit.actor import SYSTEM
from app.errors import DomainError
from app.extensions import db
from app.materials import catalogue, files
from app.materials.errors import InvalidLink, MaterialNotFound, MaterialRefused
from app.materials.models import Material, MaterialDownload
from tests.materials.samples import (
    MAX_BYTES,
    SAMPLES,
    count,
    materials,
    ole,
    package,
    pdf,
    stored_files,
)

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "ppt": "application/vnd.ms-powerpoint",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "xls": "application/vnd.ms-excel",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
ALLOWED = "PDF、PowerPoint（.pptx・.ppt）、Excel（.xlsx・.xls）、Word（.docx）"


def upload(event, filename, content, title=""):
    material = catalogue.add_file(event.id, title, filename, io.BytesIO(content), actor=SYSTEM)
    db.session.commit()
    return material


def refused(event, filename, content) -> MaterialRefused:
    with pytest.raises(MaterialRefused) as caught:
        catalogue.add_file(event.id, "", filename, io.BytesIO(content), actor=SYSTEM)
    db.session.rollback()
    return caught.value


def assert_nothing_stored(app):
    assert count(Material) == 0
    assert stored_files(app) == []


# --- accepted files ------------------------------------------------------------------------


@pytest.mark.parametrize("ext", sorted(SAMPLES))
def test_each_allowed_type_is_kept_under_a_random_name_with_its_own_mimetype(app, make_event, ext):
    event = make_event()
    content = SAMPLES[ext]()

    material = upload(event, f"第1回セミナー資料.{ext}", content)

    [row] = materials()
    assert row.id == material.id and row.event_id == event.id
    assert row.filename == f"第1回セミナー資料.{ext}"
    assert row.title == "第1回セミナー資料"  # the name without its extension, when no title given
    assert row.content_type == CONTENT_TYPES[ext]
    assert row.size == len(content)
    assert row.stored_name.endswith(f".{ext}") and "セミナー" not in row.stored_name
    assert stored_files(app) == [row.stored_name]
    assert files.stored_path(row).read_bytes() == content


def test_a_file_of_exactly_the_limit_is_kept(app, make_event):
    upload(make_event(), "limit.pdf", pdf(MAX_BYTES))
    assert materials()[0].size == MAX_BYTES


def test_the_extension_is_matched_whatever_its_case_and_a_title_given_is_used(app, make_event):
    upload(make_event(), "REPORT.PDF", pdf(), title="  基調講演スライド ")
    [row] = materials()
    assert row.title == "基調講演スライド"
    assert row.filename == "REPORT.PDF"
    assert row.stored_name.endswith(".pdf")


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        ("C:\\fakepath\\議事録.pdf", "議事録.pdf"),  # old browsers send the whole Windows path
        ("../../etc/passwd.pdf", "passwd.pdf"),
        ("evil\u202efdp.exe.pdf", "evilfdp.exe.pdf"),  # no right-to-left override tricks
        ("tab\tname.pdf", "tabname.pdf"),
        (unicodedata.normalize("NFD", "ガイドブック.pdf"), "ガイドブック.pdf"),  # macOS sends NFD
    ],
)
def test_the_original_name_is_kept_for_display_but_never_as_a_path(app, make_event, sent, kept):
    upload(make_event(), sent, pdf())
    [row] = materials()
    assert row.filename == kept
    assert "/" not in row.stored_name and ".." not in row.stored_name
    assert stored_files(app) == [row.stored_name]


def test_a_very_long_name_is_shortened_keeping_its_extension(app, make_event):
    upload(make_event(), "長" * 300 + ".pptx", package("pptx"))
    [row] = materials()
    assert len(row.filename) == 255 and row.filename.endswith("長.pptx")
    assert len(row.title) <= 200


# --- refused files ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "filename",
    ["setup.exe", "slides.key", "資料", "page.html", "archive.zip", ".pdf", "script.pdf.js"],
)
def test_a_forbidden_extension_is_refused_naming_the_allowed_types(app, make_event, filename):
    error = refused(make_event(), filename, pdf())
    assert error.field == "file"
    assert "アップロードできない種類のファイル" in str(error.message)
    assert ALLOWED in str(error.message)
    assert_nothing_stored(app)


@pytest.mark.parametrize(
    ("filename", "content"),
    [
        ("report.pdf", b"<html><script>alert(1)</script></html>"),
        ("report.pdf", b"MZ\x90\x00" + b"\0" * 100),  # a Windows program renamed .pdf
        ("slides.pptx", package("pptx", with_content_types=False)),  # any ZIP is not enough
        ("book.xlsx", package("pptx")),  # a presentation renamed .xlsx
        ("slides.pptx", b"PK\x03\x04 but not really a zip"),
        ("slides.ppt", pdf()),
        ("book.xls", package("xlsx")),
        ("letter.docx", ole()),
    ],
)
def test_content_that_does_not_match_the_extension_is_refused(app, make_event, filename, content):
    error = refused(make_event(), filename, content)
    assert error.field == "file"
    assert "の中身は" in str(error.message) and ALLOWED in str(error.message)
    assert_nothing_stored(app)


def test_a_file_over_the_limit_is_refused_with_the_limit_named(app, make_event):
    error = refused(make_event(), "big.pdf", pdf(MAX_BYTES + 1))
    assert error.field == "file"
    assert "ファイルが大きすぎます" in str(error.message) and "4 KB" in str(error.message)
    assert_nothing_stored(app)


def test_an_empty_file_and_a_missing_name_are_refused(app, make_event):
    event = make_event()
    assert "ファイルが空です" in str(refused(event, "empty.pdf", b"").message)
    assert "ファイルを選んでください" in str(refused(event, "", pdf()).message)
    assert_nothing_stored(app)


def test_refusals_one_after_another_leave_the_folder_and_the_table_empty(app, make_event):
    event = make_event()
    for filename, content in [
        ("a.exe", b"MZ"),
        ("b.pdf", b"not a pdf"),
        ("c.pdf", pdf(MAX_BYTES * 3)),
        ("d.xlsx", b"PK\x03\x04"),
    ]:
        refused(event, filename, content)
    assert_nothing_stored(app)
    upload(event, "ok.pdf", pdf())
    assert len(stored_files(app)) == 1


def test_an_unknown_event_takes_no_file(app):
    with pytest.raises(DomainError):
        catalogue.add_file(999, "", "a.pdf", io.BytesIO(pdf()), actor=SYSTEM)
    assert_nothing_stored(app)


# --- links -----------------------------------------------------------------------------------


def test_an_https_link_is_kept(app, make_event):
    event = make_event()
    catalogue.add_link(
        event.id, "録画（YouTube）", " https://www.youtube.com/watch?v=abc ", actor=SYSTEM
    )
    db.session.commit()
    [row] = materials()
    assert row.is_link and row.url == "https://www.youtube.com/watch?v=abc"
    assert row.stored_name == "" and row.title == "録画（YouTube）"


@pytest.mark.parametrize(
    "url",
    [
        "http://example.jp/slides",
        "javascript:alert(1)",
        "https://",
        "ftp://example.jp/a.pdf",
        "example.jp/slides",
        "https://exa mple.jp/",
        "https://[::1",
        "https://example.jp/\r\nX: y",
        "https://example.jp/" + "a" * 500,
    ],
)
def test_a_link_that_is_not_a_plain_https_url_is_refused(app, make_event, url):
    with pytest.raises(InvalidLink) as caught:
        catalogue.add_link(make_event().id, "資料", url, actor=SYSTEM)
    assert caught.value.field == "url"
    db.session.rollback()
    assert count(Material) == 0


# --- deleting --------------------------------------------------------------------------------


def test_deleting_a_material_removes_its_file_and_its_download_log(app, make_event):
    event = make_event()
    material = upload(event, "a.pdf", pdf())
    db.session.add(MaterialDownload(material_id=material.id))
    db.session.commit()

    catalogue.delete_material(event.id, material.id, actor=SYSTEM)
    db.session.commit()

    assert_nothing_stored(app)
    assert count(MaterialDownload) == 0


def test_a_material_cannot_be_deleted_through_another_event(app, make_event):
    material = upload(make_event(), "a.pdf", pdf())
    other = make_event()
    with pytest.raises(MaterialNotFound):
        catalogue.delete_material(other.id, material.id, actor=SYSTEM)
    assert count(Material) == 1 and len(stored_files(app)) == 1
