"""The join form asks, unticked by default, whether the organisation may be named on the public
ご参加自治体 page; the answer is stored with the application and the page follows it."""

import html

from sqlalchemy import select

from app import clock
from app.extensions import db
from app.members import services
from app.members.applications import application_token
from app.members.models import Member, MembershipApplication
from app.members.services import MembershipInput, apply_for_membership, listed_organizations

JOIN = "/join"
LABEL = "自治体名をご参加自治体一覧に掲載してよい"

VALID = {
    "name": "山田 花子",
    "email": "hanako@city.example.jp",
    "organization": "鳥取県",
    "consent": "y",
    "privacy": "y",
}


def member_by_email(email):
    db.session.expire_all()
    return db.session.scalar(select(Member).where(Member.email == email))


def test_the_join_form_offers_the_listing_unticked(client):
    body = html.unescape(client.get(JOIN).get_data(as_text=True))
    assert LABEL in body
    assert '<input id="listed_publicly" name="listed_publicly" type="checkbox" value="y">' in body


def test_an_application_without_the_tick_is_not_listed(client):
    assert client.submit(JOIN, VALID).status_code == 302
    assert member_by_email(VALID["email"]).listed_publicly is False


def test_an_application_with_the_tick_is_listed(client):
    assert client.submit(JOIN, {**VALID, "listed_publicly": "y"}).status_code == 302
    assert member_by_email(VALID["email"]).listed_publicly is True


def test_a_typed_error_keeps_the_tick(client):
    response = client.submit(JOIN, {**VALID, "name": "", "listed_publicly": "y"})
    assert response.status_code == 422
    assert (
        '<input checked id="listed_publicly" name="listed_publicly" type="checkbox" value="y">'
        in response.get_data(as_text=True)
    )


def test_the_service_stores_the_answer_and_the_member_is_listed_once_confirmed(app):
    member = apply_for_membership(
        MembershipInput(
            name="山田 花子",
            email="hanako@city.example.jp",
            organization="鳥取県 鳥取市",
            listed_publicly=True,
        ),
        clock.now(),
    )
    db.session.commit()
    assert member.listed_publicly is True
    assert listed_organizations() == []  # pending: not yet

    services.confirm_membership(services.confirm_token(member), clock.now())
    db.session.commit()
    assert [(p.name, p.organizations) for p in listed_organizations()] == [("鳥取県", ["鳥取市"])]


def test_applying_again_replaces_the_earlier_answer_only_once_its_link_is_confirmed(app):
    data = {"name": "山田 花子", "email": "hanako@city.example.jp", "organization": "鳥取県"}
    apply_for_membership(MembershipInput(**data, listed_publicly=True), clock.now())
    member = apply_for_membership(MembershipInput(**data), clock.now())
    db.session.commit()
    assert member.listed_publicly is True  # anyone can type the address: nothing changes yet
    [application] = db.session.scalars(select(MembershipApplication))
    services.confirm_application(application_token(application), clock.now())
    db.session.commit()
    assert member_by_email(data["email"]).listed_publicly is False
