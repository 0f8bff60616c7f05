"""The rules behind the console's event screens, tested on the services: creating, editing rows
in place, what may not change once people signed up, publishing, and the proposed next date and
title of a copy."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from app.audit.actor import SYSTEM
from app.errors import InvalidSchedule
from app.events.console import console_events, create_event, publish_event, unpublish_event
from app.events.copies import duplicate_event, half_year_title
from app.events.errors import EventInUse, EventStatusError, InvalidEvent, SlugTaken
from app.events.inputs import EventInput, PartInput, QuestionInput
from app.events.models import Event, EventKind, EventStatus, Question, QuestionType
from app.extensions import db
from app.inputs import InvalidInput, parse
from app.registrations.event_changes import change_event, review_event_change
from tests.conftest import NOW
from tests.event_edits import as_input


def jst(text: str) -> datetime:
    return datetime.fromisoformat(text + "+09:00").astimezone(UTC)


def seminar_input(**fields) -> EventInput:
    values = {
        "title": "自治体DXセミナー",
        "kind": EventKind.SEMINAR,
        "starts_at": jst("2026-09-15T14:00"),
        "ends_at": jst("2026-09-15T16:30"),
        "reminder_rules": ("7d@10:00", "1d@10:00", "60m"),
    }
    values.update(fields)
    return EventInput(**values)


# --- create ----------------------------------------------------------------------------------


def test_a_new_event_is_a_draft_with_a_slug_from_its_japan_date_and_kind(app):
    first = create_event(seminar_input(starts_at=jst("2026-09-15T08:00")), actor=SYSTEM)
    second = create_event(seminar_input(starts_at=jst("2026-09-15T08:00")), actor=SYSTEM)
    sharing = create_event(seminar_input(kind=EventKind.SHARING_SESSION), actor=SYSTEM)

    assert first.status == EventStatus.DRAFT
    # 08:00 JST is still the 14th in UTC: the slug follows the date people read.
    assert (first.slug, second.slug) == ("seminar-20260915", "seminar-20260915-2")
    assert sharing.slug == "sharing-20260915"


@pytest.mark.parametrize(
    ("fields", "loc", "message"),
    [
        ({"ends_at": jst("2026-09-15T14:00")}, ("ends_at",), InvalidSchedule.message),
        ({"capacity": -1}, ("capacity",), "0〜100000の整数で入力してください。"),
        ({"kind": "party"}, ("kind",), None),
        ({"reminder_rules": ("tomorrow",)}, ("reminder_rules", 0), None),
        ({"slug": "Bad Slug"}, ("slug",), None),
        (
            {"registration_opens_at": NOW, "registration_closes_at": NOW},
            ("registration_closes_at",),
            "受付終了日時は受付開始日時より後にしてください。",
        ),
        (
            {"parts": ({"title": "第一部"}, {"title": " "})},
            ("parts", 1, "title"),
            "部の名前を入力してください。",
        ),
        (
            {
                "parts": (
                    {
                        "title": "早すぎる",
                        "starts_at": jst("2026-09-15T13:00"),
                        "ends_at": jst("2026-09-15T14:30"),
                    },
                )
            },
            ("parts", 0, "starts_at"),
            "部の時間はイベントの開始から終了までの間にしてください。",
        ),
        (
            {"tables": ({"title": "庁内職員向け事業", "capacity": -2},)},
            ("tables", 0, "capacity"),
            None,
        ),
        (
            {"questions": ({"label": "参加形態", "type": "multiple_choice"},)},
            ("questions", 0, "choices"),
            "選択式の質問には選択肢を1行に1つずつ入力してください。",
        ),
    ],
)
def test_an_event_that_breaks_a_rule_is_refused_by_its_input_model_naming_the_field(
    app, fields, loc, message
):
    values = {
        "title": "自治体DXセミナー",
        "starts_at": jst("2026-09-15T14:00"),
        "ends_at": jst("2026-09-15T16:30"),
        **fields,
    }

    with pytest.raises(InvalidInput) as raised:
        parse(EventInput, values)

    assert [error.loc for error in raised.value.errors] == [loc]
    if message is not None:
        assert raised.value.errors[0].message == str(message)


@pytest.mark.parametrize(
    ("fields", "error", "field"),
    [
        ({"slug": "taken"}, SlugTaken, "slug"),
        ({"parts": (PartInput(title="第一部", id=12345),)}, InvalidEvent, "parts-0-title"),
    ],
)
def test_an_event_that_breaks_a_rule_of_the_database_is_refused_naming_the_field(
    app, make_event, fields, error, field
):
    make_event(slug="taken")

    with pytest.raises(error) as raised:
        create_event(seminar_input(**fields), actor=SYSTEM)

    assert raised.value.field == field
    db.session.rollback()
    assert db.session.scalars(select(Event.slug)).all() == ["taken"]


def test_reminders_equal_to_the_defaults_of_the_format_keep_following_the_defaults(app):
    online = create_event(seminar_input(), actor=SYSTEM)
    in_person = create_event(seminar_input(format="in_person"), actor=SYSTEM)
    none = create_event(seminar_input(reminder_rules=()), actor=SYSTEM)
    repeated = create_event(seminar_input(reminder_rules=("60m", "60m", "2d@09:00")), actor=SYSTEM)

    assert online.reminder_rules is None
    assert in_person.reminder_rules == ["7d@10:00", "1d@10:00", "60m"]  # 60m is not its default
    assert none.reminder_rules == []
    assert repeated.reminder_rules == ["60m", "2d@09:00"]


def test_switching_to_in_person_with_the_shown_defaults_untouched_keeps_the_defaults(
    app, make_event
):
    event = make_event()  # online, following the defaults (7d@10:00, 1d@10:00, 60m)
    shown = ("7d@10:00", "1d@10:00", "60m")

    change_event(event.id, as_input(event, format="in_person", reminder_rules=shown), actor=SYSTEM)
    assert event.reminder_rules is None

    online = make_event()  # the edit applies the format at once: another event stays online
    change_event(online.id, as_input(online, reminder_rules=("7d@10:00", "1d@10:00")), actor=SYSTEM)
    assert online.reminder_rules == ["7d@10:00", "1d@10:00"]  # the online event drops 60m


def test_text_questions_keep_no_choices(app):
    event = create_event(
        seminar_input(
            questions=(QuestionInput(label="ご意見", type=QuestionType.SHORT_TEXT, choices=("x",)),)
        ),
        actor=SYSTEM,
    )

    assert event.questions[0].choices == []


# --- edit ------------------------------------------------------------------------------------


def test_rows_are_edited_in_place_so_registrations_keep_pointing_at_them(app, make_event):
    event = make_event(parts=[{"title": "第一部"}, {"title": "第二部"}])
    first, second = event.parts

    change_event(
        event.id,
        as_input(
            event,
            parts=(
                PartInput(title="第二部 情報交換会", id=second.id),
                PartInput(title="第一部 基調講演", id=first.id),
                PartInput(title="第三部 懇親会"),
            ),
        ),
        actor=SYSTEM,
    )
    db.session.commit()

    db.session.expire_all()
    titles = [(part.id, part.title, part.position) for part in event.parts]
    assert titles[:2] == [(second.id, "第二部 情報交換会", 0), (first.id, "第一部 基調講演", 1)]
    assert titles[2][1:] == ("第三部 懇親会", 2)


def test_the_review_says_what_moves_calendars_and_the_change_applies_it_all(app, make_event):
    event = make_event()
    moved = event.starts_at + timedelta(hours=1)
    data = as_input(event, starts_at=moved, description="資料を追加", capacity=50)

    changes = review_event_change(event, data, signed_up=0)
    assert event.starts_at != moved  # the review applies nothing
    result = change_event(event.id, data, actor=SYSTEM)

    assert [(c.name, c.moves_calendar) for c in changes] == [
        ("starts_at", True),
        ("description", False),
        ("capacity", False),
    ]
    assert result.changes == changes and result.moves_calendar
    assert (event.starts_at, event.description, event.capacity) == (moved, "資料を追加", 50)
    assert event.sequence == 1


def test_with_sign_ups_parts_and_tables_stay_and_answer_types_stay(app, make_event):
    event = make_event(parts=[{"title": "第一部"}], tables=[{"title": "庁内職員向け事業"}])
    db.session.add(Question(event=event, label="ご意見", type=QuestionType.SHORT_TEXT))
    db.session.commit()
    question = event.questions[0]

    with pytest.raises(EventInUse) as removed_part:
        review_event_change(event, as_input(event, parts=()), signed_up=1)
    with pytest.raises(EventInUse) as removed_table:
        review_event_change(event, as_input(event, tables=()), signed_up=1)
    retyped = as_input(
        event,
        questions=(
            QuestionInput(
                label="ご意見",
                type=QuestionType.SINGLE_CHOICE,
                choices=("a", "b"),
                id=question.id,
            ),
        ),
    )
    with pytest.raises(EventInUse) as changed_type:
        review_event_change(event, retyped, signed_up=1)

    assert (removed_part.value.field, removed_table.value.field) == ("parts", "tables")
    assert changed_type.value.field == "questions-0-type"
    change_event(event.id, retyped, actor=SYSTEM)  # nobody has answered yet: fine
    review_event_change(event, as_input(event, questions=()), signed_up=1)  # a question may go


def test_the_slug_may_change_only_while_the_event_is_a_draft(app, make_event):
    draft = make_event(status=EventStatus.DRAFT)
    published = make_event()

    change_event(draft.id, as_input(draft, slug="autumn-seminar"), actor=SYSTEM)
    with pytest.raises(EventStatusError) as raised:
        change_event(published.id, as_input(published, slug="renamed"), actor=SYSTEM)

    assert draft.slug == "autumn-seminar"
    assert raised.value.field == "slug"


def test_a_cancelled_event_cannot_be_edited(app, make_event):
    event = make_event(status=EventStatus.CANCELLED)

    with pytest.raises(EventStatusError):
        change_event(event.id, as_input(event, title="変更"), actor=SYSTEM)


# --- publish ---------------------------------------------------------------------------------


def test_publishing_and_unpublishing_follow_the_status(app, make_event):
    draft = make_event(status=EventStatus.DRAFT)
    cancelled = make_event(status=EventStatus.CANCELLED)

    publish_event(draft.id, NOW, actor=SYSTEM)
    with pytest.raises(EventStatusError):
        publish_event(draft.id, NOW, actor=SYSTEM)
    with pytest.raises(EventStatusError):
        publish_event(cancelled.id, NOW, actor=SYSTEM)
    with pytest.raises(EventInUse):
        unpublish_event(draft.id, signed_up=1, actor=SYSTEM)
    unpublish_event(draft.id, signed_up=0, actor=SYSTEM)
    with pytest.raises(EventStatusError):
        unpublish_event(draft.id, signed_up=0, actor=SYSTEM)

    assert draft.status == EventStatus.DRAFT


def test_the_console_lists_every_event_upcoming_first_then_past(app, make_event):
    past = make_event(starts_at=NOW - timedelta(days=3), ends_at=NOW - timedelta(days=3, hours=-1))
    later = make_event(starts_at=NOW + timedelta(days=9), status=EventStatus.DRAFT)
    sooner = make_event(starts_at=NOW + timedelta(days=2), ends_at=NOW + timedelta(days=2, hours=1))

    upcoming, ended = console_events(NOW)

    assert [e.id for e in upcoming] == [sooner.id, later.id]
    assert [e.id for e in ended] == [past.id]


# --- duplicate -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("title", "starts", "expected"),
    [
        ("2026年度上期 定期共有会", "2026-10-07T15:00", "2026年度下期 定期共有会"),
        ("2026年度下期 定期共有会", "2027-04-07T15:00", "2027年度上期 定期共有会"),
        ("2026年度下期 定期共有会", "2027-03-31T15:00", "2026年度下期 定期共有会"),
        ("令和8年度上半期の定期共有会", "2026-10-07T15:00", "令和8年度下半期の定期共有会"),
        ("平成の名残 令和元年度下期", "2020-04-01T10:00", "平成の名残 令和2年度上期"),
        ("令和2年度上期", "2019-10-01T10:00", "令和元年度下期"),
        (
            "定期共有会（半期ごとの取り組み共有）",
            "2026-10-07T15:00",
            "定期共有会（半期ごとの取り組み共有）",
        ),
    ],
)
def test_a_half_year_in_the_title_becomes_the_half_year_of_the_new_date(
    app, title, starts, expected
):
    assert half_year_title(title, jst(starts)) == expected


def test_a_copy_of_an_old_sharing_session_lands_on_the_first_half_year_after_now(app, make_event):
    # NOW is 2026-08-01; the last session was 2025-07-09 (2025年度上期).
    source = make_event(
        title="2025年度上期 定期共有会",
        kind=EventKind.SHARING_SESSION,
        starts_at=jst("2025-07-09T15:00"),
        ends_at=jst("2025-07-09T16:30"),
        registration_opens_at=jst("2025-06-01T10:00"),
        registration_closes_at=jst("2025-07-08T17:00"),
        requires_approval=True,
    )

    copy = duplicate_event(source.id, NOW, actor=SYSTEM)

    assert copy.starts_at == jst("2027-01-09T15:00")
    assert copy.ends_at == jst("2027-01-09T16:30")
    assert copy.title == "2026年度下期 定期共有会"
    # The window moves with the event (by the same stretch of time).
    assert copy.registration_closes_at == copy.starts_at - (
        source.starts_at - source.registration_closes_at
    )
    assert copy.requires_approval is True
    assert copy.status == EventStatus.DRAFT and copy.sequence == 0


def test_a_copy_of_the_31st_moves_to_the_last_day_of_a_shorter_month(app, make_event):
    source = make_event(
        kind=EventKind.SHARING_SESSION,
        starts_at=jst("2026-08-31T15:00"),
        ends_at=jst("2026-08-31T16:00"),
    )

    assert duplicate_event(source.id, NOW, actor=SYSTEM).starts_at == jst("2027-02-28T15:00")


def test_a_copy_of_another_kind_moves_by_whole_weeks_past_now(app, make_event):
    source = make_event(
        starts_at=NOW - timedelta(days=10), ends_at=NOW - timedelta(days=10, hours=-2)
    )

    copy = duplicate_event(source.id, NOW, actor=SYSTEM)

    assert copy.starts_at == source.starts_at + timedelta(weeks=2)
    assert copy.starts_at.weekday() == source.starts_at.weekday()
    assert copy.slug.startswith("seminar-")
