"""`flask seed-demo` loads realistic data once."""

from sqlalchemy import func, select

from app.events.models import Event, EventKind
from app.extensions import db
from app.members.models import Member, MemberStatus


def test_seed_demo_loads_the_september_seminar_the_sharing_session_and_members(runner):
    result = runner.invoke(args=["seed-demo"])
    assert result.exit_code == 0, result.output
    seminar = db.session.scalar(select(Event).where(Event.kind == EventKind.SEMINAR))
    assert seminar.title.endswith("9月 セミナー＆情報交換会")
    assert [p.title[:3] for p in seminar.parts] == ["第一部", "第二部"]
    assert [t.title for t in seminar.tables] == ["企業・市民向け事業", "庁内職員向け事業"]
    assert db.session.scalar(select(Event).where(Event.kind == EventKind.SHARING_SESSION))
    members = db.session.scalars(select(Member)).all()
    assert len(members) >= 3
    assert all(m.status == MemberStatus.ACTIVE and m.organization_code for m in members)


def test_seed_demo_if_empty_does_not_load_twice(runner):
    runner.invoke(args=["seed-demo", "--if-empty"])
    result = runner.invoke(args=["seed-demo", "--if-empty"])
    assert "not loaded" in result.output
    assert db.session.scalar(select(func.count()).select_from(Event)) == 2


def test_demo_event_pages_render(runner, client):
    runner.invoke(args=["seed-demo"])
    for event in db.session.scalars(select(Event)):
        page = client.get(f"/events/{event.slug}/register")
        assert page.status_code == 200
        assert event.title in page.get_data(as_text=True)


def test_demo_events_fall_on_working_days_whatever_the_date(app):
    """Seeded on 9 December, the sharing session three weeks out would be 30 December: a day
    government offices are closed. It moves to the next such weekday that is a working day."""
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from app.demo import seed_demo
    from app.notices.schedule import is_working_day

    for seeded in (datetime(2026, 12, 9, 1, tzinfo=UTC), datetime(2027, 4, 8, 1, tzinfo=UTC)):
        seed_demo(seeded)
        for event in db.session.scalars(select(Event)):
            assert is_working_day(event.starts_at.astimezone(ZoneInfo("Asia/Tokyo")).date())
        db.session.rollback()
