"""The schema exists only through migrations, and they match the models exactly."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from app.extensions import db


def test_database_upgraded_from_zero_matches_the_models(app):
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_upgrade_creates_every_table_and_records_the_revision(app):
    tables = set(inspect(db.engine).get_table_names())
    assert set(db.metadata.tables) <= tables
    assert "alembic_version" in tables


def test_stored_titles_with_line_separators_are_repaired_by_the_upgrade(tmp_path):
    """A title written before the input model cleaned titles (0009) reads as one line after."""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import text

    from app import create_app

    url = f"sqlite:///{tmp_path / 'old.db'}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with app.app_context():
        upgrade()
        downgrade(revision="0009")
        db.session.execute(
            text(
                "INSERT INTO events (slug, title, kind, description, starts_at, ends_at, format,"
                " venue, meeting_url, status, all_day, sequence, requires_approval, created_at,"
                " updated_at) VALUES ('old', :title, 'seminar', '', '2026-09-15 05:00:00',"
                " '2026-09-15 07:00:00', 'online', '', '', 'published', 0, 0, 0,"
                " '2026-01-01 00:00:00', '2026-01-01 00:00:00')"
            ),
            {"title": "旧データ\u2028のタイトル\r\n続き\t終わり"},
        )
        db.session.commit()
        upgrade()
        title = db.session.execute(text("SELECT title FROM events")).scalar_one()
        db.engine.dispose()
    assert title == "旧データ のタイトル 続き 終わり"
