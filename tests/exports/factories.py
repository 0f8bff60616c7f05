"""Members and a small sample network for the console's list, export and statistics tests, stored
directly (the sign-up flows themselves are tested in tests/members and tests/registrations)."""

from dataclasses import dataclass
from datetime import timedelta
from itertools import count

from app.events.models import Event
from app.extensions import db
from app.members.consent import CURRENT_VERSION
from app.members.models import Member, MemberStatus
from app.organizations.services import resolve_organization
from app.registrations.models import Registration, RegistrationStatus
from tests.conftest import NOW

_numbers = count(1)


def add_member(organization: str = "鳥取県", **fields) -> Member:
    """An active member of `organization` (resolved against the official list), committed."""
    n = next(_numbers)
    resolved = resolve_organization(organization)
    values = {
        "email": f"member{n}@city.example.jp",
        "name": f"会員 {n}",
        "organization_code": resolved.code,
        "organization_name": resolved.name,
        "status": MemberStatus.ACTIVE,
        "consent_at": NOW,
        "consent_version": CURRENT_VERSION,
        "confirmed_at": NOW,
    }
    values.update(fields)
    member = Member(**values)
    db.session.add(member)
    db.session.commit()
    return member


@dataclass
class SampleNetwork:
    """Two events and seven members from local governments of three prefectures and one body
    without a code; add_sample_network says what the numbers are."""

    seminar: Event
    session: Event
    registrations: list[Registration]
    members: list[Member]


def add_sample_network(make_event, make_registration, set_now) -> SampleNetwork:
    """The seminar (two parts, two theme tables) has eight sign-ups over three days (1–3 August,
    JST): five confirmed (4 organisations: 鳥取県 twice, 江戸川区, 札幌市 and a body without a code),
    one waitlisted, one pending and one cancelled on the third day; two confirmed people checked
    in. The sharing session has two confirmed (鳥取県, 東京都府中市). Members: five active (鳥取県
    twice, 鳥取市, 江戸川区, the body without a code), one pending and one unsubscribed."""
    seminar = make_event(
        title="セミナー＆情報交換会",
        parts=({"title": "第一部"}, {"title": "第二部", "uses_tables": True}),
        tables=({"title": "企業・市民向け事業"}, {"title": "庁内職員向け事業"}),
    )
    session = make_event(title="定期共有会", starts_at=NOW + timedelta(days=60))
    part_ids = [part.id for part in seminar.parts]
    business, staff = (table.id for table in seminar.tables)
    plan = [
        # (day, organisation, table, final status)
        (0, "鳥取県", business, RegistrationStatus.CONFIRMED),
        (0, "鳥取県", staff, RegistrationStatus.CONFIRMED),
        (0, "鳥取市", business, RegistrationStatus.CANCELLED),
        (1, "東京都江戸川区", business, RegistrationStatus.CONFIRMED),
        (1, "独立行政法人 情報処理推進機構", staff, RegistrationStatus.CONFIRMED),
        (2, "北海道札幌市", staff, RegistrationStatus.CONFIRMED),
        (2, "鳥取県米子市", business, RegistrationStatus.WAITLISTED),
        (2, "東京都府中市", staff, RegistrationStatus.PENDING),
    ]
    registrations = []
    for day, organization, table_id, status in plan:
        set_now(NOW + timedelta(days=day))
        registration = make_registration(
            seminar, organization=organization, part_ids=part_ids, table_id=table_id
        )
        # The statuses are set here so the numbers do not depend on the seat rules.
        registration.status = status
        if status == RegistrationStatus.CANCELLED:
            registration.cancelled_at = NOW + timedelta(days=2)
        registrations.append(registration)
    registrations[0].checked_in_at = NOW + timedelta(days=30)
    registrations[4].checked_in_at = NOW + timedelta(days=30, minutes=5)
    db.session.commit()
    make_registration(session, organization="鳥取県")
    make_registration(session, organization="東京都府中市")
    members = [
        add_member("鳥取県"),
        add_member("鳥取県"),
        add_member("鳥取市"),
        add_member("東京都江戸川区"),
        add_member("独立行政法人 情報処理推進機構"),
        add_member("北海道札幌市", status=MemberStatus.PENDING, confirmed_at=None),
        add_member("北海道札幌市", status=MemberStatus.UNSUBSCRIBED, unsubscribed_at=NOW),
    ]
    return SampleNetwork(seminar, session, registrations, members)
