"""The console, the API and the CLI leave the same trail: the service that makes the change
writes the audit entry, naming the organizer and, beside the console, the door it came through."""

from sqlalchemy import select

from app.audit.models import AuditEntry
from app.extensions import db
from app.organizers.services import find_by_email
from tests.conftest import sign_in


def entries(action: str) -> list[AuditEntry]:
    db.session.expire_all()
    query = select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)
    return list(db.session.scalars(query))


def test_an_organizer_made_in_the_console_or_by_the_cli_is_audited_alike(
    app, client, runner, make_organizer, monkeypatch
):
    admin = make_organizer(role="admin")
    sign_in(client, admin)
    with app.app_context():
        response = client.submit(
            "/admin/organizers",
            {
                "email": "console@secretariat.example.jp",
                "name": "画面 太郎",
                "password": "correct horse battery",
                "confirm": "correct horse battery",
                "role": "organizer",
            },
        )
    assert response.status_code == 302, response.get_data(as_text=True)
    monkeypatch.setenv("ORGANIZER_PASSWORD", "correct horse battery")
    result = runner.invoke(
        args=["create-organizer", "cli@secretariat.example.jp", "--role", "organizer"]
    )
    assert result.exit_code == 0, result.output

    console, cli = entries("organizer.create")[-2:]
    made_by_console = find_by_email("console@secretariat.example.jp")
    made_by_cli = find_by_email("cli@secretariat.example.jp")
    assert (console.target, console.organizer_id) == (f"organizer:{made_by_console.id}", admin.id)
    assert console.detail == {"role": "organizer"}
    assert (cli.target, cli.organizer_id) == (f"organizer:{made_by_cli.id}", None)
    assert cli.detail == {"role": "organizer", "via": "cli"}


def test_a_token_made_in_the_console_or_by_the_cli_is_audited_alike(
    app, client, runner, make_organizer
):
    admin = make_organizer(role="admin")
    sign_in(client, admin)
    with app.app_context():
        response = client.submit("/admin/api-tokens", {"name": "画面から"})
    assert response.status_code == 200
    result = runner.invoke(args=["create-api-token", admin.email, "--name", "CLIから"])
    assert result.exit_code == 0, result.output

    console, cli = entries("api_token.create")[-2:]
    assert (console.organizer_id, console.detail) == (admin.id, {"name": "画面から"})
    assert (cli.organizer_id, cli.detail) == (admin.id, {"name": "CLIから", "via": "cli"})
