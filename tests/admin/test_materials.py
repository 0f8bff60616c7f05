"""The console's materials pages: upload a file or add a link (bad input explained beside its
field, the typed title kept, 422, nothing stored), delete, see download counts, and mail the
materials to the chosen audience with the count shown first; every change is in the audit log."""

import html
import io
import re

import pytest
from sqlalchemy import select

from app.audit.actor import SYSTEM
from app.audit.models import AuditEntry
from app.extensions import db
from app.materials import catalogue
from app.materials.models import Material, MaterialDownload
from tests.materials.samples import (
    MAX_BYTES,
    count,
    materials,
    outbox,
    overrides,
    package,
    pdf,
    stored_files,
)


@pytest.fixture
def app_overrides(tmp_path):
    return overrides(tmp_path)


def page(event) -> str:
    return f"/admin/events/{event.id}/materials"


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def upload(client, event, content, filename, title=""):
    return client.submit(
        page(event),
        {"kind": "file", "title": title, "file": (io.BytesIO(content), filename)},
        content_type="multipart/form-data",
    )


def audit(action) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def assert_nothing_stored(app):
    assert count(Material) == 0
    assert stored_files(app) == []


# --- uploading -------------------------------------------------------------------------------


def test_an_organizer_uploads_a_file_and_the_change_is_audited(app, organizer_client, make_event):
    event = make_event()
    response = upload(organizer_client, event, package("pptx"), "基調講演.pptx", title="基調講演")

    assert response.status_code == 302
    assert response.headers["Location"] == page(event)
    [material] = materials()
    assert material.filename == "基調講演.pptx" and material.title == "基調講演"
    assert stored_files(app) == [material.stored_name]
    [entry] = audit("material.upload")
    assert entry.target == f"material:{material.id}"
    assert entry.detail["filename"] == "基調講演.pptx"
    listing = text_of(organizer_client.get(page(event)))
    assert "「基調講演」を追加しました。" in listing
    assert "PowerPoint・" in listing and "0 回（0 人）" in listing


def test_a_forbidden_type_is_refused_beside_the_file_field_and_nothing_is_stored(
    app, organizer_client, make_event
):
    event = make_event()
    response = upload(organizer_client, event, b"MZ\x90\x00", "tool.exe", title="配布ツール")

    assert response.status_code == 422
    body = text_of(response)
    assert 'id="file-error"' in body
    assert "「tool.exe」はアップロードできない種類のファイルです" in body
    assert "PDF、PowerPoint（.pptx・.ppt）、Excel（.xlsx・.xls）、Word（.docx）" in body
    assert 'value="配布ツール"' in body  # the typed title is kept
    assert_nothing_stored(app)
    assert audit("material.upload") == []


def test_a_renamed_file_is_refused_by_its_content(app, organizer_client, make_event):
    response = upload(organizer_client, make_event(), b"<html></html>", "slides.pdf")
    assert response.status_code == 422
    assert "「slides.pdf」の中身は PDF のファイルではありません" in text_of(response)
    assert_nothing_stored(app)


def test_a_file_over_the_limit_is_refused_with_a_clear_message(app, organizer_client, make_event):
    response = upload(organizer_client, make_event(), pdf(MAX_BYTES + 1), "big.pdf")
    assert response.status_code == 422
    assert "ファイルが大きすぎます。4 KB 以下のファイルを選んでください。" in text_of(response)
    assert_nothing_stored(app)


def test_a_request_over_max_content_length_gets_the_japanese_413_page(
    app, organizer_client, make_event
):
    event = make_event()
    token = organizer_client.token(page(event))
    app.config["MAX_CONTENT_LENGTH"] = MAX_BYTES * 2
    response = organizer_client.post(
        page(event),
        data={
            "csrf_token": token,
            "kind": "file",
            "file": (io.BytesIO(pdf(MAX_BYTES * 3)), "a.pdf"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 413
    body = text_of(response)
    assert "送信内容が大きすぎます" in body
    assert "アップロードできるファイルは 4 KB までです" in body
    assert_nothing_stored(app)


def test_no_file_chosen_is_explained(app, organizer_client, make_event):
    response = organizer_client.submit(
        page(make_event()), {"kind": "file", "title": "資料"}, content_type="multipart/form-data"
    )
    assert response.status_code == 422
    assert "ファイルを選んでください。" in text_of(response)
    assert_nothing_stored(app)


def test_a_post_that_is_neither_form_is_a_friendly_400(app, organizer_client, make_event):
    response = organizer_client.submit(page(make_event()), {"kind": "other"})
    assert response.status_code == 400
    assert_nothing_stored(app)


def test_an_unknown_event_is_404(organizer_client):
    assert organizer_client.get("/admin/events/999/materials").status_code == 404
    assert organizer_client.get("/admin/events/999/materials/send").status_code == 404


# --- links -----------------------------------------------------------------------------------


def test_an_organizer_adds_a_link(organizer_client, make_event):
    event = make_event()
    response = organizer_client.submit(
        page(event),
        {"kind": "link", "link_title": "当日の録画", "url": "https://video.example.jp/v/1"},
    )
    assert response.status_code == 302
    [material] = materials()
    assert material.is_link and material.url == "https://video.example.jp/v/1"
    [entry] = audit("material.add_link")
    assert entry.detail["url"] == "https://video.example.jp/v/1"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        (
            {"link_title": "録画", "url": "http://video.example.jp/v/1"},
            "url",
            "https:// で始まるURLを入力してください。",
        ),
        ({"link_title": "録画", "url": ""}, "url", "URLを入力してください。"),
        (
            {"link_title": "", "url": "https://video.example.jp/v/1"},
            "link_title",
            "タイトルを入力してください。",
        ),
    ],
)
def test_a_bad_link_is_explained_beside_its_field_and_the_input_kept(
    organizer_client, make_event, data, field, message
):
    response = organizer_client.submit(page(make_event()), {"kind": "link", **data})
    assert response.status_code == 422
    body = text_of(response)
    assert f'id="{field}-error"' in body and message in body
    for value in data.values():
        if value:
            assert f'value="{value}"' in body
    assert count(Material) == 0


# --- deleting and counting -------------------------------------------------------------------


def test_deleting_removes_the_file_and_is_audited(app, organizer_client, make_event):
    event = make_event()
    material = catalogue.add_file(event.id, "", "a.pdf", io.BytesIO(pdf()), actor=SYSTEM)
    db.session.commit()
    material_id = material.id

    response = organizer_client.submit(
        page(event), {}, action=f"{page(event)}/{material_id}/delete"
    )

    assert response.status_code == 302
    assert_nothing_stored(app)
    [entry] = audit("material.delete")
    assert entry.target == f"material:{material_id}"


def test_a_material_of_another_event_cannot_be_deleted_through_this_one(
    app, organizer_client, make_event
):
    event, other = make_event(), make_event()
    material = catalogue.add_file(other.id, "", "a.pdf", io.BytesIO(pdf()), actor=SYSTEM)
    db.session.commit()
    response = organizer_client.submit(
        page(event), {}, action=f"{page(event)}/{material.id}/delete"
    )
    assert response.status_code == 404
    assert count(Material) == 1 and len(stored_files(app)) == 1


def test_the_list_shows_downloads_and_different_people(
    organizer_client, make_event, make_registration
):
    event = make_event()
    alice, bob = make_registration(event), make_registration(event)
    material = catalogue.add_file(event.id, "スライド", "a.pdf", io.BytesIO(pdf()), actor=SYSTEM)
    db.session.flush()
    for registration_id in (alice.id, alice.id, bob.id):
        db.session.add(MaterialDownload(material_id=material.id, registration_id=registration_id))
    db.session.commit()
    assert "3 回（2 人）" in text_of(organizer_client.get(page(event)))


# --- mailing ---------------------------------------------------------------------------------


def send_page(event) -> str:
    return f"/admin/events/{event.id}/materials/send"


def test_the_send_page_shows_how_many_each_choice_reaches(
    organizer_client, make_event, make_registration, make_member
):
    event = make_event()
    catalogue.add_file(event.id, "スライド", "a.pdf", io.BytesIO(pdf()), actor=SYSTEM)
    came = make_registration(event)
    make_registration(event)
    came.checked_in_at = came.created_at
    db.session.commit()
    make_member()

    page_html = organizer_client.get(send_page(event)).get_data(as_text=True)
    body = html.unescape(re.sub(r"<[^>]+>", "", page_html))
    assert "参加確定の申込者 — 2 名" in body
    assert "当日出席した方のみ — 1 名" in body
    assert "すべての会員（配信停止した方を除く） — 3 名" in body
    assert '<input checked id="audience-0" name="audience" type="radio" value="confirmed">' in (
        page_html
    )


def test_sending_queues_one_mail_per_person_and_is_audited(
    organizer_client, make_event, make_registration, make_member
):
    event = make_event()
    catalogue.add_file(event.id, "スライド", "a.pdf", io.BytesIO(pdf()), actor=SYSTEM)
    db.session.commit()
    registrant = make_registration(event)
    member = make_member()
    before = len(outbox())

    response = organizer_client.submit(
        send_page(event), {"audience": "with_members", "message": "ご参加ありがとうございました。"}
    )

    assert response.status_code == 302
    rows = outbox()[before:]
    assert sorted(row.to_addr for row in rows) == sorted([registrant.email, member.email])
    assert all("ご参加ありがとうございました。" in row.text_body for row in rows)
    [entry] = audit("materials.send")
    assert entry.target == f"event:{event.id}"
    assert entry.detail == {"audience": "with_members", "count": 2}
    assert "2 件のメールを送信待ちに入れました。" in text_of(organizer_client.get(page(event)))


def test_sending_without_materials_is_explained_and_sends_nothing(
    organizer_client, make_event, make_registration
):
    event = make_event()
    make_registration(event)
    before = len(outbox())
    response = organizer_client.submit(
        send_page(event), {"audience": "confirmed", "message": "よろしく"}
    )
    assert response.status_code == 422
    body = text_of(response)
    assert 'id="audience-error"' in body
    assert "送る資料がありません。先に資料を追加してください。" in body
    assert "よろしく" in body  # the typed message is kept
    assert len(outbox()) == before and audit("materials.send") == []


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"audience": "everyone"}, "audience"),
        ({"audience": "confirmed", "message": "あ" * 2001}, "message"),
    ],
)
def test_bad_send_input_is_explained_beside_its_field_and_sends_nothing(
    organizer_client, make_event, make_registration, data, field
):
    event = make_event()
    catalogue.add_file(event.id, "スライド", "a.pdf", io.BytesIO(pdf()), actor=SYSTEM)
    db.session.commit()
    make_registration(event)
    before = len(outbox())
    response = organizer_client.submit(send_page(event), data)
    assert response.status_code == 422
    assert f'id="{field}-error"' in response.get_data(as_text=True)
    assert len(outbox()) == before and audit("materials.send") == []
