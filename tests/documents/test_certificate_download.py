"""The attendee's certificate of attendance, from their management link: a PDF with their name,
organisation, the event and its date in Japanese, the network and its secretariat, the Japanese
font embedded; only once checked in, otherwise a page that says why; a wrong token is a 404."""

import pytest
from sqlalchemy import func, select

from app import clock
from app.audit.actor import SYSTEM
from app.audit.models import AuditEntry
from app.extensions import db
from app.registrations import organizer_actions
from app.registrations.signup import cancel_registration
from tests.documents.pdf import assert_japanese_fonts_embedded, pages_text


@pytest.fixture
def event(make_event):
    return make_event(title="セミナー＆情報交換会", parts=[{"title": "第一部 基調講演"}])


@pytest.fixture
def attendee(event, make_registration):
    return make_registration(
        event,
        name="鳥取 花子",
        furigana="とっとり はなこ",
        organization="鳥取県",
        department="総務部デジタル推進課",
        part_ids=[event.parts[0].id],
    )


def check_in(registration):
    organizer_actions.check_in(registration.id, clock.now(), actor=SYSTEM)
    db.session.commit()


def audit_entries() -> int:
    return db.session.scalar(select(func.count()).select_from(AuditEntry))


def test_a_checked_in_attendee_downloads_a_certificate_with_the_font_embedded(client, attendee):
    check_in(attendee)
    entries = audit_entries()
    response = client.get(f"/r/{attendee.manage_token}/certificate.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert response.headers["Content-Disposition"].startswith("attachment;")
    assert response.headers["Cache-Control"] == "no-store"
    [page] = pages_text(response.get_data())
    assert "参加証明書" in page
    assert "鳥取 花子 様" in page
    assert "鳥取県" in page and "総務部デジタル推進課" in page
    assert "セミナー＆情報交換会" in page
    assert "2026年8月31日(月) 10:00〜12:00" in page  # the event's date, as Japanese read it
    assert "第一部 基調講演" in page
    assert "発行日 2026年8月1日(土)" in page
    assert "全国自治体リスキリングネットワーク" in page and "事務局" in page
    assert f"{attendee.event_id:04d}-{attendee.id:06d}" in page  # the certificate's number
    assert_japanese_fonts_embedded(response.get_data())
    assert audit_entries() == entries  # the attendee's own GET writes nothing


def test_the_management_page_links_the_certificate_only_after_check_in(client, attendee):
    link = f"/r/{attendee.manage_token}/certificate.pdf"
    assert link not in client.get(f"/r/{attendee.manage_token}").get_data(as_text=True)
    check_in(attendee)
    assert link in client.get(f"/r/{attendee.manage_token}").get_data(as_text=True)


def test_before_check_in_the_link_says_why_and_sends_no_pdf(client, attendee):
    response = client.get(f"/r/{attendee.manage_token}/certificate.pdf")
    assert response.status_code == 403
    assert response.mimetype == "text/html"
    page = response.get_data(as_text=True)
    assert "当日の受付がお済みの方に発行しています" in page
    assert f"/r/{attendee.manage_token}" in page  # back to the management page


def test_a_cancelled_registration_gets_no_certificate_even_if_checked_in(client, attendee):
    check_in(attendee)
    cancel_registration(attendee.manage_token, clock.now())
    db.session.commit()
    assert client.get(f"/r/{attendee.manage_token}/certificate.pdf").status_code == 403


@pytest.mark.parametrize(
    "token",
    ["{id}.wrongmac", "{id}", "nonsense", "99999999999999999999.abc", "{id}." + "a" * 5000],
)
def test_a_wrong_token_is_a_404(client, attendee, token):
    check_in(attendee)
    response = client.get(f"/r/{token.format(id=attendee.id)}/certificate.pdf")
    assert response.status_code == 404


def test_an_old_link_dies_with_the_nonce(client, attendee):
    check_in(attendee)
    old = attendee.manage_token
    attendee.token_nonce = "replaced"
    db.session.commit()
    assert client.get(f"/r/{old}/certificate.pdf").status_code == 404


def test_an_attendee_who_signed_up_in_english_gets_it_in_english(client, event, make_registration):
    attendee = make_registration(
        event, name="Jane Smith", organization="鳥取県", locale="en", part_ids=[event.parts[0].id]
    )
    check_in(attendee)
    [page] = pages_text(client.get(f"/r/{attendee.manage_token}/certificate.pdf").get_data())
    assert "Certificate of Attendance" in page
    assert "Jane Smith" in page
    assert "National Municipal Reskilling Network" in page


def test_one_registration_asks_for_its_certificate_twenty_times_an_hour_at_most(client, attendee):
    # Laying out a PDF takes a CPU for a moment: a link pasted somewhere public cannot keep the
    # server busy. Counted per registration (the refusals before check-in are cheap to send).
    url = f"/r/{attendee.manage_token}/certificate.pdf"
    assert {client.get(url).status_code for _ in range(20)} == {403}
    assert client.get(url).status_code == 429


def test_markup_in_a_name_is_printed_as_typed(client, event, make_registration):
    name = '<img src="http://192.0.2.1/x.png">太郎'
    attendee = make_registration(event, name=name, part_ids=[event.parts[0].id])
    check_in(attendee)
    [page] = pages_text(client.get(f"/r/{attendee.manage_token}/certificate.pdf").get_data())
    assert f"{name} 様" in page


def test_without_the_pdf_libraries_the_site_runs_and_a_certificate_says_why(
    client, attendee, monkeypatch
):
    """WeasyPrint needs Pango from the system; a host without it still serves every page, and a
    PDF answers 503 with the reason instead of the app failing to start."""
    import sys

    from app.documents import rendering

    check_in(attendee)
    rendering._weasyprint.cache_clear()
    monkeypatch.setitem(sys.modules, "weasyprint", None)  # as if it could not be loaded
    try:
        response = client.get(f"/r/{attendee.manage_token}/certificate.pdf")
        assert response.status_code == 503
        assert "PDF を作成できません" in response.get_data(as_text=True)
        assert client.get(f"/r/{attendee.manage_token}").status_code == 200
    finally:
        rendering._weasyprint.cache_clear()
