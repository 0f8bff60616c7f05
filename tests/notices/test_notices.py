"""The half-yearly notice: first working day of April and October at 10:00 JST, once per period,
only to active members, with the April contact check and the hand-over to a successor."""

import email
import re
from datetime import UTC, date, datetime, time, timedelta
from email import policy

import pytest
from sqlalchemy import func, select

from app import clock
from app.events.models import EventKind
from app.extensions import db
from app.mail.dkim import message_bytes
from app.mail.outbox import OutboxMessage
from app.mail.suppression import SuppressedAddress
from app.members.consent import CURRENT_VERSION
from app.members.models import Member, MemberStatus
from app.members.services import confirm_token
from app.notices.models import NoticeRun
from app.notices.schedule import first_working_day, notice_time
from app.notices.services import preview_next_notice, send_half_year_notice
from app.scheduling.sweep import run_sweep
from tests.factories import make_member

# 1 April 2028 is a Saturday: the notice goes out on Monday 3 April, 10:00 JST (01:00 UTC).
APRIL_2028 = datetime(2028, 4, 3, 1, 0, tzinfo=UTC)


def notices(to=None):
    query = select(OutboxMessage).where(OutboxMessage.category == "half_year_notice")
    if to:
        query = query.where(OutboxMessage.to_addr == to)
    return list(db.session.scalars(query.order_by(OutboxMessage.id)))


def sharing_session(make_event, when=APRIL_2028 + timedelta(days=30)):
    return make_event(
        kind=EventKind.SHARING_SESSION,
        title="2028年度上期 定期共有会",
        starts_at=when,
        ends_at=when + timedelta(hours=2),
    )


def test_first_working_day_skips_weekends_holidays_and_the_year_end_closure():
    assert first_working_day(2028, 4) == date(2028, 4, 3)  # Saturday 1st
    assert first_working_day(2028, 10) == date(2028, 10, 2)  # Sunday 1st
    assert first_working_day(2027, 4) == date(2027, 4, 1)  # a Thursday
    assert first_working_day(2027, 5) == date(2027, 5, 6)  # Sat 1st, then 憲法記念日…こどもの日
    assert first_working_day(2028, 1) == date(2028, 1, 4)  # 1–3 January are closed
    assert notice_time(2028, 4, time(10), "Asia/Tokyo") == APRIL_2028


def test_notice_goes_to_every_active_member_once_at_ten_on_the_first_working_day(
    app, make_event, frozen_now
):
    session = sharing_session(make_event)
    active = make_member("active@pref.tottori.example.jp")
    make_member("pending@city.example.jp", status=MemberStatus.PENDING)
    make_member("left@city.example.jp", status=MemberStatus.UNSUBSCRIBED)
    make_member("bounced@city.example.jp")
    db.session.add(SuppressedAddress(email="bounced@city.example.jp", reason="550"))
    db.session.commit()

    frozen_now(datetime(2028, 4, 1, 1, 0, tzinfo=UTC))  # Saturday 1 April: not yet
    assert send_half_year_notice(clock.now()) == 0
    frozen_now(APRIL_2028 - timedelta(minutes=1))
    assert send_half_year_notice(clock.now()) == 0
    frozen_now(APRIL_2028)
    assert send_half_year_notice(clock.now()) == 1
    assert send_half_year_notice(clock.now()) == 0  # never twice
    [mail] = notices()
    assert mail.to_addr == active.email
    assert session.title in mail.text_body
    assert f"/events/{session.slug}/register" in mail.text_body
    assert "年度初めのご確認" in mail.text_body  # April asks about the contact


def test_the_notice_commits_nothing_itself_the_sweep_commits_the_run_and_its_mail_together(
    app, make_event, frozen_now
):
    sharing_session(make_event)
    make_member("active@pref.tottori.example.jp")
    db.session.commit()
    frozen_now(APRIL_2028)

    assert send_half_year_notice(clock.now()) == 1
    db.session.rollback()
    assert notices() == []
    assert db.session.scalar(select(func.count()).select_from(NoticeRun)) == 0

    assert run_sweep(clock.now())["notices"] == 1
    db.session.rollback()
    assert len(notices()) == 1
    assert db.session.scalar(select(NoticeRun.recipients)) == 1


def test_october_notice_has_no_contact_check(app, make_event, frozen_now):
    sharing_session(make_event, when=datetime(2028, 11, 1, 5, 0, tzinfo=UTC))
    make_member("a@city.example.jp")
    frozen_now(datetime(2028, 10, 2, 1, 0, tzinfo=UTC))
    assert send_half_year_notice(clock.now()) == 1
    assert "年度初めのご確認" not in notices()[0].text_body


def test_a_notice_missed_by_downtime_is_sent_once_within_the_catch_up_window(
    app, make_event, frozen_now
):
    sharing_session(make_event)
    make_member("a@city.example.jp")
    frozen_now(APRIL_2028 + timedelta(days=20))  # past NOTICE_CATCH_UP_DAYS (14)
    assert send_half_year_notice(clock.now()) == 0
    frozen_now(APRIL_2028 + timedelta(days=5))
    assert send_half_year_notice(clock.now()) == 1
    assert send_half_year_notice(clock.now()) == 0


def test_notice_is_bulk_mail_with_sender_address_and_one_click_unsubscribe(
    app, client, make_event, frozen_now
):
    sharing_session(make_event)
    member = make_member("a@city.example.jp")
    frozen_now(APRIL_2028)
    send_half_year_notice(clock.now())
    db.session.commit()
    [row] = notices()
    message = email.message_from_bytes(message_bytes(row), policy=policy.default)
    assert message["Auto-Submitted"] == "auto-generated"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    one_click = re.fullmatch(r"<(.+)>", message["List-Unsubscribe"]).group(1)
    text = message.get_body(("plain",)).get_content()
    assert app.config["SECRETARIAT_ADDRESS"] in text and app.config["SECRETARIAT_NAME"] in text
    assert "/unsubscribe/" in text

    path = one_click.replace(app.config["PUBLIC_BASE_URL"], "")
    assert (
        client.post(
            path.replace("/unsubscribe/", "/unsubscribe/9"), data={"List-Unsubscribe": "One-Click"}
        ).status_code
        == 404
    )
    response = client.post(path, data={"List-Unsubscribe": "One-Click"})
    assert response.status_code == 204
    assert db.session.get(Member, member.id).status == MemberStatus.UNSUBSCRIBED


def test_preview_shows_when_the_next_notice_goes_out_and_what_it_says(app, make_event, frozen_now):
    sharing_session(make_event)
    make_member("a@city.example.jp", name="佐藤 花子")
    frozen_now(datetime(2028, 3, 1, tzinfo=UTC))
    preview = preview_next_notice(clock.now())
    assert preview["period"] == "2028-04"
    assert preview["send_at"] == APRIL_2028
    assert preview["recipients"] == 1
    assert "佐藤 花子 様" in preview["preview"].text_body
    assert notices() == []  # a preview sends nothing


def link(text, fragment):
    return next(line for line in text.splitlines() if fragment in line).strip()


def test_still_me_and_hand_over_to_a_successor(app, client, make_event, frozen_now):
    sharing_session(make_event)
    old = make_member("old@city.kaga.example.jp", organization="加賀市")
    frozen_now(APRIL_2028)
    send_half_year_notice(clock.now())
    db.session.commit()
    text = notices()[0].text_body
    base = app.config["PUBLIC_BASE_URL"]

    still = link(text, "/members/still/").replace(base, "")
    assert client.get(still).status_code == 200
    assert (
        db.session.get(Member, old.id).contact_confirmed_at is None
    )  # opening the link does nothing
    client.submit(still, {})
    assert db.session.get(Member, old.id).contact_confirmed_at == APRIL_2028

    handover = link(text, "/members/handover/").replace(base, "")
    response = client.submit(handover, {"name": "後任 次郎", "email": "new@city.kaga.example.jp"})
    assert response.status_code == 200
    successor = db.session.scalar(select(Member).where(Member.email == "new@city.kaga.example.jp"))
    assert successor.status == MemberStatus.PENDING
    assert successor.organization_code == old.organization_code
    assert (
        db.session.get(Member, old.id).status == MemberStatus.ACTIVE
    )  # until the successor confirms

    invitation = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.category == "member_handover")
    )
    confirm = link(invitation.text_body, "/join/confirm/").replace(base, "")
    page = client.get(confirm).get_data(as_text=True)
    assert "同意して参加を確定する" in page
    client.submit(confirm, {})
    successor = db.session.get(Member, successor.id)
    assert successor.status == MemberStatus.ACTIVE
    assert successor.consent_version == CURRENT_VERSION
    assert db.session.get(Member, old.id).status == MemberStatus.UNSUBSCRIBED

    frozen_now(datetime(2028, 10, 2, 1, 0, tzinfo=UTC))
    sharing_session(make_event, when=datetime(2028, 11, 1, 5, 0, tzinfo=UTC))
    send_half_year_notice(clock.now())
    db.session.commit()
    assert [m.to_addr for m in notices()[1:]] == ["new@city.kaga.example.jp"]


@pytest.mark.parametrize("keeps_listing", [True, False])
def test_a_successor_is_offered_the_predecessors_public_listing_and_answers_for_themselves(
    app, client, make_event, frozen_now, keeps_listing
):
    sharing_session(make_event)
    old = make_member("old@city.kaga.example.jp", organization="加賀市")
    old.listed_publicly = True
    db.session.commit()
    assert "加賀市" in client.get("/municipalities").get_data(as_text=True)
    frozen_now(APRIL_2028)
    send_half_year_notice(clock.now())
    db.session.commit()
    base = app.config["PUBLIC_BASE_URL"]
    handover = link(notices()[0].text_body, "/members/handover/").replace(base, "")
    client.submit(handover, {"name": "後任 次郎", "email": "new@city.kaga.example.jp"})
    invitation = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.category == "member_handover")
    )
    confirm = link(invitation.text_body, "/join/confirm/").replace(base, "")

    page = client.get(confirm).get_data(as_text=True)
    assert "自治体名をご参加自治体一覧に掲載してよい" in page
    assert re.search(r'<input checked[^>]*name="listed_publicly"', page), page
    client.submit(confirm, {"listed_publicly": "y"} if keeps_listing else {})

    successor = db.session.scalar(select(Member).where(Member.email == "new@city.kaga.example.jp"))
    assert successor.status == MemberStatus.ACTIVE
    assert successor.listed_publicly is keeps_listing
    # The predecessor has stopped; the municipality stays listed only by the successor's yes.
    assert ("加賀市" in client.get("/municipalities").get_data(as_text=True)) is keeps_listing


def test_an_applicants_confirmation_keeps_the_listing_answer_of_the_join_form(app, client):
    member = make_member("apply@city.example.jp", status=MemberStatus.PENDING)
    member.listed_publicly = True
    member.confirm_nonce = "n1"
    db.session.commit()
    confirm = f"/join/confirm/{confirm_token(member)}"
    page = client.get(confirm).get_data(as_text=True)
    assert "自治体名をご参加自治体一覧に掲載してよい" not in page  # answered on the join form
    client.submit(confirm, {})
    assert db.session.get(Member, member.id).listed_publicly is True


def test_hand_over_to_yourself_is_refused_with_a_message(app, client, make_event, frozen_now):
    sharing_session(make_event)
    old = make_member("old@city.example.jp")
    frozen_now(APRIL_2028)
    send_half_year_notice(clock.now())
    db.session.commit()
    handover = link(notices()[0].text_body, "/members/handover/").replace(
        app.config["PUBLIC_BASE_URL"], ""
    )
    response = client.submit(handover, {"name": "自分", "email": old.email})
    assert response.status_code == 422
    assert "後任の方のメールアドレスを入力してください" in response.get_data(as_text=True)


def test_unsubscribing_withdraws_the_notice_still_waiting_in_the_outbox(
    app, client, make_event, frozen_now
):
    from app.mail.delivery import deliver_due
    from app.mail.outbox import OutboxStatus

    sharing_session(make_event)
    member = make_member("a@city.example.jp")
    frozen_now(APRIL_2028)
    send_half_year_notice(clock.now())
    db.session.commit()
    [row] = notices()
    path = row.unsubscribe_url.replace(app.config["PUBLIC_BASE_URL"], "")
    assert client.post(path, data={"List-Unsubscribe": "One-Click"}).status_code == 204
    assert deliver_due() == 0
    db.session.refresh(row)
    assert row.status == OutboxStatus.WITHDRAWN
    assert db.session.get(Member, member.id).status == MemberStatus.UNSUBSCRIBED
