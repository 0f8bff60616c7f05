"""Signing up, approval, cancelling, the waitlist and the organizers' actions on one
registration. Services flush; the caller commits once."""

import math
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from app.calendar.entries import calendar_settings, public_entry
from app.calendar.ics import build_calendar
from app.errors import (
    AlreadyCancelled,
    AlreadyRegistered,
    DomainError,
    EventCancelled,
    InvalidChoice,
    RegistrationNotFound,
)
from app.events.models import Event, EventPart, EventStatus, Question, QuestionType
from app.events.services import (
    EventChanges,
    EventInput,
    Seats,
    apply_event_changes,
    ensure_registration_open,
    get_event,
    lock_event,
    mark_event_cancelled,
    update_event,
)
from app.extensions import db
from app.mail import throttle
from app.mail.compose import public_url
from app.members.models import Member
from app.organizations.services import local_governments, resolve_organization
from app.registrations import invites, notifications
from app.registrations.inputs import RegistrantDetails, RegistrationInput
from app.registrations.models import (
    JOIN_PURPOSE,
    MANAGE_PURPOSE,
    Registration,
    RegistrationStatus,
    registration_parts,
)
from app.text import UnusableText, clean_line, clean_text
from app.tokens import find_signed, new_nonce

# The longest answer kept for a custom question, by type (choices are limited by their options).
ANSWER_LIMITS = {QuestionType.SHORT_TEXT: 200, QuestionType.LONG_TEXT: 2000}


class InvalidAnswer(DomainError):
    """An answer to a custom question is missing, too long or not among the options."""

    message = _l("回答を確認してください。")


class WrongStatus(DomainError):
    """The action does not apply to the registration in its present state."""

    message = _l("このお申し込みの状態では、この操作はできません。")


class NoSeatFree(DomainError):
    message = _l(
        "空席がないため参加確定にできません。イベント・参加する部・テーブルのいずれかが満席です。"
    )


def _confirmed(condition) -> int:
    query = (
        select(func.count())
        .select_from(Registration)
        .where(Registration.status == RegistrationStatus.CONFIRMED, condition)
    )
    return db.session.scalar(query)


def event_seats(event: Event) -> Seats:
    return Seats(_confirmed(Registration.event_id == event.id), event.capacity)


def part_seats(part) -> Seats:
    taken = _confirmed(
        Registration.id.in_(
            select(registration_parts.c.registration_id).where(
                registration_parts.c.part_id == part.id
            )
        )
    )
    return Seats(taken, part.capacity)


def table_seats(table) -> Seats:
    return Seats(_confirmed(Registration.table_id == table.id), table.capacity)


def _fits(event: Event, registration: Registration) -> bool:
    """Whether a confirmed seat is free for this registration at the event, its parts and table."""
    if event_seats(event).full:
        return False
    if any(part_seats(part).full for part in registration.parts):
        return False
    return not (registration.table and table_seats(registration.table).full)


def choice_problems(event: Event, part_ids: list[int], table_id: int | None):
    """(parts, table, problems): the chosen parts and table of this event, and every problem
    with the choice (at most one for the parts, one for the table), for a form to show at once."""
    problems = []
    parts_by_id = {part.id: part for part in event.parts}
    if event.parts and not part_ids:
        problems.append(InvalidChoice(_l("参加する部を選んでください。"), field="parts"))
    elif any(part_id not in parts_by_id for part_id in part_ids):
        problems.append(InvalidChoice(field="parts"))
    parts = [parts_by_id[part_id] for part_id in sorted(set(part_ids)) if part_id in parts_by_id]

    tables_by_id = {table.id: table for table in event.tables}
    needs_table = bool(event.tables) and (not event.parts or any(p.uses_tables for p in parts))
    if table_id is not None and table_id not in tables_by_id:
        problems.append(InvalidChoice(field="table"))
    elif needs_table and table_id is None:
        problems.append(
            InvalidChoice(
                _l("情報交換会に参加される方は、テーブルを選んでください。"), field="table"
            )
        )
    table = tables_by_id.get(table_id) if needs_table else None
    return parts, table, problems


def _validate_choices(event: Event, part_ids: list[int], table_id: int | None):
    parts, table, problems = choice_problems(event, part_ids, table_id)
    if problems:
        raise problems[0]
    return parts, table


def _answer_error(question: Question, message) -> InvalidAnswer:
    return InvalidAnswer(message, field=f"question_{question.id}")


def _clean_text(question: Question, value) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _answer_error(
            question, _l("「%(label)s」の回答の形式が正しくありません。", label=question.label)
        )
    try:
        text = clean_text(value) if question.type == QuestionType.LONG_TEXT else clean_line(value)
    except UnusableText:
        raise _answer_error(
            question,
            _l(
                "「%(label)s」に使えない文字（制御文字など）が含まれています。",
                label=question.label,
            ),
        ) from None
    if question.type == QuestionType.SINGLE_CHOICE:
        if text and text not in question.choices:
            raise _answer_error(
                question, _l("「%(label)s」は選択肢の中から選んでください。", label=question.label)
            )
        return text
    limit = ANSWER_LIMITS.get(question.type, ANSWER_LIMITS[QuestionType.SHORT_TEXT])
    if len(text) > limit:
        raise _answer_error(
            question,
            _l(
                "「%(label)s」は%(max)d文字以内で入力してください。",
                label=question.label,
                max=limit,
            ),
        )
    return text


def _clean_choices(question: Question, value) -> list[str]:
    if value is None:
        values = []
    elif isinstance(value, str):
        values = [value]
    elif isinstance(value, list | tuple) and all(isinstance(item, str) for item in value):
        values = list(value)
    else:
        raise _answer_error(
            question, _l("「%(label)s」の回答の形式が正しくありません。", label=question.label)
        )
    chosen = {item.strip() for item in values if item.strip()}
    if chosen - set(question.choices):
        raise _answer_error(
            question, _l("「%(label)s」は選択肢の中から選んでください。", label=question.label)
        )
    return [choice for choice in question.choices if choice in chosen]


def answer_problems(
    questions: list[Question], answers: dict, require: bool = True
) -> tuple[dict, list[InvalidAnswer]]:
    """The answers checked against the event's questions and keyed by str(question id), and
    every problem found (one per question), so that a form can show them all at once.

    Answers to questions the event does not have are dropped. With `require` off (an organizer
    correcting a registration) required questions may stay blank.
    """
    given = {str(key): value for key, value in (answers or {}).items()}
    cleaned: dict = {}
    problems: list[InvalidAnswer] = []
    for question in questions:
        value = given.get(str(question.id))
        try:
            if question.type == QuestionType.MULTIPLE_CHOICE:
                answer = _clean_choices(question, value)
            else:
                answer = _clean_text(question, value)
        except InvalidAnswer as problem:
            problems.append(problem)
            continue
        is_choice = question.type in (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE)
        # A choice question without options cannot be answered, so it cannot be required.
        answerable = bool(question.choices) or not is_choice
        if answer:
            cleaned[str(question.id)] = answer
        elif require and question.required and answerable:
            problems.append(
                _answer_error(
                    question, _l("「%(label)s」に回答してください。", label=question.label)
                )
            )
    return cleaned, problems


def clean_answers(questions: list[Question], answers: dict, require: bool = True) -> dict:
    """The answers checked against the event's questions (see answer_problems); raises the
    first problem."""
    cleaned, problems = answer_problems(questions, answers, require)
    if problems:
        raise problems[0]
    return cleaned


def _take_seat_or_queue(event: Event, registration: Registration, now: datetime) -> None:
    """Confirmed if a seat is free for the registration, else waitlisted from now on."""
    registration.queued_at = now
    registration.status = RegistrationStatus.WAITLISTED
    db.session.flush()
    if _fits(event, registration):
        registration.status = RegistrationStatus.CONFIRMED
        db.session.flush()


def _set_details(registration, data, organization, parts, table, answers) -> None:
    """What the attendee told us, from a sign-up or an organizer's correction of one."""
    registration.name = data.name
    registration.furigana = data.furigana
    registration.organization_code = organization.code
    registration.organization_name = organization.name
    registration.department = data.department
    registration.position = data.position
    registration.parts = parts
    registration.table = table
    registration.answers = answers


def register_attendee(event_id: int, data: RegistrationInput, now: datetime) -> Registration:
    """Sign a person up: confirmed if a seat is free, else waitlisted; for an event in approval
    mode, pending until an organizer decides (no seat is taken yet).

    The mail saying which of these it is is queued in the same transaction.
    """
    event = lock_event(event_id)
    ensure_registration_open(event, now)
    parts, table = _validate_choices(event, data.part_ids, data.table_id)
    answers = clean_answers(event.questions, data.answers)

    registration = db.session.scalar(
        select(Registration).where(
            Registration.event_id == event.id, Registration.email == data.email
        )
    )
    if registration is not None and registration.status != RegistrationStatus.CANCELLED:
        raise AlreadyRegistered()
    # However many doors and processes the sign-ups came through, one address gets so many mails.
    throttle.ensure_may_send(data.email, throttle.REGISTRATION_MAIL, "SIGNUP_MAIL_LIMIT", now)
    if registration is None:
        registration = Registration(event=event, email=data.email)
        db.session.add(registration)

    _set_details(registration, data, resolve_organization(data.organization), parts, table, answers)
    registration.locale = data.locale
    registration.token_nonce = new_nonce()
    registration.cancelled_at = None
    registration.checked_in_at = None
    if event.requires_approval:
        registration.status = RegistrationStatus.PENDING
        registration.queued_at = now
        db.session.flush()
    else:
        _take_seat_or_queue(event, registration, now)
    notifications.notify_registration_received(registration)
    return registration


def find_by_token(token: str) -> Registration:
    """The registration a management link points to; any other token raises RegistrationNotFound."""
    registration = find_signed(Registration, token, MANAGE_PURPOSE, "token_nonce")
    if registration is None:
        raise RegistrationNotFound()
    return registration


def _withdraw(registration: Registration, now: datetime) -> bool:
    """Mark the registration cancelled; returns whether it held a seat."""
    if registration.status == RegistrationStatus.CANCELLED:
        raise AlreadyCancelled()
    had_seat = registration.status == RegistrationStatus.CONFIRMED
    registration.status = RegistrationStatus.CANCELLED
    registration.cancelled_at = now
    db.session.flush()
    return had_seat


def cancel_registration(token: str, now: datetime) -> Registration:
    """Cancel by the attendee's own link; the freed seat goes to the first in line who fits."""
    registration = find_by_token(token)
    event = lock_event(registration.event_id)
    db.session.refresh(registration)
    had_seat = _withdraw(registration, now)
    notifications.notify_registration_cancelled(registration, had_seat=had_seat)
    if had_seat:
        promote_waitlisted(event)
    return registration


def promote_waitlisted(event: Event) -> list[Registration]:
    """Confirm waitlisted people, in the order they joined, for as long as seats allow."""
    waiting = db.session.scalars(
        select(Registration)
        .where(
            Registration.event_id == event.id, Registration.status == RegistrationStatus.WAITLISTED
        )
        .order_by(Registration.queued_at, Registration.id)
    ).all()
    promoted = []
    for registration in waiting:
        if event_seats(event).full:
            break
        if _fits(event, registration):
            registration.status = RegistrationStatus.CONFIRMED
            db.session.flush()
            notifications.notify_promoted(registration)
            promoted.append(registration)
    return promoted


def resend_confirmation(event_id: int, email: str, throttle_at: datetime | None = None) -> bool:
    """Mail the registration's details and management link again.

    With `throttle_at` (a visitor asked, not an organizer), nothing is sent when the address had
    its share of sign-up mail (REQUESTED_MAIL_LIMIT) in the window before that moment. Returns
    False when nothing was sent; the public caller shows the same message either way.
    """
    registration = db.session.scalar(
        select(Registration).where(Registration.event_id == event_id, Registration.email == email)
    )
    if registration is None or registration.status == RegistrationStatus.CANCELLED:
        return False
    if registration.event.status == EventStatus.CANCELLED:
        return False  # its last mail was the cancellation; a "confirmed" copy would mislead
    if throttle_at is not None and not throttle.may_send(
        email, throttle.REGISTRATION_MAIL, "REQUESTED_MAIL_LIMIT", throttle_at
    ):
        return False
    notifications.notify_registration_received(registration, resent=True)
    return True


def get_registration(registration_id: int) -> Registration:
    registration = db.session.get(Registration, registration_id)
    if registration is None:
        raise RegistrationNotFound()
    return registration


def _lock_registration(registration_id: int) -> tuple[Registration, Event]:
    """The registration, re-read under its event's lock so seat counts stay exact."""
    registration = get_registration(registration_id)
    event = lock_event(registration.event_id)
    db.session.refresh(registration)
    if registration.anonymised_at is not None:
        raise WrongStatus(_l("個人情報を削除済みのお申し込みは操作できません。"))
    return registration, event


def _require_status(registration: Registration, status: str, message) -> None:
    if registration.status != status:
        raise WrongStatus(message)


def _ensure_event_not_cancelled(event: Event) -> None:
    if event.status == EventStatus.CANCELLED:
        raise EventCancelled(_l("このイベントは中止されているため、この操作はできません。"))


def approve_registration(registration_id: int, now: datetime) -> Registration:
    """An organizer accepts a pending sign-up: confirmed if a seat is free, else waitlisted, and
    mailed as a normal sign-up would be (with the calendar invite when confirmed)."""
    registration, event = _lock_registration(registration_id)
    _require_status(
        registration, RegistrationStatus.PENDING, _l("承認待ちのお申し込みではありません。")
    )
    _ensure_event_not_cancelled(event)
    _take_seat_or_queue(event, registration, now)
    notifications.notify_approved(registration)
    return registration


def decline_registration(registration_id: int, now: datetime, reason: str = "") -> Registration:
    """An organizer turns a pending sign-up down; the mail gives the reason when there is one."""
    registration, _event = _lock_registration(registration_id)
    _require_status(
        registration, RegistrationStatus.PENDING, _l("承認待ちのお申し込みではありません。")
    )
    _withdraw(registration, now)
    notifications.notify_declined(registration, reason.strip())
    return registration


def admin_cancel_registration(registration_id: int, now: datetime) -> list[Registration]:
    """An organizer cancels someone's registration; the person is mailed and a freed seat goes
    to the waitlist as when they cancel themselves. Returns the people promoted."""
    registration, event = _lock_registration(registration_id)
    had_seat = _withdraw(registration, now)
    notifications.notify_cancelled_by_organizer(registration, had_seat=had_seat)
    return promote_waitlisted(event) if had_seat else []


def promote_registration(registration_id: int) -> Registration:
    """An organizer moves one person off the waitlist ahead of the queue. Only into a free seat:
    capacity stays a promise to those already confirmed."""
    registration, event = _lock_registration(registration_id)
    _require_status(
        registration,
        RegistrationStatus.WAITLISTED,
        _l("キャンセル待ちのお申し込みではありません。"),
    )
    _ensure_event_not_cancelled(event)
    if not _fits(event, registration):
        raise NoSeatFree()
    registration.status = RegistrationStatus.CONFIRMED
    db.session.flush()
    notifications.notify_promoted(registration)
    return registration


def _overbooked(registration: Registration, old_parts: set[int], old_table: int | None):
    """The form field whose newly chosen part or table this confirmed registration overfills."""
    for part in registration.parts:
        seats = part_seats(part)
        if part.id not in old_parts and seats.limit is not None and seats.taken > seats.limit:
            return "parts"
    table = registration.table
    if table is not None and table.id != old_table:
        seats = table_seats(table)
        if seats.limit is not None and seats.taken > seats.limit:
            return "table"
    return None


def update_registration(registration_id: int, changes: RegistrantDetails) -> list[str]:
    """Apply an organizer's correction and mail the person what it now says (with an updated
    invite when a confirmed seat moved). Returns the changed fields; nothing changed, no mail."""
    registration, event = _lock_registration(registration_id)
    if registration.status == RegistrationStatus.CANCELLED:
        raise WrongStatus(_l("キャンセル済みのお申し込みは変更できません。"))
    parts, table = _validate_choices(event, changes.part_ids, changes.table_id)
    answers = clean_answers(event.questions, changes.answers, require=False)
    organization = resolve_organization(changes.organization)
    values = {
        "name": changes.name,
        "furigana": changes.furigana,
        "organization": (organization.code, organization.name),
        "department": changes.department,
        "position": changes.position,
        "parts": {part.id for part in parts},
        "table": table.id if table else None,
        "answers": answers,
    }
    old_parts = {part.id for part in registration.parts}
    old_table = registration.table_id
    current = {
        "name": registration.name,
        "furigana": registration.furigana,
        "organization": (registration.organization_code, registration.organization_name),
        "department": registration.department,
        "position": registration.position,
        "parts": old_parts,
        "table": old_table,
        "answers": registration.answers or {},
    }
    changed = [key for key, value in values.items() if current[key] != value]
    if not changed:
        return []

    _set_details(registration, changes, organization, parts, table, answers)
    db.session.flush()
    seat_moved = registration.status == RegistrationStatus.CONFIRMED and bool(
        {"parts", "table"} & set(changed)
    )
    if seat_moved:
        full_field = _overbooked(registration, old_parts, old_table)
        if full_field:
            raise NoSeatFree(_l("選んだ部またはテーブルは満席です。"), field=full_field)
    notifications.notify_registration_updated(registration, with_invite=seat_moved)
    if seat_moved:
        promote_waitlisted(event)  # the seat left behind goes to the first in line
    return changed


def check_in(registration_id: int, now: datetime) -> bool:
    """Record the person as present (受付); False when they already were. No mail."""
    registration = get_registration(registration_id)
    if registration.status == RegistrationStatus.CANCELLED:
        raise WrongStatus(_l("キャンセル済みのお申し込みは受付できません。"))
    if registration.checked_in_at is not None:
        return False
    registration.checked_in_at = now
    db.session.flush()
    return True


def undo_check_in(registration_id: int) -> bool:
    """Clear a check-in made by mistake; False when there was none."""
    registration = get_registration(registration_id)
    if registration.checked_in_at is None:
        return False
    registration.checked_in_at = None
    db.session.flush()
    return True


REGISTRANTS_PER_PAGE = 50


@dataclass(frozen=True)
class RegistrantQuery:
    """The console's search and filters over one event's registrations; empty means any."""

    q: str = ""
    status: str = ""
    part_id: int | None = None
    table_id: int | None = None
    prefecture: str = ""  # the first two digits of the 団体コード
    organization: str = ""
    page: int = 1


@dataclass(frozen=True)
class RegistrantPage:
    items: list[Registration]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(math.ceil(self.total / self.per_page), 1)


def _like(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _search_condition(q: str):
    """Name, furigana, e-mail or organisation containing the text, as typed or NFKC-normalised
    (full-width letters typed into the search box still find an address)."""
    terms = {q.strip(), unicodedata.normalize("NFKC", q).strip()} - {""}
    columns = (
        Registration.name,
        Registration.furigana,
        Registration.email,
        Registration.organization_name,
    )
    return or_(*(column.ilike(_like(term), escape="\\") for term in terms for column in columns))


def _registrant_conditions(event_id: int, query: RegistrantQuery) -> list:
    conditions = [Registration.event_id == event_id]
    if query.q.strip():
        conditions.append(_search_condition(query.q))
    if query.status in set(RegistrationStatus):
        conditions.append(Registration.status == query.status)
    if query.part_id is not None:
        conditions.append(Registration.parts.any(EventPart.id == query.part_id))
    if query.table_id is not None:
        conditions.append(Registration.table_id == query.table_id)
    if len(query.prefecture) == 2 and query.prefecture.isdigit():
        conditions.append(Registration.organization_code.startswith(query.prefecture))
    if query.organization:
        conditions.append(Registration.organization_name == query.organization)
    return conditions


def search_registrants(
    event_id: int, query: RegistrantQuery, per_page: int = REGISTRANTS_PER_PAGE
) -> RegistrantPage:
    """One page of an event's registrations matching the search, in sign-up order."""
    conditions = _registrant_conditions(event_id, query)
    total = db.session.scalar(select(func.count()).select_from(Registration).where(*conditions))
    page = min(max(query.page, 1), max(math.ceil(total / per_page), 1))
    items = db.session.scalars(
        select(Registration)
        .where(*conditions)
        .options(selectinload(Registration.parts), joinedload(Registration.table))
        .order_by(Registration.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return RegistrantPage(list(items), total, page, per_page)


def prefecture_names() -> dict[str, str]:
    """Prefecture by the first two digits of a 団体コード ("31" -> 鳥取県)."""
    return {lg.code[:2]: lg.prefecture for lg in local_governments() if not lg.municipality}


@dataclass(frozen=True)
class RegistrantFilters:
    """What the console's filters offer for one event: only values its registrations have."""

    prefectures: list[tuple[str, str]]
    organizations: list[str]


def registrant_filters(event_id: int) -> RegistrantFilters:
    rows = db.session.execute(
        select(Registration.organization_code, Registration.organization_name)
        .where(Registration.event_id == event_id)
        .distinct()
    ).all()
    names = prefecture_names()
    prefixes = {code[:2] for code, _ in rows if code and code[:2] in names}
    return RegistrantFilters(
        prefectures=[(prefix, names[prefix]) for prefix in sorted(prefixes)],
        organizations=sorted({name for _, name in rows if name}),
    )


def checkin_list(event_id: int, q: str = "") -> list[Registration]:
    """Everyone who may arrive on the day (all but the cancelled), by reading then name."""
    conditions = [
        Registration.event_id == event_id,
        Registration.status != RegistrationStatus.CANCELLED,
    ]
    if q.strip():
        conditions.append(_search_condition(q))
    return list(
        db.session.scalars(
            select(Registration)
            .where(*conditions)
            .options(joinedload(Registration.table))
            # Those without furigana after the kana order, not before it.
            .order_by(
                case((Registration.furigana == "", 1), else_=0),
                Registration.furigana,
                Registration.name,
                Registration.id,
            )
        )
    )


@dataclass(frozen=True)
class AttendanceCount:
    expected: int  # confirmed seats
    checked_in: int


def attendance_count(event_id: int) -> AttendanceCount:
    confirmed, checked_in = db.session.execute(
        select(
            func.count().filter(Registration.status == RegistrationStatus.CONFIRMED),
            func.count(Registration.checked_in_at),
        ).where(
            Registration.event_id == event_id,
            Registration.status != RegistrationStatus.CANCELLED,
        )
    ).one()
    return AttendanceCount(confirmed, checked_in)


@dataclass(frozen=True)
class SeatSummary:
    """Seats of an event, its parts and its tables, for showing who would be waitlisted."""

    event: Seats
    parts: dict[int, Seats]
    tables: dict[int, Seats]


@dataclass(frozen=True)
class SignUps:
    """How many people hold, wait for or await approval of a seat at one event."""

    confirmed: int = 0
    waitlisted: int = 0
    pending: int = 0

    @property
    def active(self) -> int:
        return self.confirmed + self.waitlisted + self.pending


def sign_ups(event_id: int) -> SignUps:
    rows = db.session.execute(
        select(Registration.status, func.count())
        .where(Registration.event_id == event_id)
        .group_by(Registration.status)
    )
    counts = dict(rows.all())
    return SignUps(
        confirmed=counts.get(RegistrationStatus.CONFIRMED, 0),
        waitlisted=counts.get(RegistrationStatus.WAITLISTED, 0),
        pending=counts.get(RegistrationStatus.PENDING, 0),
    )


def seat_summary(event: Event) -> SeatSummary:
    return SeatSummary(
        event=event_seats(event),
        parts={part.id: part_seats(part) for part in event.parts},
        tables={table.id: table_seats(table) for table in event.tables},
    )


def _registrations(event_id: int, *statuses: str) -> list[Registration]:
    query = (
        select(Registration)
        .where(Registration.event_id == event_id, Registration.status.in_(statuses))
        .order_by(Registration.id)
    )
    return list(db.session.scalars(query))


def change_event(event_id: int, changes: EventChanges, notify: bool = True) -> int:
    """Apply an organizer's edit. When the time or place moved and `notify` is set, every
    confirmed attendee is mailed an updated invite; returns how many were mailed."""
    event = lock_event(event_id)
    if not apply_event_changes(event, changes) or not notify:
        return 0
    attendees = _registrations(event.id, RegistrationStatus.CONFIRMED)
    for registration in attendees:
        notifications.notify_event_changed(registration)
    return len(attendees)


def edit_event(event_id: int, data: EventInput, notify: bool = True) -> tuple[int, list]:
    """An organizer's edit, from the console or the API: the details, then updated invites to
    confirmed attendees when the time or place moved (unless `notify` is off), then the waitlist
    into any new seats. Returns (how many were mailed, who was promoted)."""
    counts = sign_ups(event_id)
    mailed = change_event(event_id, update_event(event_id, data, counts.active), notify=notify)
    promoted = promote_waitlisted(get_event(event_id)) if counts.waitlisted else []
    return mailed, promoted


def cancel_event(event_id: int) -> int:
    """Call the event off: confirmed attendees get a CANCEL for their calendar entry, the
    waitlisted and those awaiting approval a notice. Returns how many were mailed."""
    event = lock_event(event_id)
    if not mark_event_cancelled(event):
        return 0
    people = _registrations(
        event.id,
        RegistrationStatus.CONFIRMED,
        RegistrationStatus.WAITLISTED,
        RegistrationStatus.PENDING,
    )
    for registration in people:
        notifications.notify_event_cancelled(registration)
    return len(people)


def find_by_join_token(token: str) -> Registration:
    registration = find_signed(Registration, token, JOIN_PURPOSE, "join_nonce")
    if registration is None:
        raise RegistrationNotFound()
    return registration


def revoke_join_link(registration: Registration) -> None:
    """Stop a personal join link that was forwarded; the attendee's next mail carries the new one."""
    registration.join_nonce = new_nonce()
    db.session.flush()


class JoinState(StrEnum):
    NOT_YET = "not_yet"
    OPEN = "open"
    ENDED = "ended"
    NO_URL = "no_url"
    NOT_CONFIRMED = "not_confirmed"
    EVENT_CANCELLED = "event_cancelled"


# States in which the link is refused outright (403) rather than "not now".
REFUSED_JOIN_STATES = frozenset({JoinState.NOT_CONFIRMED, JoinState.EVENT_CANCELLED})

# The join link keeps working a little after the end, for someone reconnecting.
JOIN_GRACE_AFTER_END = timedelta(hours=1)


def join_state(registration: Registration, now: datetime) -> JoinState:
    """Whether the personal join link may redirect now, and if not, why."""
    event = registration.event
    if event.status == EventStatus.CANCELLED:
        return JoinState.EVENT_CANCELLED
    if registration.status != RegistrationStatus.CONFIRMED:
        return JoinState.NOT_CONFIRMED
    if now < invites.join_opens_at(registration):
        return JoinState.NOT_YET
    if now > event.ends_at + JOIN_GRACE_AFTER_END:
        return JoinState.ENDED
    if not event.meeting_url:
        return JoinState.NO_URL
    return JoinState.OPEN


def record_join(registration: Registration, now: datetime) -> None:
    """Count the click, so organizers can see who joined and trace a forwarded link."""
    registration.join_count += 1
    registration.last_joined_at = now
    db.session.flush()


def _member_registrations(member: Member) -> list[Registration]:
    query = select(Registration).where(
        Registration.email == member.email, Registration.status == RegistrationStatus.CONFIRMED
    )
    return list(db.session.scalars(query))


def personal_feed_version(member: Member) -> tuple[str, datetime | None]:
    """A cheap fingerprint of the member's feed (events and their registrations), and its age."""
    events = db.session.execute(
        select(func.count(), func.max(Event.updated_at), func.sum(Event.sequence)).where(
            Event.status.in_([EventStatus.PUBLISHED, EventStatus.CANCELLED])
        )
    ).one()
    registrations = db.session.execute(
        select(func.count(), func.max(Registration.updated_at)).where(
            Registration.email == member.email
        )
    ).one()
    moments = [m for m in (events[1], registrations[1]) if m is not None]
    version = f"member:{member.id}:{member.feed_nonce}:{tuple(events)}:{tuple(registrations)}"
    return version, max(moments) if moments else None


def personal_feed(member: Member) -> bytes:
    """Published events, where the member holds a seat replaced by their own entry and join link."""
    settings = calendar_settings()
    mine = {r.event_id: r for r in _member_registrations(member)}
    entries = []
    events = db.session.scalars(
        select(Event)
        .where(Event.status.in_([EventStatus.PUBLISHED, EventStatus.CANCELLED]))
        .options(selectinload(Event.parts))
        .order_by(Event.starts_at)
    )
    for event in events:
        if event.id in mine:
            registration = mine[event.id]
            sequence = registration.calendar_sequence or 0
            cancelled = event.status == EventStatus.CANCELLED
            entries += invites.attendee_entries(registration, sequence, cancelled=cancelled)
        else:
            entries.append(
                public_entry(event, public_url("events.detail", slug=event.slug), settings)
            )
    return build_calendar(entries, settings, "PUBLISH")
