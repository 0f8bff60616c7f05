"""Mailing the materials: one mail per person with their own links to every material; registrants
get mail about their event (no unsubscribe link), members get bulk mail with List-Unsubscribe and
the sender's particulars, and unsubscribed members or bounced addresses get nothing."""

import io
import re

import pytest

from app.audit.actor import SYSTEM
from app.extensions import db
from app.mail.suppression import flag_address
from app.materials import catalogue, mailing
from app.materials.errors import NothingToSend
from app.members.models import MemberStatus
from app.registrations.models import RegistrationStatus
from tests.conftest import NOW
from tests.materials.samples import downloads, mime, outbox, pdf, text_of

DOWNLOAD_URL = re.compile(r"https://reskilling\.example\.jp(/materials/\d+/[rm]/\S+)")


@pytest.fixture
def event_with_materials(make_event):
    event = make_event(title="9月セミナー＆情報交換会")
    catalogue.add_file(event.id, "基調講演スライド", "slides.pdf", io.BytesIO(pdf()), actor=SYSTEM)
    catalogue.add_link(event.id, "当日の録画", "https://video.example.jp/watch?v=1", actor=SYSTEM)
    db.session.commit()
    return event


def send(event, audience=mailing.CONFIRMED, message="") -> int:
    count = mailing.send_materials(event.id, audience, message, actor=SYSTEM)
    db.session.commit()
    return count


def test_confirmed_registrants_each_get_their_own_links_to_every_material(
    client, event_with_materials, make_registration
):
    event = event_with_materials
    alice = make_registration(event, name="鳥取 花子")
    bob = make_registration(event)
    waiting = make_registration(event)
    waiting.status = RegistrationStatus.WAITLISTED
    gone = make_registration(event)
    gone.status = RegistrationStatus.CANCELLED
    db.session.commit()
    before = len(outbox())

    assert send(event, message="ご参加ありがとうございました。") == 2

    rows = outbox()[before:]
    assert [row.to_addr for row in rows] == [alice.email, bob.email]
    assert all(row.category == "materials_available" for row in rows)
    alice_mail = mime(rows[0])
    assert alice_mail["Subject"] == "【資料のご案内】9月セミナー＆情報交換会"
    assert alice_mail["List-Unsubscribe"] is None and rows[0].unsubscribe_url is None
    text = text_of(alice_mail)
    assert text.startswith("鳥取 花子 様\n")
    assert "ご参加ありがとうございました。" in text
    assert "基調講演スライド（PDF・" in text and "当日の録画（リンク）" in text
    assert "2026年8月31日" in text  # the event's date in words
    assert "/unsubscribe/" not in text
    alice_paths = DOWNLOAD_URL.findall(text)
    bob_paths = DOWNLOAD_URL.findall(text_of(mime(rows[1])))
    assert len(alice_paths) == 2 and set(alice_paths).isdisjoint(bob_paths)

    # Alice's links open her materials and are logged as hers.
    assert client.get(alice_paths[0]).status_code == 200
    assert client.get(alice_paths[1]).status_code == 302
    assert {d.registration_id for d in downloads()} == {alice.id}


def test_attended_only_leaves_out_those_who_did_not_check_in(
    event_with_materials, make_registration
):
    event = event_with_materials
    came = make_registration(event)
    make_registration(event)
    came.checked_in_at = NOW
    db.session.commit()

    assert mailing.audience_counts(event.id)[mailing.ATTENDED] == 1
    assert send(event, mailing.ATTENDED) == 1
    assert outbox()[-1].to_addr == came.email


def test_materials_to_all_members_are_bulk_mail_with_list_unsubscribe(
    app, client, event_with_materials, make_registration, make_member
):
    app.config.update(
        SECRETARIAT_ADDRESS="〒680-8570 鳥取県鳥取市東町一丁目220",
        SECRETARIAT_CONTACT="info@reskilling.example.jp",
    )
    event = event_with_materials
    registrant = make_registration(event)
    member = make_member(name="会員 太郎")
    before = len(outbox())

    assert send(event, mailing.WITH_MEMBERS) == 2

    rows = {row.to_addr: row for row in outbox()[before:]}
    assert rows[registrant.email].unsubscribe_url is None
    message = mime(rows[member.email])
    one_click = message["List-Unsubscribe"].strip("<>")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert one_click.startswith("https://reskilling.example.jp/unsubscribe/")
    text = text_of(message)
    assert one_click.removesuffix("/one-click") in text
    assert "配信を停止" in text
    assert "〒680-8570 鳥取県鳥取市東町一丁目220" in text
    assert "info@reskilling.example.jp" in text
    # The member's links are theirs and work.
    [file_path, _] = DOWNLOAD_URL.findall(text)
    assert "/m/" in file_path
    assert client.get(file_path).status_code == 200
    assert downloads()[-1].member_id == member.id


def test_unsubscribed_members_and_bounced_addresses_get_no_materials_mail(
    event_with_materials, make_member
):
    event = event_with_materials
    active = make_member()
    make_member(status=MemberStatus.UNSUBSCRIBED, unsubscribed_at=NOW)
    make_member(status=MemberStatus.PENDING)
    bounced = make_member()
    flag_address(bounced.email, "550 no such user")
    db.session.commit()

    assert send(event, mailing.WITH_MEMBERS) == 1
    assert [row.to_addr for row in outbox()] == [active.email]


def test_a_member_who_signed_up_gets_one_copy_as_a_registrant(
    event_with_materials, make_registration, make_member
):
    event = event_with_materials
    member = make_member()
    make_registration(event, email=member.email, name=member.name)
    before = len(outbox())

    assert send(event, mailing.WITH_MEMBERS) == 1
    [row] = outbox()[before:]
    assert row.to_addr == member.email and row.unsubscribe_url is None
    assert "/r/" in text_of(mime(row))


def test_an_unsubscribed_member_who_registered_still_gets_their_events_materials(
    event_with_materials, make_registration, make_member
):
    event = event_with_materials
    member = make_member(status=MemberStatus.UNSUBSCRIBED, unsubscribed_at=NOW)
    make_registration(event, email=member.email)
    before = len(outbox())
    assert send(event, mailing.CONFIRMED) == 1
    assert outbox()[before].to_addr == member.email


def test_nothing_to_send_without_materials_or_without_recipients(
    make_event, make_registration, event_with_materials
):
    bare = make_event()
    make_registration(bare)
    with pytest.raises(NothingToSend) as no_materials:
        mailing.send_materials(bare.id, mailing.CONFIRMED, actor=SYSTEM)
    assert "資料がありません" in str(no_materials.value.message)
    assert no_materials.value.field == "audience"

    with pytest.raises(NothingToSend) as nobody:
        mailing.send_materials(event_with_materials.id, mailing.CONFIRMED, actor=SYSTEM)
    assert "該当する方がいません" in str(nobody.value.message)

    with pytest.raises(NothingToSend):
        mailing.send_materials(event_with_materials.id, "everyone", actor=SYSTEM)
    db.session.rollback()
    assert [r for r in outbox() if r.category == "materials_available"] == []
