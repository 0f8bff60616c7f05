"""The console's documents of an event: name tags on the chosen label sheet and the reception
list in 五十音順 (by furigana, those without one last), everyone's certificates in one PDF with
a page each; every download in the audit log, as the CSV exports are."""

import pytest
from sqlalchemy import select

from app import clock
from app.audit.actor import SYSTEM
from app.audit.models import AuditEntry
from app.extensions import db
from app.registrations import organizer_actions
from app.registrations.models import RegistrationStatus
from tests.documents.pdf import assert_japanese_fonts_embedded, in_order, pages_text, text

# (name, furigana): confirmed unless said otherwise below.
PEOPLE = [
    ("渡辺 花", "ワタナベ ハナ"),
    ("井上 陽", "いのうえ よう"),
    ("小林 健", "ｺﾊﾞﾔｼ ｹﾝ"),
    ("山崎 一郎", ""),
    ("阿部 実", "あべ みのる"),
    ("後藤 真", "ごとう まこと"),  # pending approval
    ("取消 太郎", "あいかわ たろう"),  # cancelled
]
NAME_TAG_ORDER = ["阿部 実", "井上 陽", "小林 健", "渡辺 花", "山崎 一郎"]
RECEPTION_ORDER = ["阿部 実", "井上 陽", "後藤 真", "小林 健", "渡辺 花", "山崎 一郎"]
CHECKED_IN = ["阿部 実", "渡辺 花"]


@pytest.fixture
def event(make_event, make_registration):
    event = make_event(title="定期共有会 2026年度上期")
    people = {
        name: make_registration(event, name=name, furigana=furigana, organization="鳥取県")
        for name, furigana in PEOPLE
    }
    people["後藤 真"].status = RegistrationStatus.PENDING
    people["取消 太郎"].status = RegistrationStatus.CANCELLED
    people["取消 太郎"].cancelled_at = clock.now()
    db.session.commit()
    for name in CHECKED_IN:
        organizer_actions.check_in(people[name].id, clock.now(), actor=SYSTEM)
    db.session.commit()
    return event


def audit(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_name_tags_come_in_gojuon_order_on_the_chosen_sheet(organizer_client, event):
    response = organizer_client.get(f"/admin/events/{event.id}/name-tags.pdf?sheet=label-86x42")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert f"event{event.id}-name-tags-20260801.pdf" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    body = response.get_data()
    content = text(body)
    assert in_order(content, NAME_TAG_ORDER), content
    assert "後藤 真" not in content and "取消 太郎" not in content
    assert "コバヤシ ケン" in content  # the reading, printed above the name
    assert len(pages_text(body)) == 1  # five tags on a sheet of twelve
    assert_japanese_fonts_embedded(body)
    [entry] = audit("export.name_tags")
    assert entry.target == f"event:{event.id}"
    assert entry.detail["sheet"] == "label-86x42" and entry.detail["rows"] == 5


def test_used_labels_are_skipped_onto_the_next_page(organizer_client, event):
    response = organizer_client.get(f"/admin/events/{event.id}/name-tags.pdf?skip=8")
    pages = pages_text(response.get_data())
    assert len(pages) == 2  # 8 used + 5 tags on sheets of ten
    assert in_order(pages[0], NAME_TAG_ORDER[:2]) and "小林 健" not in pages[0]
    assert in_order(pages[1], NAME_TAG_ORDER[2:])


@pytest.mark.parametrize("query", ["sheet=unknown", "sheet=" + "x" * 3000])
def test_an_unknown_sheet_is_a_404(organizer_client, event, query):
    assert (
        organizer_client.get(f"/admin/events/{event.id}/name-tags.pdf?{query}").status_code == 404
    )


def test_the_reception_list_has_everyone_who_may_come_in_gojuon_order(organizer_client, event):
    response = organizer_client.get(f"/admin/events/{event.id}/reception-list.pdf?skip=-1")
    assert response.status_code == 200
    body = response.get_data()
    content = text(body)
    assert in_order(content, RECEPTION_ORDER), content
    assert "取消 太郎" not in content
    assert "承認待ち" in content  # beside the one without a confirmed seat
    assert "定期共有会 2026年度上期" in content and "2026年8月31日(月)" in content
    assert content.count("✓") == len(CHECKED_IN)
    assert_japanese_fonts_embedded(body)
    assert len(audit("export.reception_list")) == 1


def test_certificates_for_everyone_checked_in_are_one_pdf_with_a_page_each(organizer_client, event):
    response = organizer_client.get(f"/admin/events/{event.id}/certificates.pdf")
    assert response.status_code == 200
    pages = pages_text(response.get_data())
    assert len(pages) == len(CHECKED_IN)
    for page, name in zip(pages, CHECKED_IN, strict=True):
        assert f"{name} 様" in page
        assert "定期共有会 2026年度上期" in page
    [entry] = audit("export.certificates")
    assert entry.detail["rows"] == 2


def test_without_anyone_checked_in_there_is_a_message_not_an_empty_pdf(
    organizer_client, make_event, make_registration
):
    event = make_event()
    make_registration(event)
    response = organizer_client.get(f"/admin/events/{event.id}/certificates.pdf")
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/admin/events/{event.id}/documents")
    page = organizer_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "受付済みの方がいないため" in page
    assert audit("export.certificates") == []


def test_the_documents_page_offers_the_label_sheets_and_is_linked_from_the_event(
    organizer_client, event
):
    page = organizer_client.get(f"/admin/events/{event.id}/documents").get_data(as_text=True)
    assert "名札 86×54mm 10面（2列×5段・カードサイズ）" in page
    assert 'value="card-86x54"' in page and 'value="plain-105x74"' in page
    assert "受付済みの 2 名分" in page
    link = f"/admin/events/{event.id}/documents"
    for url in (
        f"/admin/events/{event.id}",
        f"/admin/events/{event.id}/registrants",
        f"/admin/events/{event.id}/checkin",
    ):
        assert link in organizer_client.get(url).get_data(as_text=True), url


@pytest.mark.parametrize("document", ["name-tags.pdf", "reception-list.pdf", "certificates.pdf"])
def test_an_unknown_event_is_a_404(organizer_client, document):
    assert organizer_client.get(f"/admin/events/999/{document}").status_code == 404


def test_a_visitor_is_sent_to_sign_in(client, event):
    response = client.get(f"/admin/events/{event.id}/certificates.pdf")
    assert response.status_code == 302
    assert "/admin/login" in response.headers["Location"]
