"""The attendee's own changes from the management page: a seat kept when the new choice fits,
the waitlist said before saving when it does not, an updated invite (same UID, SEQUENCE+1) and a
mail saying what changed, and concurrent changes that never overbook a table."""

import re
import threading

import pytest
from sqlalchemy import func, select

from app import clock
from app.extensions import db
from app.mail.outbox import OutboxMessage
from app.registrations.inputs import ChoiceChange
from app.registrations.models import Registration, RegistrationStatus
from app.registrations.self_service import (
    ChangeOutcome,
    OutcomeChanged,
    change_registration,
    preview_change,
)
from tests.registrations.test_views import text_of

EXCHANGE = {
    "parts": [{"title": "第一部 基調講演"}, {"title": "第二部 情報交換会", "uses_tables": True}],
    "tables": [
        {"title": "企業・市民向け事業", "capacity": 1},
        {"title": "庁内職員向け事業", "capacity": 5},
    ],
}


def mails_to(address):
    return list(
        db.session.scalars(
            select(OutboxMessage).where(OutboxMessage.to_addr == address).order_by(OutboxMessage.id)
        )
    )


def ics_value(body, name):
    return re.search(rf"^{name}:(.*)$", body, re.M).group(1).strip()


def seated(event, make_registration, table_index, **fields):
    exchange = event.parts[1]
    return make_registration(
        event, part_ids=[exchange.id], table_id=event.tables[table_index].id, **fields
    )


def test_moving_to_a_table_with_room_keeps_the_seat_and_updates_the_invite(
    client, make_event, make_registration
):
    event = make_event(**EXCHANGE)
    person = seated(event, make_registration, 0)
    [first_mail] = mails_to(person.email)
    url = f"/r/{person.manage_token}"
    page = text_of(client.get(url))
    assert "申込内容の変更" in page
    new_table = event.tables[1]
    choice = {"parts": [event.parts[1].id], "table": new_table.id}

    # The confirmation page says what will happen, and nothing is saved yet.
    confirm = client.submit(url, choice, action=f"{url}/change")
    assert confirm.status_code == 200
    assert "お席はそのまま確保されます" in text_of(confirm)
    assert db.session.get(Registration, person.id).table_id == event.tables[0].id
    assert len(mails_to(person.email)) == 1

    response = client.submit(
        url, {**choice, "expected": "keeps_seat", "confirm": "1"}, action=f"{url}/change"
    )
    assert response.status_code == 302
    db.session.expire_all()
    person = db.session.get(Registration, person.id)
    assert person.status == RegistrationStatus.CONFIRMED
    assert person.table_id == new_table.id
    _first, update = mails_to(person.email)
    assert update.subject.startswith("【申込内容の変更を受け付けました】")
    assert "変更した項目: テーブル" in update.text_body
    assert "庁内職員向け事業" in update.text_body
    assert "お席はそのまま確保しています" in update.text_body
    assert update.calendar_method == "REQUEST"
    assert ics_value(update.calendar_body, "UID") == ics_value(first_mail.calendar_body, "UID")
    before = int(ics_value(first_mail.calendar_body, "SEQUENCE"))
    assert int(ics_value(update.calendar_body, "SEQUENCE")) == before + 1
    assert "庁内職員向け事業" in text_of(client.get(response.headers["Location"]))


def test_a_full_table_is_announced_before_saving_and_the_old_seat_goes_to_the_line(
    client, make_event, make_registration
):
    event = make_event(**EXCHANGE)
    holder = seated(event, make_registration, 0)  # the only seat of table 0
    mover = seated(event, make_registration, 1)
    waiting = seated(event, make_registration, 1, email="waiting@city.example.jp")
    assert waiting.status == RegistrationStatus.CONFIRMED
    url = f"/r/{mover.manage_token}"
    choice = {"parts": [event.parts[1].id], "table": event.tables[0].id}

    confirm = text_of(client.submit(url, choice, action=f"{url}/change"))
    assert "次の選択は満席です: 企業・市民向け事業" in confirm
    assert "キャンセル待ちになります" in confirm
    assert "キャンセル待ちになることを了承して変更する" in confirm
    db.session.expire_all()
    assert db.session.get(Registration, mover.id).status == RegistrationStatus.CONFIRMED

    response = client.submit(
        url, {**choice, "expected": "requeued", "confirm": "1"}, action=f"{url}/change"
    )
    assert response.status_code == 302
    db.session.expire_all()
    mover = db.session.get(Registration, mover.id)
    assert mover.status == RegistrationStatus.WAITLISTED
    assert db.session.get(Registration, holder.id).status == RegistrationStatus.CONFIRMED
    update = mails_to(mover.email)[-1]
    assert "キャンセル待ちになりました" in update.text_body
    assert update.calendar_method == "CANCEL"


def test_a_change_that_no_longer_fits_is_shown_again_not_saved(app, make_event, make_registration):
    event = make_event(**EXCHANGE)
    mover = seated(event, make_registration, 1)
    data = ChoiceChange(parts=[event.parts[1].id], table=event.tables[0].id)
    assert preview_change(mover, data).outcome == ChangeOutcome.KEEPS_SEAT
    seated(event, make_registration, 0)  # someone else takes the last seat meanwhile
    with pytest.raises(OutcomeChanged) as raised:
        change_registration(mover.manage_token, data, clock.now(), ChangeOutcome.KEEPS_SEAT)
    assert raised.value.preview.outcome == ChangeOutcome.REQUEUED
    db.session.rollback()
    assert db.session.get(Registration, mover.id).table_id == event.tables[1].id


def test_mistakes_in_a_change_are_listed_at_once_and_kept(client, make_event, make_registration):
    event = make_event(**EXCHANGE)
    person = seated(event, make_registration, 1)
    url = f"/r/{person.manage_token}"
    response = client.submit(
        url, {"parts": [event.parts[1].id], "table": ""}, action=f"{url}/change"
    )
    assert response.status_code == 422
    page = text_of(response)
    assert page.count('<div class="error-summary"') == 1
    assert '<a href="#table-0">' in page
    assert "テーブルを選んでください" in page
    assert '<input checked id="parts-1"' in page  # kept as typed
    assert '<input checked id="parts-0"' not in page


def test_concurrent_moves_to_the_last_seat_never_overbook(app, make_event, make_registration):
    event = make_event(**EXCHANGE)
    people = [seated(event, make_registration, 1) for _ in range(5)]
    target = event.tables[0].id
    part = event.parts[1].id
    tokens = [person.manage_token for person in people]
    db.session.commit()
    barrier = threading.Barrier(len(tokens))
    outcomes, refused = [], []

    def worker(token):
        with app.app_context():
            barrier.wait()
            try:
                data = ChoiceChange(parts=[part], table=target)
                change_registration(token, data, clock.now(), ChangeOutcome.KEEPS_SEAT)
                db.session.commit()
                outcomes.append(token)
            except OutcomeChanged:
                db.session.rollback()
                refused.append(token)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker, args=(token,)) for token in tokens]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert len(outcomes) == 1 and len(refused) == 4
    at_target = db.session.scalar(
        select(func.count())
        .select_from(Registration)
        .where(Registration.table_id == target, Registration.status == RegistrationStatus.CONFIRMED)
    )
    assert at_target == 1


def test_limited_change_and_cancel_show_the_page_again_with_the_wait(
    client, make_event, make_registration, app
):
    event = make_event(**EXCHANGE)
    person = seated(event, make_registration, 1)
    url = f"/r/{person.manage_token}"
    app.config["PUBLIC_FORM_RATE_LIMIT"] = "1 per minute"
    choice = {"parts": [event.parts[1].id], "table": event.tables[0].id}
    client.submit(url, choice, action=f"{url}/change")
    response = client.submit(url, choice, action=f"{url}/change")
    assert response.status_code == 429
    page = text_of(response)
    assert "分ほど待ってから" in page or "秒ほど待ってから" in page
    assert '<input checked id="table-0"' in page  # as typed, not as stored
    response = client.submit(f"{url}/cancel", {})
    assert response.status_code == 429
    assert "キャンセルを確定する" in text_of(response)
    assert db.session.get(Registration, person.id).status == RegistrationStatus.CONFIRMED


def test_the_change_form_starts_from_what_is_stored(client, make_event, make_registration):
    event = make_event(**EXCHANGE)
    keynote_only = make_registration(event, part_ids=[event.parts[0].id])
    page = text_of(client.get(f"/r/{keynote_only.manage_token}"))
    assert '<input checked id="parts-0"' in page
    assert '<input checked id="parts-1"' not in page
    assert 'id="table-none" name="table" value="" checked' in page  # no table: 「選択しない」


def test_a_limited_post_to_an_unknown_link_is_a_plain_429(client, make_event, app):
    make_event()
    app.config["PUBLIC_FORM_RATE_LIMIT"] = "1 per minute"
    token = client.token("/join")
    for _ in range(2):
        response = client.client.post("/r/not-a-token/cancel", data={"csrf_token": token})
    assert response.status_code == 429
