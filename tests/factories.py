"""Rows built the way tests need them: events, registrations, members, organizers, API tokens and
announcements, each committed unless told `commit=False`.

Names and addresses are numbered per test app (event-1, person1@..., member1@... in every test), so
they are unique within a test and read the same in every run. Registrations, members who join
and announcements go through the services, as the forms would; events and members are stored
directly when a test needs a state no form produces in one step.

The services of app/registrations and app/events are imported inside the functions that use them:
those packages are being reorganised, and a moved name should cost one line here."""

from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from weakref import WeakKeyDictionary

from flask import current_app

from app import clock
from app.announcements.inputs import AnnouncementInput
from app.announcements.models import Announcement
from app.announcements.sending import create_announcement
from app.api.tokens import create_api_token
from app.audit.actor import SYSTEM
from app.events.models import Event, EventPart, EventStatus, ThemeTable
from app.extensions import db
from app.inputs import parse
from app.members.consent import CURRENT_VERSION
from app.members.inputs import MembershipInput
from app.members.models import Member, MemberStatus
from app.members.services import (
    AWAITING_CONSENT,
    apply_for_membership,
    confirm_membership,
    confirm_token,
)
from app.organizations.services import resolve_organization
from app.organizers.services import create_organizer
from app.registrations.inputs import RegistrationInput
from app.registrations.models import Registration, RegistrationStatus

NOW = datetime(2026, 8, 1, 1, 0, tzinfo=UTC)  # 2026年8月1日 10:00 JST: the frozen clock's start
ORGANIZER_PASSWORD = "correct horse battery staple"
SECRETARIAT_STAFF = "staff@secretariat.example.jp"

_numbers: WeakKeyDictionary = WeakKeyDictionary()


def next_number(kind: str) -> int:
    """1, 2, 3... for each kind of row, counted afresh for each test's app."""
    counter = _numbers.setdefault(current_app._get_current_object(), Counter())
    counter[kind] += 1
    return counter[kind]


def _save(row, commit: bool):
    db.session.add(row)
    if commit:
        db.session.commit()
    else:
        db.session.flush()
    return row


# --- events and registrations ----------------------------------------------------------------


def make_event(parts=(), tables=(), *, commit: bool = True, **fields) -> Event:
    """A published online event open for sign-up at NOW; keyword arguments override."""
    n = next_number("event")
    values = {
        "slug": f"event-{n}",
        "title": f"テストセミナー{n}",
        "description": "説明",
        "starts_at": NOW + timedelta(days=30),
        "ends_at": NOW + timedelta(days=30, hours=2),
        "status": EventStatus.PUBLISHED,
        "capacity": None,
        "registration_opens_at": NOW - timedelta(days=1),
    }
    values.update(fields)
    event = Event(**values)
    event.parts = [EventPart(position=i, **p) for i, p in enumerate(parts)]
    event.tables = [ThemeTable(position=i, **t) for i, t in enumerate(tables)]
    return _save(event, commit)


def registration_input(n: int | None = None, **fields) -> RegistrationInput:
    """What someone types on the sign-up form: 参加者n, personn@city.example.jp of 鳥取県 unless
    told (`part_ids=` and `table_id=` read as the input's parts and table)."""
    if n is None:
        n = next_number("person")
    values = {"name": f"参加者{n}", "email": f"person{n}@city.example.jp", "organization": "鳥取県"}
    values.update(fields)
    values["parts"] = values.pop("part_ids", values.get("parts", ()))
    values["table"] = values.pop("table_id", values.get("table"))
    return RegistrationInput(**values)


def make_registration(event: Event, *, commit: bool = True, **fields) -> Registration:
    """Sign someone up for `event` through the service, as the form would; fields as for
    registration_input."""
    from app.registrations.signup import register_attendee

    registration = register_attendee(event.id, registration_input(**fields), clock.now())
    if commit:
        db.session.commit()
    return registration


# --- members ---------------------------------------------------------------------------------


def make_member(
    email: str | None = None,
    organization: str = "鳥取県",
    status: str = MemberStatus.ACTIVE,
    consented: bool = True,
    *,
    commit: bool = True,
    **fields,
) -> Member:
    """A member of `organization` (resolved against the official list, as the form does), stored
    directly: active, consenting to the current wording at the clock's now and confirmed then,
    unless told. `consented=False` is a successor invited by their predecessor, who has agreed to
    nothing yet. Other keyword arguments are the model's columns."""
    n = next_number("member")
    resolved = resolve_organization(organization)
    consent_at = fields.pop("consent_at", clock.now())
    values = {
        "email": email or f"member{n}@city.example.jp",
        "name": f"会員{n}",
        "organization_code": resolved.code,
        "organization_name": resolved.name,
        "status": status,
        "consent_at": consent_at,
        "consent_version": CURRENT_VERSION if consented else AWAITING_CONSENT,
        # Only confirming the address makes a member active, so those who were get its moment.
        "confirmed_at": None if status == MemberStatus.PENDING else consent_at,
    }
    values.update(fields)
    return _save(Member(**values), commit)


def join_network(
    email: str, name: str = "会員", organization: str = "鳥取県", confirm: bool = True, **fields
) -> Member:
    """Apply on /join through the service and, unless told, follow the mailed link; committed."""
    member = apply_for_membership(
        MembershipInput(name=name, email=email, organization=organization, **fields), clock.now()
    )
    db.session.flush()
    if confirm:
        confirm_membership(confirm_token(member), clock.now())
    db.session.commit()
    return member


# --- the console ----------------------------------------------------------------------------


def make_organizer(role: str = "organizer", **fields):
    """A console account (role "organizer" unless told) whose password is ORGANIZER_PASSWORD."""
    n = next_number("organizer")
    values = {"email": f"staff{n}@secretariat.example.jp", "name": f"事務局 職員{n}"}
    values.update(fields)
    organizer = create_organizer(values["email"], ORGANIZER_PASSWORD, role, values["name"])
    db.session.commit()
    return organizer


def make_api_token(organizer, name: str = "テスト連携", *, commit: bool = True):
    """A bearer token for `organizer`; returns (row, token), the token as shown once."""
    row, token = create_api_token(organizer, name, clock.now())
    if commit:
        db.session.commit()
    return row, token


def make_announcement(
    audience=None,
    subject: str = "お知らせ",
    body: str = "{name} 様へのお知らせです。",
    send_at: datetime | None = None,
    created_by: str = SECRETARIAT_STAFF,
    *,
    commit: bool = True,
) -> Announcement:
    """An announcement to `audience` (all members unless told) through its input model and the
    service, as the console and the API make one: a draft, or scheduled when `send_at` is given."""
    data = parse(
        AnnouncementInput,
        {
            "subject": subject,
            "body": body,
            "audience": audience or {"kind": "members"},
            "send_at": send_at,
        },
    )
    announcement = create_announcement(data, created_by, actor=SYSTEM)
    if commit:
        db.session.commit()
    else:
        db.session.flush()
    return announcement


# --- a sample network for lists, exports and statistics --------------------------------------


@dataclass
class SampleNetwork:
    """Two events and seven members from local governments of three prefectures and one body
    without a code; add_sample_network says what the numbers are."""

    seminar: Event
    session: Event
    registrations: list[Registration]
    members: list[Member]


def add_sample_network(set_now) -> SampleNetwork:
    """The seminar (two parts, two theme tables) has eight sign-ups over three days (1–3 August,
    JST): five confirmed (4 organisations: 鳥取県 twice, 江戸川区, 札幌市 and a body without a code),
    one waitlisted, one pending and one cancelled on the third day; two confirmed people checked
    in. The sharing session has two confirmed (鳥取県, 東京都府中市). Members: five active (鳥取県
    twice, 鳥取市, 江戸川区, the body without a code), one pending and one unsubscribed, all
    consenting at NOW."""
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
        make_member(organization=organization, consent_at=NOW, **fields)
        for organization, fields in [
            ("鳥取県", {}),
            ("鳥取県", {}),
            ("鳥取市", {}),
            ("東京都江戸川区", {}),
            ("独立行政法人 情報処理推進機構", {}),
            ("北海道札幌市", {"status": MemberStatus.PENDING}),
            ("北海道札幌市", {"status": MemberStatus.UNSUBSCRIBED, "unsubscribed_at": NOW}),
        ]
    ]
    return SampleNetwork(seminar, session, registrations, members)
