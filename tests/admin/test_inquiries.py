"""Inquiries in the console: listed newest first, open ones by default, filtered by handled or
not; each one's page shows the whole text and switches 対応済み on and off, with an audit entry."""

import html
from datetime import timedelta

import pytest
from sqlalchemy import select

from app import clock
from app.audit.models import AuditEntry
from app.extensions import db
from app.inquiries.models import Inquiry
from app.inquiries.services import InquiryInput, submit_inquiry
from tests.conftest import NOW


def text_of(response) -> str:
    return html.unescape(response.get_data(as_text=True))


@pytest.fixture
def make_inquiry(app):
    counter = iter(range(1, 10_000))

    def make(handled=False, **fields):
        n = next(counter)
        values = {
            "name": f"問合せ者{n}",
            "email": f"asker{n}@city.example.jp",
            "subject": f"件名{n}",
            "body": f"本文{n}\n二行目",
            "organization": "鳥取県",
        }
        values.update(fields)
        inquiry = submit_inquiry(InquiryInput(**values), clock.now() + timedelta(minutes=n))
        if handled:
            inquiry.handled_at = NOW
        db.session.commit()
        return inquiry

    return make


def audit(action) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def test_the_list_shows_open_inquiries_newest_first_by_default(organizer_client, make_inquiry):
    older = make_inquiry()
    newer = make_inquiry()
    done = make_inquiry(handled=True)

    body = text_of(organizer_client.get("/admin/inquiries"))

    assert body.index(newer.subject) < body.index(older.subject)
    assert done.subject not in body
    assert "未対応（2）" in body and "対応済み（1）" in body and "すべて（3）" in body


@pytest.mark.parametrize(
    ("state", "shown", "hidden"),
    [("handled", ["件名3"], ["件名1", "件名2"]), ("all", ["件名1", "件名2", "件名3"], [])],
)
def test_the_list_filters_by_state(organizer_client, make_inquiry, state, shown, hidden):
    make_inquiry()
    make_inquiry()
    make_inquiry(handled=True)
    body = text_of(organizer_client.get(f"/admin/inquiries?state={state}"))
    assert all(subject in body for subject in shown)
    assert not any(f">{subject}<" in body for subject in hidden)


def test_an_unknown_filter_shows_the_open_ones(organizer_client, make_inquiry):
    make_inquiry(handled=True)
    response = organizer_client.get("/admin/inquiries?state=bogus&page=x")
    assert response.status_code == 200
    assert "該当するお問い合わせはありません。" in text_of(response)


def test_the_page_of_an_inquiry_shows_everything(organizer_client, make_inquiry):
    inquiry = make_inquiry(body="<script>alert(1)</script>\n二行目")
    response = organizer_client.get(f"/admin/inquiries/{inquiry.id}")
    raw = response.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in raw  # escaped
    body = text_of(response)
    for part in (inquiry.subject, inquiry.name, inquiry.email, "鳥取県", "未対応"):
        assert part in body


def test_marking_handled_and_back_is_audited_once_per_change(
    organizer_client, make_inquiry, make_organizer
):
    inquiry = make_inquiry()
    url = f"/admin/inquiries/{inquiry.id}"

    response = organizer_client.submit(url, {"handled": "1"})
    assert response.status_code == 302
    db.session.expire_all()
    stored = db.session.get(Inquiry, inquiry.id)
    assert stored.handled_at == NOW and stored.handled_by_id is not None
    page = text_of(organizer_client.get(url))
    assert "対応済みにしました。" in page and "未対応に戻す" in page

    organizer_client.submit(url, {"handled": "1"})  # a second click changes nothing
    [entry] = audit("inquiry.handle")
    assert entry.target == f"inquiry:{inquiry.id}"
    assert entry.organizer_id == stored.handled_by_id

    organizer_client.submit(url, {"handled": "0"})
    db.session.expire_all()
    stored = db.session.get(Inquiry, inquiry.id)
    assert stored.handled_at is None and stored.handled_by_id is None
    assert len(audit("inquiry.reopen")) == 1


def test_an_unknown_inquiry_is_404(organizer_client):
    assert organizer_client.get("/admin/inquiries/999").status_code == 404
    token = organizer_client.token("/admin/inquiries")
    response = organizer_client.post(
        "/admin/inquiries/999", data={"csrf_token": token, "handled": "1"}
    )
    assert response.status_code == 404
    assert audit("inquiry.handle") == []
