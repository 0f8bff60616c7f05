"""The event screens of the console: list, create with parts, tables and questions, edit (with
the calendar-update confirmation when attendees would be mailed), publish, unpublish, cancel and
duplicate, each audited and open to every organizer (not only admins)."""

import re
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser

import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEntry
from app.events.models import Event, EventKind, EventStatus, Question
from app.extensions import db
from app.mail.outbox import OutboxMessage
from tests.conftest import NOW


class FormScraper(HTMLParser):
    """What a browser would post for each form of a page (buttons left out)."""

    def __init__(self, page: str):
        super().__init__()
        self.forms: list[dict[str, str]] = []
        self._textarea = None
        self._select = None
        self.feed(page)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.forms.append({})
        elif not self.forms:
            return
        fields = self.forms[-1]
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("submit", "button") or (
                kind in ("checkbox", "radio") and "checked" not in a
            ):
                return
            fields[a["name"]] = a.get("value") or ""
        elif tag == "textarea":
            self._textarea = [a["name"], ""]
        elif tag == "select":
            self._select = [a["name"], None, None]
        elif tag == "option" and self._select:
            if self._select[1] is None:
                self._select[1] = a.get("value")
            if "selected" in a:
                self._select[2] = a.get("value")

    def handle_data(self, data):
        if self._textarea:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "textarea" and self._textarea:
            name, text = self._textarea
            self.forms[-1][name] = text.removeprefix("\r\n").removeprefix("\n")
            self._textarea = None
        elif tag == "select" and self._select:
            name, first, chosen = self._select
            self.forms[-1][name] = chosen or first
            self._select = None

    def form_with(self, name: str) -> dict[str, str]:
        return next(form for form in self.forms if name in form)


def page_form(client, url: str, field: str = "title") -> dict[str, str]:
    response = client.get(url)
    assert response.status_code == 200
    return FormScraper(response.get_data(as_text=True)).form_with(field)


def new_event_data(**overrides) -> dict[str, str]:
    """A September seminar as an organizer types it (times in JST), a blank row in each list."""
    data = {
        "title": "2026年9月 セミナー＆情報交換会",
        "kind": "seminar",
        "description": "第一部は基調講演、第二部はテーマ別の情報交換会です。",
        "starts_at": "2026-09-15T14:00",
        "ends_at": "2026-09-15T16:30",
        "format": "online",
        "venue": "",
        "meeting_url": "https://meet.example.jp/reskilling/seminar",
        "capacity": "100",
        "registration_opens_at": "2026-08-01T10:00",
        "registration_closes_at": "2026-09-12T17:00",
        "reminders-0-count": "7",
        "reminders-0-unit": "d",
        "reminders-0-at": "10:00",
        "reminders-1-count": "1",
        "reminders-1-unit": "d",
        "reminders-1-at": "10:00",
        "reminders-2-count": "1",
        "reminders-2-unit": "h",
        "reminders-3-count": "",
        "reminders-3-unit": "d",
        "slug": "",
        "parts-0-title": "第一部 基調講演",
        "parts-0-starts_at": "14:00",
        "parts-0-ends_at": "15:00",
        "parts-0-capacity": "",
        "parts-1-title": "第二部 情報交換会",
        "parts-1-starts_at": "15:10",
        "parts-1-ends_at": "16:30",
        "parts-1-capacity": "40",
        "parts-1-uses_tables": "y",
        "parts-2-title": "",
        "parts-2-starts_at": "",
        "parts-2-ends_at": "",
        "parts-2-capacity": "",
        "tables-0-title": "企業・市民向け事業",
        "tables-0-description": "中小企業のDX推進、市民への学習機会",
        "tables-0-capacity": "20",
        "tables-1-title": "庁内職員向け事業",
        "tables-1-description": "",
        "tables-1-capacity": "20",
        "tables-2-title": "",
        "tables-2-description": "",
        "tables-2-capacity": "",
        "questions-0-label": "当日お聞きになりたいこと",
        "questions-0-type": "long_text",
        "questions-0-choices": "",
        "questions-1-label": "参加のしかた",
        "questions-1-type": "single_choice",
        "questions-1-required": "y",
        "questions-1-choices": "カメラオン\nカメラオフ\n",
        "questions-2-label": "",
        "questions-2-type": "short_text",
        "questions-2-choices": "",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def jst(text: str) -> datetime:
    return datetime.fromisoformat(text + "+09:00").astimezone(UTC)


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def audit(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def outbox(category: str) -> list[OutboxMessage]:
    query = select(OutboxMessage).where(OutboxMessage.category == category)
    return list(db.session.scalars(query.order_by(OutboxMessage.id)))


def only_event(**where) -> Event:
    db.session.expire_all()
    [event] = db.session.scalars(select(Event).filter_by(**where))
    return event


# --- list and detail -------------------------------------------------------------------------


def test_the_list_shows_upcoming_and_past_events_with_status_and_seats(
    organizer_client, make_event, make_registration
):
    full = make_event(title="満席のセミナー", capacity=1)
    make_registration(full)
    make_event(title="準備中の共有会", status=EventStatus.DRAFT)
    make_event(title="中止した交換会", status=EventStatus.CANCELLED)
    make_event(
        title="春のセミナー",
        starts_at=NOW - timedelta(days=60),
        ends_at=NOW - timedelta(days=60) + timedelta(hours=2),
    )

    page = organizer_client.get("/admin/events").get_data(as_text=True)

    upcoming, past = page.split("終了したイベント")
    assert "満席のセミナー" in upcoming and "1 / 1 名" in upcoming and "満席" in upcoming
    assert "準備中の共有会" in upcoming and "下書き" in upcoming
    assert "中止した交換会" in upcoming and "中止" in upcoming
    assert "公開中" in upcoming
    assert "春のセミナー" in past and "0 名（定員なし）" in past
    assert 'href="/admin/events/new"' in page


def test_the_detail_page_shows_seats_of_the_event_its_parts_and_tables(
    organizer_client, make_event, make_registration
):
    event = make_event(
        capacity=30,
        parts=[
            {"title": "第一部 基調講演"},
            {"title": "第二部 情報交換会", "capacity": 10, "uses_tables": True},
        ],
        tables=[{"title": "庁内職員向け事業", "capacity": 5}],
    )
    make_registration(event, part_ids=[event.parts[1].id], table_id=event.tables[0].id)

    response = organizer_client.get(f"/admin/events/{event.id}")

    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "1 / 30 名" in page and "1 / 10 名" in page and "1 / 5 名" in page
    assert f'action="/admin/events/{event.id}/unpublish"' in page
    assert f'action="/admin/events/{event.id}/cancel"' in page
    assert f'action="/admin/events/{event.id}/duplicate"' in page


def test_an_unknown_event_is_not_found(organizer_client):
    assert organizer_client.get("/admin/events/999").status_code == 404
    assert organizer_client.get("/admin/events/999/edit").status_code == 404
    assert organizer_client.get("/admin/events/99999999999999999999").status_code == 404


# --- create ----------------------------------------------------------------------------------


def test_the_new_event_form_shows_the_default_reminders_and_blank_rows(organizer_client):
    form = page_form(organizer_client, "/admin/events/new")

    reminders = [
        (form[f"reminders-{i}-count"], form[f"reminders-{i}-unit"], form.get(f"reminders-{i}-at"))
        for i in range(3)
    ]
    assert reminders == [("7", "d", "10:00"), ("1", "d", "10:00"), ("1", "h", "")]
    assert form["reminders-3-count"] == ""  # a blank row to add one
    assert {"parts-2-title", "tables-2-title", "questions-2-label"} <= set(form)
    assert "parts-3-title" not in form


def test_creating_an_event_stores_a_draft_with_its_parts_tables_and_questions(organizer_client):
    response = organizer_client.submit("/admin/events/new", new_event_data())

    event = only_event()
    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/events/{event.id}"
    assert event.status == EventStatus.DRAFT
    assert event.slug == "seminar-20260915"
    assert (event.starts_at, event.ends_at) == (jst("2026-09-15T14:00"), jst("2026-09-15T16:30"))
    assert event.registration_closes_at == jst("2026-09-12T17:00")
    assert event.capacity == 100
    assert event.reminder_rules is None  # the online defaults, left as they were
    assert [(p.title, p.starts_at, p.capacity, p.uses_tables) for p in event.parts] == [
        ("第一部 基調講演", jst("2026-09-15T14:00"), None, False),
        ("第二部 情報交換会", jst("2026-09-15T15:10"), 40, True),
    ]
    assert [(t.title, t.capacity) for t in event.tables] == [
        ("企業・市民向け事業", 20),
        ("庁内職員向け事業", 20),
    ]
    assert [(q.label, q.type, q.required, q.choices) for q in event.questions] == [
        ("当日お聞きになりたいこと", "long_text", False, []),
        ("参加のしかた", "single_choice", True, ["カメラオン", "カメラオフ"]),
    ]
    [entry] = audit("event.create")
    assert entry.target == f"event:{event.id}" and entry.organizer_id is not None


def test_approval_mode_custom_reminders_and_unlimited_seats_are_stored(organizer_client):
    organizer_client.submit(
        "/admin/events/new",
        new_event_data(
            capacity="",
            requires_approval="y",
            format="in_person",
            venue="鳥取県庁 第1会議室",
            meeting_url="",
            **{
                "reminders-0-count": "３",  # full-width digits are read
                "reminders-0-at": "09:30",
                "reminders-1-count": "",
                "reminders-2-count": "120",
                "reminders-2-unit": "m",
            },
        ),
    )

    event = only_event()
    assert event.capacity is None
    assert event.requires_approval is True
    assert event.reminder_rules == ["3d@09:30", "120m"]


def test_empty_reminder_rows_mean_no_reminders(organizer_client):
    blank = {f"reminders-{i}-count": "" for i in range(3)}
    organizer_client.submit("/admin/events/new", new_event_data(**blank))

    assert only_event().reminder_rules == []


def test_a_generated_slug_is_made_unique_and_a_typed_one_is_kept(organizer_client, make_event):
    make_event(slug="seminar-20260915")

    organizer_client.submit("/admin/events/new", new_event_data())
    organizer_client.submit(
        "/admin/events/new", new_event_data(title="もう一つ", slug="Autumn-Seminar")
    )

    assert only_event(title="2026年9月 セミナー＆情報交換会").slug == "seminar-20260915-2"
    assert only_event(title="もう一つ").slug == "autumn-seminar"


BAD_INPUT = [
    pytest.param({"title": ""}, "title", "タイトルを入力してください", id="no-title"),
    pytest.param(
        {"ends_at": "2026-09-15T13:00"},
        "ends_at",
        "終了日時は開始日時より後にしてください",
        id="end-before-start",
    ),
    pytest.param(
        {"starts_at": "来週の火曜"}, "starts_at", "2026-09-15 14:00", id="unreadable-date"
    ),
    pytest.param({"capacity": "-1"}, "capacity", "0〜100000の整数", id="negative-capacity"),
    pytest.param({"capacity": "10000000000"}, "capacity", "0〜100000の整数", id="huge-capacity"),
    pytest.param({"capacity": "たくさん"}, "capacity", "整数で入力", id="capacity-not-a-number"),
    pytest.param({"starts_at": "0001-01-01T00:00"}, "starts_at", "2000年〜2100年", id="year-1"),
    pytest.param({"description": "説明\x00"}, "description", "使えない文字", id="nul"),
    pytest.param(
        {"registration_closes_at": "2026-07-31T10:00"},
        "registration_closes_at",
        "受付終了日時は受付開始日時より後",
        id="closes-before-opens",
    ),
    pytest.param(
        {"meeting_url": "http://meet.example.jp/x"}, "meeting_url", "https://", id="http-url"
    ),
    pytest.param({"meeting_url": "meet.example.jp"}, "meeting_url", "https://", id="not-a-url"),
    pytest.param({"slug": "秋の セミナー"}, "slug", "英小文字・数字・ハイフン", id="slug-shape"),
    pytest.param({"slug": "taken"}, "slug", "他のイベントで使われています", id="slug-taken"),
    pytest.param(
        {"reminders-1-count": "一週間"}, "reminders-1-count", "数字で入力", id="reminder-count"
    ),
    pytest.param(
        {"reminders-0-at": ""}, "reminders-0-at", "送る時刻を入力", id="reminder-time-missing"
    ),
    pytest.param(
        {"reminders-0-count": "1000"}, "reminders-0-count", "読み取れません", id="reminder-too-far"
    ),
    pytest.param(
        {"questions-1-choices": ""},
        "questions-1-choices",
        "選択肢を1行に1つずつ",
        id="choice-question-without-choices",
    ),
    pytest.param(
        {"questions-1-choices": "はい\nはい"},
        "questions-1-choices",
        "同じ選択肢",
        id="duplicate-choices",
    ),
    pytest.param(
        {"parts-2-capacity": "10"},
        "parts-2-title",
        "部の名前を入力してください",
        id="part-no-title",
    ),
    pytest.param({"tables-0-capacity": "-3"}, "tables-0-capacity", "0〜", id="table-capacity"),
    pytest.param(
        {"parts-1-ends_at": "17:00"},
        "parts-1-starts_at",
        "イベントの開始から終了までの間",
        id="part-outside-the-event",
    ),
    pytest.param({"parts-1-ends_at": ""}, "parts-1-ends_at", "両方", id="part-with-start-only"),
]


@pytest.mark.parametrize(("changes", "field", "message"), BAD_INPUT)
def test_bad_input_is_refused_beside_its_field_keeping_what_was_typed(
    organizer_client, make_event, changes, field, message
):
    make_event(slug="taken")
    data = new_event_data(**changes)

    response = organizer_client.submit("/admin/events/new", data)

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    beside = re.search(rf'<p class="error" id="{field}-error">([^<]*)</p>', page)
    assert beside and message in beside.group(1), page
    typed = FormScraper(page).form_with("title")
    for name, value in data.items():
        if name != "csrf_token":
            assert typed.get(name, "").replace("\r\n", "\n").strip() == value.strip(), name
    assert count(Event) == 1
    assert audit("event.create") == []


# --- edit ------------------------------------------------------------------------------------


@pytest.fixture
def seminar(make_event, make_registration):
    """A published seminar with two confirmed attendees and one on the waitlist."""
    event = make_event(
        title="自治体DXセミナー",
        capacity=2,
        parts=[
            {
                "title": "第一部 基調講演",
                "starts_at": NOW + timedelta(days=30),
                "ends_at": NOW + timedelta(days=30, hours=1),
            }
        ],
        tables=[{"title": "庁内職員向け事業"}],
    )
    for n in range(3):
        make_registration(
            event,
            email=f"attendee{n}@city.example.jp",
            part_ids=[event.parts[0].id],
            table_id=event.tables[0].id,
        )
    return event


def edit_url(event) -> str:
    return f"/admin/events/{event.id}/edit"


def test_the_edit_form_shows_the_event_as_stored_in_japan_time(organizer_client, seminar):
    form = page_form(organizer_client, edit_url(seminar))

    start = (NOW + timedelta(days=30)).astimezone(UTC) + timedelta(hours=9)
    assert form["starts_at"] == start.strftime("%Y-%m-%dT%H:%M")
    assert form["parts-0-title"] == "第一部 基調講演"
    assert form["parts-0-row_id"] == str(seminar.parts[0].id)
    assert form["parts-0-starts_at"] == start.strftime("%H:%M")
    assert form["capacity"] == "2"
    assert form["parts-3-title"] == ""  # three blank rows after the filled one


def test_an_event_with_the_most_parts_still_opens_and_offers_no_more_rows(
    organizer_client, make_event
):
    event = make_event(parts=[{"title": f"第{n}部"} for n in range(1, 10)])

    form = page_form(organizer_client, edit_url(event))

    assert form["parts-8-title"] == "第9部" and form["parts-9-title"] == ""
    assert "parts-10-title" not in form


def test_moving_a_published_event_asks_who_will_be_mailed_then_sends_calendar_updates(
    organizer_client, seminar
):
    before = len(outbox("event_changed"))
    form = page_form(organizer_client, edit_url(seminar))
    old_start = seminar.starts_at
    form["starts_at"] = form["starts_at"].replace("T10:00", "T13:00")
    form["ends_at"] = form["ends_at"].replace("T12:00", "T15:00")
    form["parts-0-starts_at"], form["parts-0-ends_at"] = "13:00", "14:00"

    confirm = organizer_client.post(edit_url(seminar), data=form)

    page = confirm.get_data(as_text=True)
    assert confirm.status_code == 200
    assert "2 名に変更のお知らせ（カレンダー更新）を送ります" in page
    assert "開始日時" in page and "終了日時" in page
    assert only_event().starts_at == old_start  # nothing applied yet
    assert len(outbox("event_changed")) == before

    confirmed = FormScraper(page).form_with("confirm")
    response = organizer_client.post(edit_url(seminar), data={**confirmed, "notify": "1"})

    event = only_event()
    assert response.status_code == 302
    assert event.starts_at == old_start + timedelta(hours=3)
    assert event.parts[0].starts_at == old_start + timedelta(hours=3)
    mails = outbox("event_changed")[before:]
    assert sorted(mail.to_addr for mail in mails) == [
        "attendee0@city.example.jp",
        "attendee1@city.example.jp",
    ]
    assert all(mail.calendar_method == "REQUEST" for mail in mails)
    [entry] = audit("event.update")
    assert entry.detail["mailed"] == 2 and {"starts_at", "ends_at"} <= set(entry.detail["changed"])


def test_moving_only_a_part_also_asks_first_then_sends_calendar_updates(organizer_client, seminar):
    sequence = seminar.sequence
    form = page_form(organizer_client, edit_url(seminar))
    form["parts-0-starts_at"], form["parts-0-ends_at"] = "10:30", "11:30"

    confirm = organizer_client.post(edit_url(seminar), data=form)

    page = confirm.get_data(as_text=True)
    assert "2 名に変更のお知らせ（カレンダー更新）を送ります" in page
    assert "各部の名前・時間" in page
    confirmed = FormScraper(page).form_with("confirm")
    organizer_client.post(edit_url(seminar), data={**confirmed, "notify": "1"})

    event = only_event()
    assert event.sequence == sequence + 1  # the invites replace the entry they sent before
    assert sorted(mail.to_addr for mail in outbox("event_changed")) == [
        "attendee0@city.example.jp",
        "attendee1@city.example.jp",
    ]


def test_the_organizer_may_apply_the_move_without_mailing_anyone(organizer_client, seminar):
    form = page_form(organizer_client, edit_url(seminar))
    form["title"] = "自治体DXセミナー（第2回）"
    confirm = organizer_client.post(edit_url(seminar), data=form)
    confirmed = FormScraper(confirm.get_data(as_text=True)).form_with("confirm")

    organizer_client.post(edit_url(seminar), data={**confirmed, "notify": "0"})

    assert only_event().title == "自治体DXセミナー（第2回）"
    assert outbox("event_changed") == []
    [entry] = audit("event.update")
    assert entry.detail["notified"] is False and entry.detail["mailed"] == 0


def test_going_back_from_the_confirmation_keeps_the_typed_values(organizer_client, seminar):
    form = page_form(organizer_client, edit_url(seminar))
    form["venue"] = "鳥取県庁"
    form["format"] = "hybrid"
    confirm = organizer_client.post(edit_url(seminar), data=form)
    confirmed = FormScraper(confirm.get_data(as_text=True)).form_with("confirm")

    back = organizer_client.post(edit_url(seminar), data={**confirmed, "back": "1"})

    again = FormScraper(back.get_data(as_text=True)).form_with("title")
    assert back.status_code == 200
    assert (again["venue"], again["format"]) == ("鳥取県庁", "hybrid")
    assert only_event().venue == ""


def test_edits_that_do_not_move_the_calendar_apply_at_once_without_mail(organizer_client, seminar):
    form = page_form(organizer_client, edit_url(seminar))
    form["description"] = "資料を追加しました。"
    form["meeting_url"] = "https://meet.example.jp/new-room"
    form["requires_approval"] = "y"

    response = organizer_client.post(edit_url(seminar), data=form)

    event = only_event()
    assert response.status_code == 302
    assert (event.description, event.meeting_url) == (
        "資料を追加しました。",
        "https://meet.example.jp/new-room",
    )
    assert event.requires_approval is True
    assert outbox("event_changed") == []
    [entry] = audit("event.update")
    assert set(entry.detail["changed"]) == {"description", "meeting_url", "requires_approval"}


def test_moving_an_event_nobody_has_a_seat_at_needs_no_confirmation(organizer_client, make_event):
    event = make_event(status=EventStatus.DRAFT)
    form = page_form(organizer_client, edit_url(event))
    form["title"] = "新しいタイトル"

    response = organizer_client.post(edit_url(event), data=form)

    assert response.status_code == 302
    assert only_event().title == "新しいタイトル"


def test_more_seats_move_people_off_the_waitlist(organizer_client, seminar):
    form = page_form(organizer_client, edit_url(seminar))
    form["capacity"] = ""

    organizer_client.post(edit_url(seminar), data=form)

    db.session.expire_all()
    assert only_event().capacity is None
    assert [mail.to_addr for mail in outbox("registration_promoted")] == [
        "attendee2@city.example.jp"
    ]
    assert len(audit("event.update")[0].detail["promoted"]) == 1  # the ids, as the API writes them


def test_rows_are_edited_in_place_added_and_removed(organizer_client, make_event):
    event = make_event(
        parts=[{"title": "第一部"}, {"title": "第二部"}], tables=[{"title": "旧テーブル"}]
    )
    db.session.add(Question(event=event, label="消す質問"))
    db.session.commit()
    part_ids = [part.id for part in event.parts]
    form = page_form(organizer_client, edit_url(event))
    form["parts-0-title"] = "第一部 基調講演"
    form["parts-1-remove"] = "y"
    form["tables-1-title"] = "企業・市民向け事業"
    form["questions-0-remove"] = "y"

    response = organizer_client.post(edit_url(event), data=form)

    event = only_event()
    assert response.status_code == 302
    assert [(p.id, p.title) for p in event.parts] == [(part_ids[0], "第一部 基調講演")]
    assert [t.title for t in event.tables] == ["旧テーブル", "企業・市民向け事業"]
    assert event.questions == []
    assert count(Question) == 0


def test_parts_and_tables_people_signed_up_for_cannot_be_removed(organizer_client, seminar):
    form = page_form(organizer_client, edit_url(seminar))
    form["tables-0-remove"] = "y"

    response = organizer_client.post(edit_url(seminar), data=form)

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "お申し込みがあるため、部やテーブルは削除できません" in page
    assert [t.title for t in only_event().tables] == ["庁内職員向け事業"]


def test_an_invalid_edit_shows_the_error_and_changes_nothing(organizer_client, seminar):
    form = page_form(organizer_client, edit_url(seminar))
    form["ends_at"] = form["starts_at"]

    response = organizer_client.post(edit_url(seminar), data=form)

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="ends_at-error"' in page
    assert only_event().ends_at == seminar.ends_at
    assert outbox("event_changed") == [] and audit("event.update") == []


def test_a_cancelled_event_cannot_be_edited(organizer_client, make_event):
    event = make_event(status=EventStatus.CANCELLED)

    response = organizer_client.get(edit_url(event))

    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/events/{event.id}"


# --- publish, unpublish, cancel --------------------------------------------------------------


def post_action(client, event, action: str, **data):
    return client.submit(f"/admin/events/{event.id}", data, f"/admin/events/{event.id}/{action}")


def test_publishing_a_draft_opens_it_and_is_audited(organizer_client, client, make_event):
    event = make_event(status=EventStatus.DRAFT)
    assert client.get(f"/events/{event.slug}").status_code == 404

    response = post_action(organizer_client, event, "publish")

    assert response.status_code == 302
    assert only_event().status == EventStatus.PUBLISHED
    assert client.get(f"/events/{event.slug}").status_code == 200
    assert [entry.target for entry in audit("event.publish")] == [f"event:{event.id}"]


def test_an_event_that_has_ended_cannot_be_published(organizer_client, make_event):
    event = make_event(
        status=EventStatus.DRAFT,
        starts_at=NOW - timedelta(days=2),
        ends_at=NOW - timedelta(days=2, hours=-2),
    )

    response = post_action(organizer_client, event, "publish")

    assert "終了したイベントは公開できません" in organizer_client.get(
        response.headers["Location"]
    ).get_data(as_text=True)
    assert only_event().status == EventStatus.DRAFT
    assert audit("event.publish") == []


def test_unpublishing_works_only_while_nobody_has_signed_up(
    organizer_client, make_event, make_registration
):
    empty = make_event()
    taken = make_event()
    make_registration(taken)

    post_action(organizer_client, empty, "unpublish")
    response = post_action(organizer_client, taken, "unpublish")

    assert only_event(id=empty.id).status == EventStatus.DRAFT
    assert only_event(id=taken.id).status == EventStatus.PUBLISHED
    page = organizer_client.get(response.headers["Location"]).get_data(as_text=True)
    assert "お申し込みがあるため非公開にできません" in page
    assert [entry.target for entry in audit("event.unpublish")] == [f"event:{empty.id}"]


def test_cancelling_shows_how_many_will_be_mailed_then_mails_them(organizer_client, seminar):
    confirm = post_action(organizer_client, seminar, "cancel")

    page = confirm.get_data(as_text=True)
    assert confirm.status_code == 200
    assert "3 名に中止のお知らせを送ります" in page
    assert "参加確定 2 名" in page and "キャンセル待ち 1 名" in page
    assert only_event().status == EventStatus.PUBLISHED

    response = post_action(organizer_client, seminar, "cancel", confirm="1")

    assert response.status_code == 302
    assert only_event().status == EventStatus.CANCELLED
    mails = outbox("event_cancelled")
    assert len(mails) == 3
    assert sorted(mail.calendar_method or "" for mail in mails) == ["", "CANCEL", "CANCEL"]
    [entry] = audit("event.cancel")
    assert entry.detail == {"mailed": 3}


def test_cancelling_twice_mails_once(organizer_client, seminar):
    post_action(organizer_client, seminar, "cancel", confirm="1")
    post_action(organizer_client, seminar, "cancel", confirm="1")

    assert len(outbox("event_cancelled")) == 3
    assert len(audit("event.cancel")) == 1


# --- duplicate -------------------------------------------------------------------------------


def test_duplicating_a_sharing_session_proposes_the_next_half_year(organizer_client, make_event):
    source = make_event(
        title="2026年度上期 定期共有会",
        kind=EventKind.SHARING_SESSION,
        starts_at=jst("2026-07-08T15:00"),
        ends_at=jst("2026-07-08T16:30"),
        meeting_url="https://meet.example.jp/old",
        reminder_rules=["3d@10:00"],
        tables=[{"title": "庁内職員向け事業", "capacity": 10}],
    )
    db.session.add(Question(event=source, label="共有したい取り組み", type="long_text"))
    db.session.commit()

    response = post_action(organizer_client, source, "duplicate")

    copy = only_event(status=EventStatus.DRAFT)
    assert response.headers["Location"] == f"/admin/events/{copy.id}/edit"
    assert copy.title == "2026年度下期 定期共有会"
    assert copy.starts_at == jst("2027-01-08T15:00")
    assert copy.slug == "sharing-20270108"
    assert copy.meeting_url == ""
    assert copy.reminder_rules == ["3d@10:00"]
    assert [(t.title, t.capacity) for t in copy.tables] == [("庁内職員向け事業", 10)]
    assert [q.label for q in copy.questions] == ["共有したい取り組み"]
    [entry] = audit("event.duplicate")
    assert entry.target == f"event:{copy.id}" and entry.detail == {"source": f"event:{source.id}"}


def test_duplicating_a_seminar_proposes_the_same_weekday_a_week_later(organizer_client, make_event):
    source = make_event(
        parts=[
            {
                "title": "第一部",
                "starts_at": NOW + timedelta(days=30),
                "ends_at": NOW + timedelta(days=30, hours=1),
            }
        ]
    )

    post_action(organizer_client, source, "duplicate")

    copy = only_event(status=EventStatus.DRAFT)
    assert copy.starts_at == source.starts_at + timedelta(weeks=1)
    assert copy.parts[0].starts_at == source.parts[0].starts_at + timedelta(weeks=1)
    assert copy.title == source.title


# --- who may do this -------------------------------------------------------------------------


def test_an_admin_has_the_same_event_pages(admin_client, make_event):
    event = make_event()
    assert admin_client.get("/admin/events").status_code == 200
    assert admin_client.get(f"/admin/events/{event.id}").status_code == 200
    assert admin_client.get(edit_url(event)).status_code == 200
    response = admin_client.submit("/admin/events/new", new_event_data(slug="by-admin"))
    assert response.status_code == 302


def test_every_event_page_is_open_to_an_organizer_who_is_not_an_admin(app, organizer_client):
    # The other tests act as a plain organizer; here: none of the event pages is admin-only.
    endpoints = [
        "admin.events",
        "admin.event_new",
        "admin.event",
        "admin.event_edit",
        "admin.event_publish",
        "admin.event_unpublish",
        "admin.event_cancel",
        "admin.event_duplicate",
    ]
    for endpoint in endpoints:
        assert not getattr(app.view_functions[endpoint], "admin_only", False), endpoint
