"""Announcements reach exactly their audience, once, each copy to one person, with their own values;
member announcements carry a working one-click unsubscribe and the sender's particulars."""

import email
import re
import threading
from datetime import timedelta
from email import policy
from urllib.parse import urlsplit

import pytest
from flask_babel import force_locale
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from app import clock
from app.announcements import sending
from app.announcements.audience import resolve_audience
from app.announcements.composition import preview, render_placeholders, send_test
from app.announcements.errors import NoRecipients
from app.announcements.forms import AnnouncementForm
from app.announcements.inputs import AnnouncementInput
from app.announcements.models import Announcement, AnnouncementStatus
from app.announcements.reports import progress
from app.announcements.sending import queue_announcement, queue_due_announcements
from app.audit.actor import SYSTEM
from app.errors import DomainError
from app.extensions import db
from app.formatting import format_span
from app.inputs import InvalidInput, parse
from app.mail.delivery import deliver_due
from app.mail.dkim import message_bytes
from app.mail.outbox import OutboxMessage, OutboxStatus
from app.mail.suppression import flag_address
from app.members.models import Member, MemberStatus
from app.registrations.invites import links
from app.registrations.models import RegistrationStatus
from tests.conftest import NOW

ORGANIZER = ("jimukyoku@reskilling.example.jp", "事務局 担当者")


@pytest.fixture
def sender(app):
    """The particulars 特定電子メール法 asks every bulk mail to show."""
    app.config.update(
        SECRETARIAT_NAME="全国自治体リスキリングネットワーク事務局",
        SECRETARIAT_ADDRESS="〒680-8570 鳥取県鳥取市東町一丁目220",
        SECRETARIAT_CONTACT="info@reskilling.example.jp",
    )
    return app.config


def outbox():
    db.session.expire_all()
    return list(db.session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def outbox_count():
    return db.session.scalar(select(func.count()).select_from(OutboxMessage))


def mime(row: OutboxMessage) -> email.message.EmailMessage:
    return email.message_from_bytes(message_bytes(row), policy=policy.default)


def text_of(message) -> str:
    return message.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")


def html_of(message) -> str:
    return message.get_body(preferencelist=("html",)).get_content().replace("\r\n", "\n")


def create_announcement(subject, body, audience, created_by, send_at=None, now=None):
    """The console's and the API's path: the input model, then the service."""
    data = parse(
        AnnouncementInput,
        {"subject": subject, "body": body, "audience": audience, "send_at": send_at},
    )
    return sending.create_announcement(data, created_by, now, actor=SYSTEM)


def refused(*args) -> tuple[str, str]:
    """(field, message) of the refusal of create_announcement(*args)."""
    with pytest.raises((InvalidInput, DomainError)) as caught:
        create_announcement(*args)
    error = caught.value
    if isinstance(error, InvalidInput):
        named = [part for part in error.errors[0].loc if isinstance(part, str)]
        return named[-1], error.errors[0].message
    return error.field, str(error.message)


def announce(audience, subject="お知らせ", body="{name} 様へのお知らせです。", **kwargs):
    announcement = create_announcement(subject, body, audience, ORGANIZER[0], **kwargs)
    db.session.commit()
    return announcement


def queue_now(announcement) -> int:
    count = queue_announcement(announcement.id, clock.now())
    db.session.commit()
    return count


def registrants(event, **fields):
    return {"kind": "event_registrants", "event_id": event.id, **fields}


# --- audiences -------------------------------------------------------------------------------


def test_registrants_are_filtered_by_status_confirmed_by_default_and_by_table(
    make_event, make_registration
):
    event = make_event(tables=[{"title": "庁内職員向け事業"}, {"title": "企業・市民向け事業"}])
    staff, business = event.tables
    a = make_registration(event, table_id=staff.id)
    b = make_registration(event, table_id=business.id)
    waiting = make_registration(event, table_id=staff.id)
    waiting.status = RegistrationStatus.WAITLISTED
    gone = make_registration(event, table_id=staff.id)
    gone.status = RegistrationStatus.CANCELLED
    other_event = make_event()
    make_registration(other_event)
    db.session.commit()

    def emails(audience):
        return [r.email for r in resolve_audience(audience)]

    assert emails(registrants(event)) == [a.email, b.email]
    assert emails(registrants(event, statuses=["confirmed", "waitlisted"])) == [
        a.email,
        b.email,
        waiting.email,
    ]
    assert emails(registrants(event, statuses=["cancelled"])) == [gone.email]
    assert emails(registrants(event, table_id=staff.id)) == [a.email]
    assert emails(registrants(event, statuses=["waitlisted"], table_id=staff.id)) == [waiting.email]
    [recipient] = resolve_audience(registrants(event, table_id=business.id))
    assert (recipient.name, recipient.organization, recipient.registration) == (
        b.name,
        b.organization_name,
        b,
    )
    assert recipient.member is None


def test_members_are_the_active_ones_never_the_unsubscribed_or_pending(make_member):
    active = make_member()
    make_member(status=MemberStatus.UNSUBSCRIBED, unsubscribed_at=NOW)
    make_member(status=MemberStatus.PENDING)
    also_active = make_member(locale="en")

    recipients = resolve_audience({"kind": "members"})

    assert [r.email for r in recipients] == [active.email, also_active.email]
    assert recipients[1].member is also_active and recipients[1].locale == "en"
    assert recipients[0].organization == active.organization_name


def test_members_by_theme_are_the_active_ones_sharing_a_theme(make_member):
    staff = make_member(theme_interests=["staff"])
    both = make_member(theme_interests=["business_citizens", "staff"])
    business = make_member(theme_interests=["business_citizens"])
    make_member(theme_interests=[])
    make_member(theme_interests=["staff"], status=MemberStatus.UNSUBSCRIBED)

    def emails(themes):
        return [r.email for r in resolve_audience({"kind": "members_by_theme", "themes": themes})]

    assert emails(["staff"]) == [staff.email, both.email]
    assert emails(["business_citizens"]) == [both.email, business.email]
    assert emails(["staff", "business_citizens"]) == [staff.email, both.email, business.email]


def test_suppressed_addresses_are_skipped(make_member, make_event, make_registration):
    kept = make_member()
    bounced = make_member()
    event = make_event()
    attendee = make_registration(event)
    bounced_attendee = make_registration(event)
    flag_address(bounced.email, "550 5.1.1 user unknown")
    flag_address(bounced_attendee.email, "550 5.1.1 user unknown")
    db.session.commit()

    assert [r.email for r in resolve_audience({"kind": "members"})] == [kept.email]
    assert [r.email for r in resolve_audience(registrants(event))] == [attendee.email]


def test_an_address_listed_twice_gets_one_copy(make_member):
    # Two rows that differ only in case (older data) are one mailbox.
    first = make_member(email="Taro.Yamada@city.example.jp")
    make_member(email="taro.yamada@city.example.jp")

    recipients = resolve_audience({"kind": "members"})

    assert [r.email for r in recipients] == [first.email]
    announcement = announce({"kind": "members"})
    assert queue_now(announcement) == 1
    assert [m.to_addr for m in outbox()] == [first.email]


def test_a_bad_audience_is_refused_with_the_field(make_event):
    event = make_event()
    cases = [
        ({"kind": "everyone"}, "kind"),
        ({"kind": "event_registrants"}, "event_id"),
        ({"kind": "event_registrants", "event_id": 9999}, "event_id"),
        ({"kind": "event_registrants", "event_id": event.id, "statuses": ["paid"]}, "statuses"),
        ({"kind": "event_registrants", "event_id": event.id, "table_id": 9999}, "table_id"),
        ({"kind": "members_by_theme", "themes": []}, "themes"),
        ({"kind": "members_by_theme", "themes": ["golf"]}, "themes"),
        ({"kind": "members", "event_id": 9999}, "event_id"),
    ]
    for audience, field in cases:
        assert refused("件名", "本文", audience, ORGANIZER[0])[0] == field, audience
    assert db.session.scalar(select(func.count()).select_from(Announcement)) == 0


# --- creating --------------------------------------------------------------------------------


def test_create_checks_subject_and_body_and_stores_a_draft_or_a_scheduled_one(make_event):
    event = make_event()
    cases = [
        ("", "本文", "subject"),
        ("   ", "本文", "subject"),
        ("あ" * 201, "本文", "subject"),
        ("件名\x00", "本文", "subject"),
        ("件名", "", "body"),
        ("件名", " \n ", "body"),
    ]
    for subject, body, field in cases:
        assert refused(subject, body, registrants(event), ORGANIZER[0])[0] == field, subject
    # Line breaks pasted into a subject become spaces: no header can be smuggled in.
    for subject in ("件名\r\nBcc: victim@example.jp", "件名\u2028続き"):
        assert "\n" not in announce(registrants(event), subject=subject).subject

    draft = announce(registrants(event), subject="あ" * 200)
    assert draft.status == AnnouncementStatus.DRAFT and draft.send_at is None
    assert draft.audience == {
        "kind": "event_registrants",
        "event_id": event.id,
        "statuses": ["confirmed"],
        "table_id": None,
    }
    assert draft.created_by == ORGANIZER[0]
    typed = announce(registrants(event), body="一行目\r\n二行目\r\n\r\n次の段落")
    assert typed.body == "一行目\n二行目\n\n次の段落"
    scheduled = announce(registrants(event), send_at=NOW + timedelta(days=1))
    assert scheduled.status == AnnouncementStatus.SCHEDULED
    assert scheduled.send_at == NOW + timedelta(days=1)


# --- placeholders ----------------------------------------------------------------------------


def test_placeholders_are_filled_for_each_recipient(make_event, make_registration):
    event = make_event()
    first = make_registration(event, name="鳥取 太郎", organization="鳥取県")
    second = make_registration(event, name="松江 花子", organization="島根県", locale="en")
    announcement = announce(
        registrants(event),
        subject="【{event_title}】{name}様へ",
        body=(
            "{organization} {name} 様\n{event_title}（{event_date}）のご案内です。\n"
            "確認: {manage_url}\n参加: {join_url}"
        ),
    )

    assert queue_now(announcement) == 2

    by_addr = {m.to_addr: m for m in outbox()}
    for registration in (first, second):
        message = by_addr[registration.email]
        urls = links(registration)
        with force_locale(registration.locale):
            date = format_span(event.starts_at, event.ends_at)
        assert message.subject == f"【{event.title}】{registration.name}様へ"
        assert f"{registration.organization_name} {registration.name} 様" in message.text_body
        assert f"{event.title}（{date}）" in message.text_body
        assert urls["manage_url"] in message.text_body
        assert urls["join_url"] in message.text_body
        assert message.to_name == registration.name
    assert "August 2026" in by_addr[second.email].text_body
    assert "2026年8月31日" in by_addr[first.email].text_body
    assert links(first)["manage_url"] not in by_addr[second.email].text_body


def test_an_unknown_placeholder_is_refused_naming_the_field(make_event, make_member):
    event = make_event()
    field, message = refused("件名", "{nmae} 様", registrants(event), ORGANIZER[0])
    assert field == "body"
    assert "{nmae}" in message and "{name}" in message
    assert "}、{" in message  # listed the Japanese way
    with force_locale("en"):
        _, message = refused("件名", "{nmae} 様", registrants(event), ORGANIZER[0])
    assert re.search(r"\{name\}, .*, and \{\w+\}", message)

    assert refused("{titel} のご案内", "本文", registrants(event), ORGANIZER[0])[0] == "subject"

    # Personal links exist only for registrants; the event only when the audience names one.
    members = {"kind": "members"}
    for body in ("{manage_url}", "{join_url}", "{event_title}", "{event_date}"):
        assert refused("件名", body, members, ORGANIZER[0])[0] == "body"
    assert refused("件名", "{manage_url}", {**members, "event_id": event.id}, "x")[0] == "body"
    announce({**members, "event_id": event.id}, body="{name} 様 {event_title} {event_date}")
    assert db.session.scalar(select(func.count()).select_from(Announcement)) == 1


def test_attribute_and_index_placeholders_are_refused_and_never_evaluated(
    make_event, make_registration
):
    event = make_event()
    registration = make_registration(event, name="鳥取 太郎")
    for body in (
        "{name.__class__}",
        "{name.__class__.__init__.__globals__}",
        "{name[0]}",
        "{event_title!r}",
        "{name:>100}",
        "{0}",
        "{}",
        "{ name }",
    ):
        assert refused("件名", f"こんにちは {body}", registrants(event), ORGANIZER[0])[0] == "body"

    # The renderer on its own never raises and leaves anything but {word} exactly as written.
    values = {"name": registration.name}
    for text in ("{name.__class__}", "{name[0]}", "{0}", "{", "}", "{}", "{{name}", "{unknown}"):
        assert render_placeholders(text, values) == text.replace("{name}", registration.name)
    assert render_placeholders("{name}{name}", values) == "鳥取 太郎鳥取 太郎"


def test_a_value_that_looks_like_a_placeholder_is_not_expanded_again(make_event, make_registration):
    event = make_event()
    sly = make_registration(event, name="{manage_url}")
    victim = make_registration(event)
    announcement = announce(registrants(event), body="{name} 様")

    queue_now(announcement)

    message = next(
        m for m in outbox() if m.to_addr == sly.email and m.announcement_id == announcement.id
    )
    assert "{manage_url} 様" in message.text_body
    assert links(sly)["manage_url"] not in message.text_body
    assert links(victim)["manage_url"] not in message.text_body


# --- preview and test mail -------------------------------------------------------------------


def test_preview_renders_for_a_real_recipient_and_queues_nothing(make_event, make_registration):
    event = make_event()
    first = make_registration(event, name="鳥取 太郎")
    second = make_registration(event, name="松江 花子")
    announcement = announce(registrants(event), subject="{name}様 {event_title}")

    subject, text = preview(announcement)
    assert subject == f"鳥取 太郎様 {event.title}"
    assert text.startswith("鳥取 太郎 様\n")
    assert "鳥取 太郎 様へのお知らせです。" in text

    subject, text = preview(announcement, recipient_email=second.email)
    assert subject == f"松江 花子様 {event.title}"
    assert "松江 花子 様へのお知らせです。" in text

    with pytest.raises(NoRecipients):
        preview(announcement, recipient_email="stranger@example.jp")
    db.session.commit()
    assert outbox_count() == 2  # the two sign-up confirmations, nothing from the previews
    assert first.email != second.email


def test_preview_and_test_mail_show_sample_links_not_someones_real_ones(
    make_event, make_registration
):
    event = make_event()
    registration = make_registration(event)
    announcement = announce(registrants(event), body="確認: {manage_url}\n参加: {join_url}")

    _, text = preview(announcement)
    send_test(announcement, *ORGANIZER, actor=SYSTEM)
    db.session.commit()
    test_mail = outbox()[-1]

    for shown in (text, test_mail.text_body):
        assert "/sample" in shown
        assert registration.manage_token not in shown
        assert registration.join_token not in shown


def test_test_send_queues_exactly_one_message_to_the_organizer(
    make_event, make_registration, make_member
):
    event = make_event()
    make_registration(event, name="鳥取 太郎")
    make_registration(event)
    announcement = announce(registrants(event), subject="{name}様 ご案内")
    before = outbox_count()

    send_test(announcement, *ORGANIZER, actor=SYSTEM)
    db.session.commit()

    [message] = outbox()[before:]
    assert (message.to_addr, message.to_name) == ORGANIZER
    assert message.subject == "【テスト送信】鳥取 太郎様 ご案内"
    assert "鳥取 太郎 様へのお知らせです。" in message.text_body
    assert message.announcement_id is None
    assert progress(announcement.id)["total"] == 0
    assert announcement.status == AnnouncementStatus.DRAFT
    parsed = mime(message)
    assert parsed["To"].addresses[0].addr_spec == ORGANIZER[0]
    assert len(parsed["To"].addresses) == 1

    # A member announcement's test copy shows the footer, with an unsubscribe link that does nothing.
    make_member()
    bulk = announce({"kind": "members"})
    send_test(bulk, *ORGANIZER, actor=SYSTEM)
    db.session.commit()
    test_copy = outbox()[-1]
    assert test_copy.to_addr == ORGANIZER[0]
    assert test_copy.unsubscribe_url.endswith("/unsubscribe/sample/one-click")


def test_nothing_to_preview_or_test_without_recipients(make_event):
    announcement = announce(registrants(make_event()))
    with pytest.raises(NoRecipients):
        preview(announcement)
    with pytest.raises(NoRecipients):
        send_test(announcement, *ORGANIZER, actor=SYSTEM)


# --- queueing --------------------------------------------------------------------------------


def test_queue_puts_one_message_per_recipient_each_to_that_person_alone(
    make_event, make_registration
):
    event = make_event()
    people = [make_registration(event) for _ in range(3)]
    announcement = announce(registrants(event))
    before = outbox_count()
    frozen_at = clock.now()

    assert queue_now(announcement) == 3

    messages = outbox()[before:]
    assert sorted(m.to_addr for m in messages) == sorted(p.email for p in people)
    for message in messages:
        assert message.category == "announcement"
        assert message.announcement_id == announcement.id
        assert message.status == OutboxStatus.QUEUED
        parsed = mime(message)
        assert [a.addr_spec for a in parsed["To"].addresses] == [message.to_addr]
        assert parsed["Cc"] is None and parsed["Bcc"] is None
    db.session.refresh(announcement)
    assert announcement.status == AnnouncementStatus.QUEUED
    assert announcement.queued_at == frozen_at
    assert announcement.recipients == 3


def test_queueing_twice_queues_nothing_more(make_event, make_registration):
    event = make_event()
    make_registration(event)
    make_registration(event)
    announcement = announce(registrants(event))
    assert queue_now(announcement) == 2
    after_first = outbox_count()

    assert queue_now(announcement) == 0
    # Even someone who signed up in between gets nothing from a second call.
    make_registration(event)
    after_signup = outbox_count()
    assert queue_now(announcement) == 0

    assert after_first == outbox_count() - (after_signup - after_first)
    assert progress(announcement.id)["total"] == 2


def test_workers_queueing_at_once_queue_each_message_once(app, make_event, make_registration):
    event = make_event()
    for _ in range(5):
        make_registration(event)
    announcement = announce(registrants(event))
    announcement_id = announcement.id
    db.session.commit()  # on SQLite an open transaction holds the write lock
    barrier = threading.Barrier(4)
    counts, errors = [], []

    def worker():
        with app.app_context():
            barrier.wait()
            try:
                counts.append(queue_announcement(announcement_id, clock.now()))
                db.session.commit()
            except Exception as error:  # collected and asserted on below
                db.session.rollback()
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    assert sorted(counts) == [0, 0, 0, 5]
    assert progress(announcement_id)["total"] == 5


def test_a_scheduled_announcement_is_queued_once_its_time_has_come(
    frozen_now, make_event, make_registration
):
    event = make_event()
    make_registration(event)
    make_registration(event)
    send_at = NOW + timedelta(hours=2)
    scheduled = announce(registrants(event), send_at=send_at)
    draft = announce(registrants(event))

    def sweep():
        count = queue_due_announcements(clock.now())
        db.session.commit()
        return count

    assert sweep() == 0
    frozen_now(send_at - timedelta(seconds=1))
    assert sweep() == 0
    assert progress(scheduled.id)["total"] == 0

    frozen_now(send_at)
    assert sweep() == 1
    db.session.refresh(scheduled)
    assert scheduled.status == AnnouncementStatus.QUEUED
    assert scheduled.queued_at == send_at

    frozen_now(send_at + timedelta(minutes=1))
    assert sweep() == 0
    assert progress(scheduled.id)["total"] == 2
    db.session.refresh(draft)
    assert draft.status == AnnouncementStatus.DRAFT
    assert progress(draft.id)["total"] == 0


def test_a_scheduled_announcement_whose_event_is_gone_goes_back_to_draft_and_blocks_nothing(
    frozen_now, make_event, make_registration
):
    doomed = make_event()
    make_registration(doomed)
    kept = make_event()
    make_registration(kept)
    send_at = NOW + timedelta(hours=1)
    orphan = announce(registrants(doomed), send_at=send_at)
    fine = announce(registrants(kept), send_at=send_at)
    db.session.delete(doomed)
    db.session.commit()

    frozen_now(send_at)
    assert queue_due_announcements(clock.now()) == 1
    db.session.commit()

    db.session.refresh(orphan)
    db.session.refresh(fine)
    assert orphan.status == AnnouncementStatus.DRAFT
    assert fine.status == AnnouncementStatus.QUEUED
    assert progress(orphan.id)["total"] == 0


# --- bulk mail to members: particulars and one-click unsubscribe -----------------------------


def test_member_announcements_carry_list_unsubscribe_and_the_legal_footer(make_member, sender):
    member = make_member(name="鳥取 太郎")
    announcement = announce({"kind": "members"}, body="新しい資料を公開しました。")
    queue_now(announcement)

    [row] = outbox()
    message = mime(row)
    header_url = message["List-Unsubscribe"].strip("<>")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert header_url.startswith("https://reskilling.example.jp/unsubscribe/")
    assert header_url.endswith("/one-click")

    text = text_of(message)
    page_url = header_url.removesuffix("/one-click")
    assert text.startswith("鳥取 太郎 様\n\n新しい資料を公開しました。")
    for particular in (
        sender["SECRETARIAT_NAME"],
        sender["SECRETARIAT_ADDRESS"],
        sender["SECRETARIAT_CONTACT"],
        page_url,
    ):
        assert particular in text
    assert "配信を停止" in text
    html = html_of(message)
    assert sender["SECRETARIAT_ADDRESS"] in html and page_url in html
    assert member.email == row.to_addr


def test_one_click_unsubscribe_from_the_header_stops_exactly_that_member(client, make_member):
    alice = make_member()
    bob = make_member()
    queue_now(announce({"kind": "members"}))
    rows = {row.to_addr: row for row in outbox()}
    alice_url = mime(rows[alice.email])["List-Unsubscribe"].strip("<>")
    bob_url = mime(rows[bob.email])["List-Unsubscribe"].strip("<>")
    assert alice_url != bob_url
    db.session.commit()

    forged = client.post(
        f"/unsubscribe/{alice.id}.Zm9yZ2VkLXNpZ25hdHVyZQ/one-click",
        data={"List-Unsubscribe": "One-Click"},
    )
    assert forged.status_code == 404
    db.session.expire_all()
    assert db.session.get(Member, alice.id).status == MemberStatus.ACTIVE

    answer = client.post(urlsplit(alice_url).path, data={"List-Unsubscribe": "One-Click"})

    assert answer.status_code == 204
    db.session.expire_all()
    assert db.session.get(Member, alice.id).status == MemberStatus.UNSUBSCRIBED
    assert db.session.get(Member, alice.id).unsubscribed_at == NOW
    assert db.session.get(Member, bob.id).status == MemberStatus.ACTIVE
    # The next announcement to members goes to Bob only.
    queue_now(announce({"kind": "members"}))
    assert [row.to_addr for row in outbox()[2:]] == [bob.email]


def test_registrants_who_unsubscribed_from_notices_still_get_mail_about_their_event(
    make_event, make_registration, make_member
):
    member = make_member(status=MemberStatus.UNSUBSCRIBED, unsubscribed_at=NOW)
    event = make_event()
    make_registration(event, email=member.email, name=member.name)
    before = outbox_count()

    queue_now(announce(registrants(event), body="会場が変更になりました。"))

    [row] = outbox()[before:]
    assert row.to_addr == member.email
    assert row.unsubscribe_url is None
    message = mime(row)
    assert message["List-Unsubscribe"] is None and message["List-Unsubscribe-Post"] is None
    assert "/unsubscribe/" not in text_of(message)
    # The member announcement still leaves them out.
    assert resolve_audience({"kind": "members"}) == []


def test_the_body_is_plain_in_the_text_part_and_escaped_in_the_html_part(make_member):
    make_member()
    body = '<script>alert("x")</script> & 「資料」\n二行目\n\n次の段落'
    queue_now(announce({"kind": "members"}, body=body))

    message = mime(outbox()[0])
    assert body in text_of(message)
    html = html_of(message)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; 「資料」<br>\n二行目" in html
    assert ">次の段落</p>" in html


# --- progress --------------------------------------------------------------------------------


def test_progress_counts_the_messages_and_lists_failures(make_event, make_registration):
    event = make_event()
    people = [make_registration(event) for _ in range(3)]
    announcement = announce(registrants(event))
    queue_now(announcement)

    assert progress(announcement.id) == {
        "queued": 3,
        "sent": 0,
        "failed": 0,
        "total": 3,
        "failures": [],
    }

    assert deliver_due() == 3 + len(people)  # the sign-up confirmations go out too
    assert progress(announcement.id) == {
        "queued": 0,
        "sent": 3,
        "failed": 0,
        "total": 3,
        "failures": [],
    }

    row = next(m for m in outbox() if m.announcement_id == announcement.id)
    row.status = OutboxStatus.FAILED
    row.last_error = "550 5.1.1 user unknown"
    db.session.commit()
    report = progress(announcement.id)
    assert (report["sent"], report["failed"], report["total"]) == (2, 1, 3)
    assert report["failures"] == [(row.to_addr, "550 5.1.1 user unknown")]


# --- the form --------------------------------------------------------------------------------


def test_the_form_builds_the_audience_and_reads_send_at_in_japan_time(app):
    data = MultiDict(
        [
            ("subject", " 【ご案内】{event_title} "),
            ("body", "{name} 様"),
            ("kind", "event_registrants"),
            ("event_id", "3"),
            ("statuses", "confirmed"),
            ("statuses", "waitlisted"),
            ("table_id", ""),
            ("send_at", "2026-08-10T09:30"),
        ]
    )
    with app.test_request_context():
        form = AnnouncementForm(formdata=data, meta={"csrf": False})
        data = form.validated_input()
        assert data is not None, form.errors
        assert data.subject == "【ご案内】{event_title}"
        assert form.audience() == {
            "kind": "event_registrants",
            "event_id": 3,
            "statuses": ["confirmed", "waitlisted"],
            "table_id": None,
        }
        assert form.send_at_utc() == NOW.replace(day=10, hour=0, minute=30)

        themed = AnnouncementForm(
            formdata=MultiDict(
                [("subject", "件名"), ("body", "本文"), ("kind", "members_by_theme")]
            ),
            meta={"csrf": False},
        )
        assert themed.validated_input() is None
        assert "themes" in themed.errors
        themed = AnnouncementForm(
            formdata=MultiDict(
                [
                    ("subject", "件名"),
                    ("body", "本文"),
                    ("kind", "members_by_theme"),
                    ("themes", "staff"),
                ]
            ),
            meta={"csrf": False},
        )
        assert themed.validate(), themed.errors
        assert themed.audience() == {"kind": "members_by_theme", "themes": ["staff"]}
        assert themed.send_at_utc() is None

        broken = AnnouncementForm(
            formdata=MultiDict(
                [("subject", "件名\x00Bcc: x@example.jp"), ("body", ""), ("kind", "members")]
            ),
            meta={"csrf": False},
        )
        assert broken.validated_input() is None
        assert set(broken.errors) == {"subject", "body"}
