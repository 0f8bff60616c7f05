"""The shared factories: numbered afresh in each test, and rows in the state their names say."""

import pytest

from app.members.consent import CURRENT_VERSION
from app.members.models import MemberStatus
from app.members.services import AWAITING_CONSENT
from app.registrations.models import RegistrationStatus
from tests import factories
from tests.factories import NOW


@pytest.mark.parametrize("run", [1, 2])
def test_numbers_start_at_one_in_every_test(app, make_event, make_registration, run):
    first, second = make_event(), make_event()
    assert (first.slug, second.slug) == ("event-1", "event-2")
    assert make_registration(first).email == "person1@city.example.jp"
    assert factories.make_member().email == "member1@city.example.jp"
    assert factories.make_organizer().email == "staff1@secretariat.example.jp"


def test_an_event_is_published_and_open_and_a_registration_is_confirmed(app):
    event = factories.make_event(capacity=1, parts=[{"title": "第一部"}])
    registration = factories.make_registration(event, part_ids=[event.parts[0].id])
    assert event.registration_opens_at < NOW < event.starts_at
    assert registration.status == RegistrationStatus.CONFIRMED
    assert [part.id for part in registration.parts] == [event.parts[0].id]


def test_a_member_is_resolved_active_consenting_and_confirmed_unless_told(app):
    member = factories.make_member("hanako@city.example.jp", organization="鳥取市")
    assert (member.organization_code, member.organization_name) == ("312011", "鳥取県 鳥取市")
    assert (member.status, member.consent_version) == (MemberStatus.ACTIVE, CURRENT_VERSION)
    assert member.consent_at == member.confirmed_at == NOW

    invited = factories.make_member(status=MemberStatus.PENDING, consented=False)
    assert (invited.consent_version, invited.confirmed_at) == (AWAITING_CONSENT, None)


def test_joining_goes_through_the_link_unless_told(app):
    assert factories.join_network("a@city.example.jp").status == MemberStatus.ACTIVE
    assert factories.join_network("b@city.example.jp", confirm=False).status == MemberStatus.PENDING
