"""The sign-up form as a person meets it: every mistake in one round with a summary that links
to each field, 必須/任意 on every field, a table choice that can be cleared, a light page, and an
organisation picker that knows names and readings with and without JavaScript."""

import html
import re

from sqlalchemy import func, select

from app.extensions import db
from app.registrations.models import Registration
from tests.registrations.test_views import VALID, register_url, text_of

TWO_PARTS = {
    "parts": [{"title": "第一部 基調講演"}, {"title": "第二部 情報交換会", "uses_tables": True}],
    "tables": [{"title": "企業・市民向け事業"}, {"title": "庁内職員向け事業"}],
}


def registrations():
    return db.session.scalar(select(func.count()).select_from(Registration))


def test_several_mistakes_are_shown_at_once_in_a_linked_summary(client, make_event):
    event = make_event(**TWO_PARTS)
    typed = {**VALID, "email": "hanako@", "name": "", "privacy": ""}
    response = client.submit(register_url(event), typed)
    assert response.status_code == 422
    page = text_of(response)
    title = re.search(r"<title>(.*?)</title>", page).group(1)
    assert title.startswith("入力内容をご確認ください")
    summary = re.search(r'<div class="error-summary" role="alert".*?</div>', page, re.S).group(0)
    assert "autofocus" in summary
    links = re.findall(r'<a href="#([^"]+)">([^<]+)</a>', summary)
    # In the order of the page, each naming its field and what to do.
    assert [anchor for anchor, _text in links] == ["name", "email", "parts-0", "privacy"]
    assert links[0][1] == "お名前: お名前を入力してください。"
    assert "メールアドレス: " in links[1][1] and "形式が正しくありません" in links[1][1]
    assert "参加する部を選んでください" in links[2][1]
    assert "同意が必要です" in links[3][1]
    for anchor, _text in links:
        assert f'id="{anchor}"' in page, anchor  # every link lands somewhere
    assert 'value="山田' not in page  # the name was left empty: nothing invented
    assert f'value="{html.escape(VALID["organization"])}"' in page
    assert registrations() == 0


def test_every_field_says_whether_it_is_required(client, make_event):
    page = text_of(client.get(register_url(make_event(**TWO_PARTS))))
    form = page[page.index('<form method="post" action="/events/') :]
    labels = re.findall(r"<(?:label for|legend)[^>]*>(.*?)</(?:label|legend)>", form, re.S)
    shown = [label for label in labels if "website" not in label and "この欄" not in label]
    options = {"第一部 基調講演", "第二部 情報交換会", "企業・市民向け事業", "庁内職員向け事業"}
    fields = [
        label for label in shown if label.strip() not in options and "選択しない" not in label
    ]
    assert (
        len(fields) == 9
    )  # name, furigana, email, organization, department, position, parts, table, consent
    for label in fields:
        assert "必須" in label or "任意" in label, label
    consent = next(label for label in fields if "同意します" in label)
    assert "必須" in consent


def test_an_optional_table_can_be_cleared(client, make_event):
    event = make_event(**TWO_PARTS)
    first, second = (part.id for part in event.parts)
    page = text_of(client.get(register_url(event)))
    assert "選択しない" in page
    response = client.submit(register_url(event), {**VALID, "parts": [first], "table": ""})
    assert response.status_code == 302, text_of(response)
    registration = db.session.scalar(select(Registration))
    assert registration.table is None
    # Cleared while joining the exchange part: explained beside the table, the rest kept.
    response = client.submit(
        register_url(event), {**VALID, "email": "b@city.example.jp", "parts": [second], "table": ""}
    )
    assert response.status_code == 422
    assert 'id="table-error"' in text_of(response)


def test_the_sign_up_page_is_light_and_inlines_no_list_of_governments(client, make_event):
    response = client.get(register_url(make_event(**TWO_PARTS)))
    assert len(response.get_data()) < 30 * 1024
    page = text_of(response)
    assert "<datalist" not in page
    assert 'data-organization-search="/organizations/search"' in page
    script = re.search(r'<script src="(/organizations/picker-[0-9a-f]+\.js)" defer>', page).group(1)
    asset = client.get(script)
    assert asset.status_code == 200
    assert "immutable" in asset.headers["Cache-Control"]
    assert "max-age=31536000" in asset.headers["Cache-Control"]
    assert asset.headers["ETag"]
    assert "data-organization-search" in asset.get_data(as_text=True)


def test_search_finds_a_government_by_name_or_reading(client):
    for typed in ("ひろしま", "広島", "ヒロシマ", "ﾋﾛｼﾏ"):
        response = client.get("/organizations/search", query_string={"q": typed})
        assert response.status_code == 200
        names = [result["name"] for result in response.get_json()["results"]]
        assert names[:2] == ["広島県", "広島県 広島市"], typed
        assert len(names) <= 10
    found = client.get("/organizations/search?q=えどがわ").get_json()["results"]
    assert found[0] == {"code": "131237", "name": "東京都 江戸川区", "kana": "エドガワク"}


def test_search_answers_odd_input_without_error(client):
    for typed in ("", "%", "あ" * 5000, "<script>", "\u2028ひろ\u200bしま"):
        response = client.get("/organizations/search", query_string={"q": typed})
        assert response.status_code == 200
        assert isinstance(response.get_json()["results"], list)
    # A NUL is refused at the door, as on every page.
    assert client.get("/organizations/search", query_string={"q": "\x00"}).status_code == 400


def test_without_javascript_a_reading_is_answered_with_the_candidates(client, make_event):
    event = make_event()
    response = client.submit(register_url(event), {**VALID, "organization": "ひろしま"})
    assert response.status_code == 422
    page = text_of(response)
    assert 'id="organization-error"' in page
    assert "「ひろしま」に当てはまる自治体が複数あります" in page
    assert "広島県、広島県 広島市" in page
    assert 'value="ひろしま"' in page  # kept as typed
    assert registrations() == 0
    # A name several governments share (府中市) is answered the same way.
    response = client.submit(register_url(event), {**VALID, "organization": "府中市"})
    assert "東京都 府中市、広島県 府中市" in text_of(response)
    # A reading that names one government is read as it; the official name is stored.
    response = client.submit(register_url(event), {**VALID, "organization": "とっとりけん"})
    assert response.status_code == 302
    registration = db.session.scalar(select(Registration))
    assert (registration.organization_code, registration.organization_name) == ("310000", "鳥取県")


def test_a_body_outside_the_list_is_kept_as_typed(client, make_event):
    event = make_event()
    for n, typed in enumerate(("独立行政法人 情報処理推進機構", "横浜市中区", "ハローワーク")):
        data = {**VALID, "email": f"p{n}@city.example.jp", "organization": typed}
        assert client.submit(register_url(event), data).status_code == 302, typed
    names = set(db.session.scalars(select(Registration.organization_name)))
    assert names == {"独立行政法人 情報処理推進機構", "横浜市中区", "ハローワーク"}
