"""The announcement screens: compose with placeholders, preview as a real recipient, test-send to
the signed-in organizer, send now or schedule, and watch the progress, against a real SMTP server
(aiosmtpd on 127.0.0.1); and the preview of the next half-yearly notice."""

import html
import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.announcements.models import Announcement, AnnouncementStatus
from app.audit.models import AuditEntry
from app.events.models import EventKind
from app.extensions import db
from app.mail.delivery import deliver_due
from app.mail.outbox import OutboxMessage, OutboxStatus
from tests.conftest import NOW, sign_in
from tests.factories import make_member
from tests.mail.conftest import SmtpServer, free_port

REFUSED = "550 5.1.1 No such user here"


@pytest.fixture
def smtp_port():
    return free_port()


@pytest.fixture
def app_overrides(smtp_port):
    """Every app in this module sends through the SMTP server on smtp_port."""
    return {"MAIL_SERVER": "127.0.0.1", "MAIL_PORT": smtp_port, "MAIL_TIMEOUT": 5}


@pytest.fixture
def smtp_server(smtp_port):
    server = SmtpServer(smtp_port).start()
    yield server
    server.stop()


@pytest.fixture
def organizer(make_organizer):
    return make_organizer(email="jimukyoku@secretariat.example.jp", name="事務局 担当")


@pytest.fixture
def console(client, organizer):
    return sign_in(client, organizer)


@pytest.fixture
def event_with_people(make_event, make_registration):
    """An event with two confirmed registrants (whose confirmations are already delivered)."""
    event = make_event(title="自治体DXセミナー")
    first = make_registration(event, name="鳥取 太郎", email="taro@city.example.jp")
    second = make_registration(event, name="松江 花子", email="hanako@city.example.jp")
    return event, first, second


def compose(console, event, **fields):
    data = {
        "subject": "【{event_title}】ご案内",
        "body": "{name} 様\n{event_date} の資料を公開しました。",
        "kind": "event_registrants",
        "event_id": str(event.id),
        "statuses": "confirmed",
        "table_id": "",
        "send_at": "",
        **fields,
    }
    return console.submit("/admin/announcements/new", data)


def only_announcement() -> Announcement:
    db.session.expire_all()
    [announcement] = db.session.scalars(select(Announcement))
    return announcement


def announcement_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Announcement))


def outbox(**where) -> list[OutboxMessage]:
    db.session.expire_all()
    query = select(OutboxMessage).filter_by(**where).order_by(OutboxMessage.id)
    return list(db.session.scalars(query))


def audit(action: str) -> list[AuditEntry]:
    return list(db.session.scalars(select(AuditEntry).where(AuditEntry.action == action)))


def error_beside(page: str, field_id: str) -> str:
    """The error paragraph the form macro puts under a field."""
    match = re.search(rf'<p class="error" id="{field_id}-error">(.*?)</p>', page, re.S)
    assert match, f"no error beside {field_id}"
    return html.unescape(match.group(1))


def deliver_everything() -> int:
    sent = 0
    while count := deliver_due():
        sent += count
    return sent


# --- compose, preview, test-send -------------------------------------------------------------


def test_compose_preview_and_test_send_reach_the_organizer_through_a_real_smtp_server(
    console, organizer, smtp_server, event_with_people
):
    event, first, second = event_with_people
    deliver_everything()  # the sign-up confirmations
    page = console.get(f"/admin/announcements/new?event_id={event.id}").get_data(as_text=True)
    assert f'<option value="{event.id}" selected>' in page

    response = compose(console, event)

    announcement = only_announcement()
    assert response.status_code == 302
    assert response.headers["Location"] == f"/admin/announcements/{announcement.id}"
    assert announcement.status == AnnouncementStatus.DRAFT
    assert announcement.created_by == organizer.email
    [created] = audit("announcement.create")
    assert created.target == f"announcement:{announcement.id}"
    assert created.organizer_id == organizer.id

    preview = console.get(f"/admin/announcements/{announcement.id}").get_data(as_text=True)
    assert "2名" in preview
    assert "【自治体DXセミナー】ご案内" in preview
    assert "鳥取 太郎 様" in preview
    assert first.manage_token not in preview
    as_second = console.get(
        f"/admin/announcements/{announcement.id}?recipient={second.email}"
    ).get_data(as_text=True)
    assert "松江 花子 様" in as_second

    response = console.submit(
        f"/admin/announcements/{announcement.id}",
        {},
        action=f"/admin/announcements/{announcement.id}/test",
    )
    assert response.status_code == 302
    [test_mail] = outbox(category="announcement")
    assert test_mail.to_addr == organizer.email
    assert test_mail.announcement_id is None
    assert deliver_everything() == 1

    [received] = smtp_server.received[-1:]
    assert received.rcpt_tos == [organizer.email]
    assert received.message["Subject"] == "【テスト送信】【自治体DXセミナー】ご案内"
    text = received.message.get_body(preferencelist=("plain",)).get_content()
    assert "鳥取 太郎 様" in text
    [tested] = audit("announcement.test")
    assert tested.detail == {"to": organizer.email}
    assert only_announcement().status == AnnouncementStatus.DRAFT


def test_a_placeholder_error_shows_beside_the_body_and_keeps_what_was_typed(
    console, event_with_people
):
    event, _, _ = event_with_people
    body = "{nmae} 様\n資料を公開しました。"

    response = compose(console, event, body=body)

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    message = error_beside(page, "body")
    assert "{nmae}" in message and "{name}" in message
    assert html.escape(body, quote=False) in page
    assert "【{event_title}】ご案内" in html.unescape(page)
    assert announcement_count() == 0
    assert audit("announcement.create") == []


@pytest.mark.parametrize(
    ("fields", "field_id", "message"),
    [
        ({"subject": ""}, "subject", "件名を入力してください。"),
        ({"subject": "件名\x00Bcc"}, "subject", "使えない文字"),
        ({"body": ""}, "body", "本文を入力してください。"),
        ({"event_id": ""}, "event_id", "イベントを選んでください。"),
        ({"event_id": "99999"}, "event_id", "このイベントは見つかりません。"),
        ({"table_id": "99999"}, "table_id", "選択肢の中から選んでください。"),
        ({"kind": "members_by_theme"}, "themes", "テーマを選んでください。"),
        ({"send_at": "2026-07-31T09:00"}, "send_at", "現在より後の日時"),
        ({"send_at": "明日の朝"}, "send_at", ""),
    ],
)
def test_bad_input_is_refused_beside_its_field_and_nothing_is_stored(
    console, event_with_people, fields, field_id, message
):
    event, _, _ = event_with_people

    response = compose(console, event, **fields)

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in error_beside(page, field_id)
    assert announcement_count() == 0


def test_scheduling_at_compose_time_stores_the_japan_time_and_warns_outside_office_hours(
    console, event_with_people
):
    event, _, _ = event_with_people

    # Sunday 2 August 2026, 09:00 JST: allowed, with a warning.
    response = compose(console, event, send_at="2026-08-02T09:00")

    assert response.status_code == 302
    announcement = only_announcement()
    assert announcement.status == AnnouncementStatus.SCHEDULED
    assert announcement.send_at == datetime(2026, 8, 2, 0, 0, tzinfo=UTC)
    page = console.get(response.headers["Location"]).get_data(as_text=True)
    assert "業務時間外" in page


# --- schedule --------------------------------------------------------------------------------


def test_scheduling_in_the_past_is_refused_beside_the_field_and_a_later_time_is_kept(
    console, event_with_people
):
    event, _, _ = event_with_people
    compose(console, event)
    announcement = only_announcement()
    page_url = f"/admin/announcements/{announcement.id}"
    schedule_url = f"{page_url}/schedule"

    # NOW is 1 August 2026, 10:00 JST.
    refused = console.submit(page_url, {"send_at": "2026-08-01T09:59"}, action=schedule_url)

    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    assert "送信日時には現在より後の日時を指定してください。" in error_beside(page, "send_at")
    assert 'value="2026-08-01T09:59"' in page
    assert only_announcement().status == AnnouncementStatus.DRAFT
    assert audit("announcement.schedule") == []

    empty = console.submit(page_url, {"send_at": ""}, action=schedule_url)
    assert empty.status_code == 422
    assert "送信日時を入力してください。" in error_beside(empty.get_data(as_text=True), "send_at")

    # Monday 3 August 2026, 10:00 JST = 01:00 UTC.
    accepted = console.submit(page_url, {"send_at": "2026-08-03T10:00"}, action=schedule_url)

    assert accepted.status_code == 302
    scheduled = only_announcement()
    assert scheduled.status == AnnouncementStatus.SCHEDULED
    assert scheduled.send_at == datetime(2026, 8, 3, 1, 0, tzinfo=UTC)
    [entry] = audit("announcement.schedule")
    assert entry.detail == {"send_at": "2026-08-03T01:00:00+00:00"}
    page = console.get(page_url).get_data(as_text=True)
    assert "2026年8月3日(月) 10:00 に送信します" in page
    assert "業務時間外" not in page

    console.submit(page_url, {}, action=f"{page_url}/unschedule")
    draft = only_announcement()
    assert (draft.status, draft.send_at) == (AnnouncementStatus.DRAFT, None)
    assert len(audit("announcement.unschedule")) == 1


# --- editing ---------------------------------------------------------------------------------


def test_a_draft_can_be_edited_and_a_sent_one_cannot(console, smtp_server, event_with_people):
    event, _, _ = event_with_people
    compose(console, event)
    announcement = only_announcement()
    edit_url = f"/admin/announcements/{announcement.id}/edit"
    form = console.get(edit_url).get_data(as_text=True)
    assert "{name} 様" in html.unescape(form)

    bad = console.submit(edit_url, {"subject": "新しい件名", "body": "{oops}", "kind": "members"})
    assert bad.status_code == 422
    assert "{oops}" in error_beside(bad.get_data(as_text=True), "body")
    assert only_announcement().subject == "【{event_title}】ご案内"

    response = console.submit(
        edit_url,
        {
            "subject": "新しい件名",
            "body": "{name} 様\n変更しました。",
            "kind": "event_registrants",
            "event_id": str(event.id),
            "statuses": ["confirmed", "waitlisted"],
        },
    )
    assert response.status_code == 302
    edited = only_announcement()
    assert (edited.subject, edited.body) == ("新しい件名", "{name} 様\n変更しました。")
    assert edited.audience["statuses"] == ["confirmed", "waitlisted"]
    assert len(audit("announcement.update")) == 1

    page_url = f"/admin/announcements/{announcement.id}"
    console.submit(page_url, {}, action=f"{page_url}/send")
    after_send = console.get(edit_url)
    assert after_send.status_code == 302
    assert after_send.headers["Location"].endswith("/progress")
    console.submit(page_url, {"send_at": "2026-08-03T10:00"}, action=f"{page_url}/schedule")
    assert only_announcement().status == AnnouncementStatus.QUEUED


# --- sending and progress --------------------------------------------------------------------


def test_send_now_queues_one_message_per_recipient_and_progress_goes_from_queued_to_sent(
    console, smtp_server, event_with_people
):
    event, first, second = event_with_people
    deliver_everything()
    compose(console, event)
    announcement = only_announcement()
    page_url = f"/admin/announcements/{announcement.id}"
    progress_url = f"{page_url}/progress"

    response = console.submit(page_url, {}, action=f"{page_url}/send")

    assert response.status_code == 302
    assert response.headers["Location"] == progress_url
    messages = outbox(announcement_id=announcement.id)
    assert sorted(m.to_addr for m in messages) == sorted([first.email, second.email])
    assert {m.status for m in messages} == {OutboxStatus.QUEUED}
    [sent] = audit("announcement.send")
    assert sent.detail == {"recipients": 2}

    waiting = console.get(progress_url)
    assert waiting.headers["Refresh"] == "5"
    assert "自動で更新" in waiting.get_data(as_text=True)
    report = console.get(f"{progress_url}.json").get_json()
    assert (report["queued"], report["sent"], report["total"], report["done"]) == (2, 0, 2, False)

    assert deliver_everything() == 2
    assert sorted(r.rcpt_tos[0] for r in smtp_server.received[-2:]) == sorted(
        [first.email, second.email]
    )
    done = console.get(progress_url)
    assert "Refresh" not in done.headers
    assert "すべての送信処理が終わりました。" in done.get_data(as_text=True)
    report = console.get(f"{progress_url}.json").get_json()
    assert (report["queued"], report["sent"], report["failed"], report["done"]) == (0, 2, 0, True)

    # A second click sends nothing more, and says why.
    again = console.submit(page_url, {}, action=f"{page_url}/send", follow_redirects=True)
    assert "送信済みのため" in again.get_data(as_text=True)
    assert len(outbox(announcement_id=announcement.id)) == 2
    assert len(audit("announcement.send")) == 1


def test_a_recipient_the_server_refuses_appears_among_the_failures_with_the_reason(
    console, smtp_server, event_with_people
):
    event, first, second = event_with_people
    smtp_server.handler.rcpt_replies[second.email] = REFUSED
    compose(console, event)
    announcement = only_announcement()
    page_url = f"/admin/announcements/{announcement.id}"
    console.submit(page_url, {}, action=f"{page_url}/send")

    deliver_everything()

    page = console.get(f"{page_url}/progress").get_data(as_text=True)
    failures = page.split("届かなかったメール", 1)[1]
    assert second.email in failures and first.email not in failures
    assert "550" in failures and "No such user here" in failures
    report = console.get(f"{page_url}/progress.json").get_json()
    assert (report["sent"], report["failed"]) == (1, 1)
    [failure] = report["failures"]
    assert failure["email"] == second.email and "550" in failure["error"]


def test_nobody_in_the_audience_means_nothing_to_preview_test_or_send(console, make_event):
    event = make_event()
    compose(console, event)
    announcement = only_announcement()
    page_url = f"/admin/announcements/{announcement.id}"

    page = console.get(page_url).get_data(as_text=True)
    assert "該当する方がいません" in page
    assert f"{page_url}/send" not in page

    response = console.submit(page_url, {}, action=f"{page_url}/send", follow_redirects=True)
    assert "配信先に該当する方がいません。" in response.get_data(as_text=True)
    response = console.submit(page_url, {}, action=f"{page_url}/test", follow_redirects=True)
    assert "配信先に該当する方がいません。" in response.get_data(as_text=True)
    assert outbox(category="announcement") == []
    assert only_announcement().status == AnnouncementStatus.DRAFT
    assert audit("announcement.send") == audit("announcement.test") == []


def test_previewing_as_someone_outside_the_audience_says_so_beside_the_field(
    console, event_with_people
):
    event, _, _ = event_with_people
    compose(console, event)
    announcement = only_announcement()

    response = console.get(f"/admin/announcements/{announcement.id}?recipient=stranger@example.jp")

    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "配信先に含まれていません" in error_beside(page, "recipient")
    assert 'value="stranger@example.jp"' in page
    assert "鳥取 太郎 様" in page  # the first recipient is shown instead


def test_the_list_shows_each_announcement_with_its_status_and_counts(
    console, smtp_server, event_with_people
):
    event, _, _ = event_with_people
    compose(console, event, subject="送る方")
    compose(console, event, subject="下書きのまま")
    sent = db.session.scalar(select(Announcement).where(Announcement.subject == "送る方"))
    page_url = f"/admin/announcements/{sent.id}"
    console.submit(page_url, {}, action=f"{page_url}/send")
    deliver_everything()

    page = console.get("/admin/announcements").get_data(as_text=True)

    assert "送る方" in page and "下書きのまま" in page
    row = next(r for r in page.split("<tr>") if "送る方" in r)
    assert "送信完了" in row
    assert re.findall(r"<td>(\d+)</td>", row) == ["2", "0", "0"]
    assert "下書き" in next(r for r in page.split("<tr>") if "下書きのまま" in r)


def test_an_unknown_announcement_is_not_found(console):
    for url in ("/admin/announcements/999", "/admin/announcements/999/progress"):
        assert console.get(url).status_code == 404
    assert console.get("/admin/announcements/999/progress.json").status_code == 404
    token = console.token("/admin/announcements")
    for action in ("send", "test", "schedule", "unschedule", "edit"):
        response = console.post(f"/admin/announcements/999/{action}", data={"csrf_token": token})
        assert response.status_code == 404, action


# --- the half-yearly notice ------------------------------------------------------------------


def test_the_next_notice_shows_when_it_goes_out_and_its_text_with_keys_hidden(console, make_event):
    make_event(
        kind=EventKind.SHARING_SESSION,
        title="2026年度下期 定期共有会",
        starts_at=NOW + timedelta(days=90),
        ends_at=NOW + timedelta(days=90, hours=2),
    )
    make_member("sato@city.example.jp", name="佐藤 花子")

    page = console.get("/admin/notices/next").get_data(as_text=True)

    # The October 2026 notice: Thursday 1 October, 10:00 JST.
    assert "2026年10月1日(木) 10:00" in page
    assert "佐藤 花子 様" in page
    assert "2026年度下期 定期共有会" in page
    assert "/unsubscribe/••••••" in page
    assert re.search(r"/unsubscribe/\d+\.[A-Za-z0-9_-]{20,}", page) is None
