"""Sign-up rules: seats, waitlist, windows, duplicates and promotion, tested on the services."""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from app import clock
from app.errors import (
    AlreadyCancelled,
    AlreadyRegistered,
    EventCancelled,
    InvalidChoice,
    RegistrationClosed,
    RegistrationNotFound,
    RegistrationNotOpen,
)
from app.events.models import EventStatus
from app.extensions import db
from app.mail.outbox import OutboxMessage
from app.registrations.inputs import RegistrationInput
from app.registrations.models import Registration, RegistrationStatus
from app.registrations.signup import cancel_registration, find_by_token, resend_confirmation
from tests.conftest import NOW


def outbox(category=None):
    query = select(OutboxMessage).order_by(OutboxMessage.id)
    if category:
        query = query.where(OutboxMessage.category == category)
    return list(db.session.scalars(query))


def count(model):
    return db.session.scalar(select(func.count()).select_from(model))


def two_part_event(make_event, **fields):
    return make_event(
        parts=[
            {"title": "第一部 基調講演"},
            {
                "title": "第二部 情報交換会",
                "uses_tables": True,
                "capacity": fields.pop("part2", None),
            },
        ],
        tables=[
            {"title": "企業・市民向け事業", "capacity": fields.pop("table1", None)},
            {"title": "庁内職員向け事業", "capacity": fields.pop("table2", None)},
        ],
        **fields,
    )


def test_sign_up_with_a_free_seat_is_confirmed_and_queues_one_confirmation(
    make_event, make_registration
):
    event = make_event(capacity=2)
    registration = make_registration(event, email="taro@city.example.jp")
    assert registration.status == RegistrationStatus.CONFIRMED
    [mail] = outbox()
    assert mail.to_addr == "taro@city.example.jp"
    assert mail.subject == f"【お申し込み完了】{event.title}"
    assert registration.manage_token.split(".")[0] in mail.text_body
    assert f"/r/{registration.manage_token}" in mail.text_body


def test_full_event_puts_the_next_person_on_the_waitlist_and_says_so_in_mail(
    make_event, make_registration
):
    event = make_event(capacity=1)
    make_registration(event)
    waiting = make_registration(event)
    assert waiting.status == RegistrationStatus.WAITLISTED
    mail = outbox()[-1]
    assert mail.subject == f"【キャンセル待ち受付】{event.title}"
    assert "キャンセル待ち" in mail.text_body


def test_full_table_waitlists_even_when_the_event_has_seats(make_event, make_registration):
    event = two_part_event(make_event, capacity=100, table1=1)
    first, second = event.parts
    table1, table2 = event.tables
    make_registration(event, part_ids=[first.id, second.id], table_id=table1.id)
    waiting = make_registration(event, part_ids=[second.id], table_id=table1.id)
    other_table = make_registration(event, part_ids=[second.id], table_id=table2.id)
    assert waiting.status == RegistrationStatus.WAITLISTED
    assert other_table.status == RegistrationStatus.CONFIRMED


def test_full_part_waitlists_only_those_who_chose_it(make_event, make_registration):
    event = two_part_event(make_event, part2=1)
    first, second = event.parts
    table1 = event.tables[0]
    make_registration(event, part_ids=[second.id], table_id=table1.id)
    keynote_only = make_registration(event, part_ids=[first.id])
    exchange = make_registration(event, part_ids=[second.id], table_id=table1.id)
    assert keynote_only.status == RegistrationStatus.CONFIRMED
    assert keynote_only.table is None
    assert exchange.status == RegistrationStatus.WAITLISTED


def test_parts_and_tables_must_belong_to_the_event(make_event, make_registration):
    event = two_part_event(make_event)
    other = two_part_event(make_event)
    with pytest.raises(InvalidChoice) as error:
        make_registration(event, part_ids=[other.parts[0].id])
    assert error.value.field == "parts"
    with pytest.raises(InvalidChoice) as error:
        make_registration(event, part_ids=[event.parts[1].id], table_id=other.tables[0].id)
    assert error.value.field == "table"
    with pytest.raises(InvalidChoice) as error:
        make_registration(event, part_ids=[])
    assert error.value.field == "parts"
    with pytest.raises(InvalidChoice) as error:
        make_registration(event, part_ids=[event.parts[1].id])
    assert error.value.field == "table"
    db.session.rollback()
    assert count(Registration) == 0
    assert count(OutboxMessage) == 0


def test_the_same_email_cannot_sign_up_twice_for_one_event(make_event, make_registration):
    event = make_event()
    make_registration(event, email="taro@city.example.jp")
    with pytest.raises(AlreadyRegistered):
        make_registration(event, email="taro@city.example.jp")
    db.session.rollback()
    assert count(Registration) == 1
    # Another event is a different sign-up.
    assert make_registration(make_event(), email="taro@city.example.jp").status == "confirmed"


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"registration_opens_at": NOW + timedelta(hours=1)}, RegistrationNotOpen),
        ({"registration_closes_at": NOW - timedelta(minutes=1)}, RegistrationClosed),
        (
            {"starts_at": NOW - timedelta(days=2), "ends_at": NOW - timedelta(days=1)},
            RegistrationClosed,
        ),
        ({"status": EventStatus.CANCELLED}, EventCancelled),
    ],
)
def test_sign_up_outside_the_window_is_refused_and_stores_nothing(
    make_event, make_registration, fields, error
):
    event = make_event(**fields)
    with pytest.raises(error):
        make_registration(event)
    db.session.rollback()
    assert count(Registration) == 0
    assert count(OutboxMessage) == 0


def test_cancelling_promotes_the_first_in_line_and_mails_both(
    make_event, make_registration, frozen_now
):
    event = make_event(capacity=1)
    confirmed = make_registration(event)
    frozen_now(NOW + timedelta(minutes=1))
    first_in_line = make_registration(event)
    frozen_now(NOW + timedelta(minutes=2))
    second_in_line = make_registration(event)

    cancel_registration(confirmed.manage_token, clock.now())
    db.session.commit()

    assert db.session.get(Registration, confirmed.id).status == RegistrationStatus.CANCELLED
    assert db.session.get(Registration, first_in_line.id).status == RegistrationStatus.CONFIRMED
    assert db.session.get(Registration, second_in_line.id).status == RegistrationStatus.WAITLISTED
    [cancelled_mail] = outbox("registration_cancelled")
    [promoted_mail] = outbox("registration_promoted")
    assert cancelled_mail.to_addr == confirmed.email
    assert promoted_mail.to_addr == first_in_line.email
    assert first_in_line.manage_token in promoted_mail.text_body


def test_promotion_skips_someone_whose_table_is_still_full(
    make_event, make_registration, frozen_now
):
    event = two_part_event(make_event, capacity=2, table1=1)
    second = event.parts[1]
    table1, table2 = event.tables
    holder = make_registration(event, part_ids=[second.id], table_id=table2.id)
    make_registration(event, part_ids=[second.id], table_id=table1.id)
    frozen_now(NOW + timedelta(minutes=1))
    wants_table1 = make_registration(event, part_ids=[second.id], table_id=table1.id)
    frozen_now(NOW + timedelta(minutes=2))
    wants_table2 = make_registration(event, part_ids=[second.id], table_id=table2.id)
    assert wants_table1.status == wants_table2.status == RegistrationStatus.WAITLISTED

    cancel_registration(holder.manage_token, clock.now())
    db.session.commit()
    assert db.session.get(Registration, wants_table1.id).status == RegistrationStatus.WAITLISTED
    assert db.session.get(Registration, wants_table2.id).status == RegistrationStatus.CONFIRMED


def test_cancelling_twice_is_refused_and_mails_once(make_event, make_registration):
    registration = make_registration(make_event())
    cancel_registration(registration.manage_token, clock.now())
    db.session.commit()
    with pytest.raises(AlreadyCancelled):
        cancel_registration(registration.manage_token, clock.now())
    db.session.rollback()
    assert len(outbox("registration_cancelled")) == 1


def test_signing_up_again_after_cancelling_reuses_the_row_and_revokes_the_old_link(
    make_event, make_registration
):
    event = make_event()
    registration = make_registration(event, email="taro@city.example.jp")
    old_token = registration.manage_token
    cancel_registration(old_token, clock.now())
    db.session.commit()
    again = make_registration(event, email="taro@city.example.jp", name="山田 太郎")
    assert again.id == registration.id
    assert again.status == RegistrationStatus.CONFIRMED
    assert again.name == "山田 太郎"
    with pytest.raises(RegistrationNotFound):
        find_by_token(old_token)
    assert find_by_token(again.manage_token).id == again.id


@pytest.mark.parametrize(
    "token", ["", "abc", "1.", ".x", "99999.x", "1.wrong", "１.x", "1" * 40 + ".x", "-1.x"]
)
def test_wrong_or_malformed_tokens_find_nothing(make_event, make_registration, token):
    make_registration(make_event())
    with pytest.raises(RegistrationNotFound):
        find_by_token(token)


def test_a_token_from_one_registration_does_not_open_another(make_event, make_registration):
    event = make_event()
    first = make_registration(event)
    second = make_registration(event)
    forged = f"{second.id}.{first.manage_token.split('.', 1)[1]}"
    with pytest.raises(RegistrationNotFound):
        find_by_token(forged)


def test_resend_mails_the_same_management_link_and_reveals_nothing_for_strangers(
    make_event, make_registration
):
    event = make_event()
    registration = make_registration(event, email="taro@city.example.jp")
    assert resend_confirmation(event.id, "taro@city.example.jp") is True
    assert resend_confirmation(event.id, "nobody@city.example.jp") is False
    db.session.commit()
    mails = outbox("registration_received")
    assert len(mails) == 2
    assert registration.manage_token in mails[1].text_body
    assert "再送" in mails[1].text_body


def test_organisation_is_matched_to_the_official_code_or_kept_as_free_text(
    make_event, make_registration
):
    event = make_event()
    official = make_registration(event, organization="東京都　江戸川区")
    other = make_registration(event, organization="独立行政法人 情報処理推進機構")
    assert (official.organization_code, official.organization_name) == ("131237", "東京都 江戸川区")
    assert (other.organization_code, other.organization_name) == (
        None,
        "独立行政法人 情報処理推進機構",
    )


def test_registration_input_defaults_are_japanese():
    assert RegistrationInput(name="a", email="b@example.jp", organization="c").locale == "ja"
