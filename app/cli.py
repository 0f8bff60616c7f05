"""Command-line entry points: `flask worker` (see app/scheduling/worker.py), `flask inbound`
(app/inbound/cli.py), `flask seed-demo`,
`flask backup`, `flask create-organizer`, `flask create-api-token` and `flask import-members`
(app/members/imports/cli.py)."""

import os
import sys

import click
from flask import Flask

from app import clock
from app.api.tokens import create_api_token
from app.audit.actor import Actor
from app.demo import seed_demo
from app.errors import DomainError
from app.extensions import db
from app.forms import normalize_email
from app.inbound.cli import inbound_command
from app.members.imports.cli import import_members_command
from app.ops.backup import backup_command
from app.organizers.models import OrganizerRole
from app.organizers.services import create_organizer, find_by_email
from app.scheduling.worker import worker_command


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Only when the database has no events yet.")
def seed_demo_command(if_empty: bool) -> None:
    """Load the demo: the September セミナー＆情報交換会, the next 定期共有会 and a few members."""
    loaded = seed_demo(clock.now(), only_if_empty=if_empty)
    db.session.commit()
    click.echo("demo loaded" if loaded else "database already has events; demo not loaded")


@click.command("create-organizer")
@click.argument("email")
@click.option("--name", default="", help="The organizer's name as shown in the console.")
@click.option("--role", type=click.Choice([r.value for r in OrganizerRole]), default="admin")
def create_organizer_command(email: str, name: str, role: str) -> None:
    """Add a console account; the password comes from a prompt, or ORGANIZER_PASSWORD when not
    interactive. The first account is an admin, who can add the others in the console."""
    password = os.environ.get("ORGANIZER_PASSWORD")
    if not password:
        if not sys.stdin.isatty():
            raise click.ClickException(
                "no terminal to ask for the password: set ORGANIZER_PASSWORD"
            )
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        organizer = create_organizer(
            normalize_email(email), password, role, name, actor=Actor.cli()
        )
    except DomainError as error:
        raise click.ClickException(str(error.message)) from None
    db.session.commit()
    click.echo(f"organizer {organizer.email} created ({organizer.role})")


@click.command("create-api-token")
@click.argument("email")
@click.option("--name", default="", help="What the token is for, as shown in the console.")
def create_api_token_command(email: str, name: str) -> None:
    """Make an API token acting as the organizer with this address, with their role. The token
    is printed once; only its hash is kept, so store it now."""
    organizer = find_by_email(normalize_email(email))
    if organizer is None or not organizer.active:
        raise click.ClickException(f"no active organizer with the address {email}")
    row, token = create_api_token(organizer, name, clock.now(), actor=Actor.cli(organizer))
    db.session.commit()
    click.echo(token)
    click.echo(
        f"token {row.prefix}… for {organizer.email} ({organizer.role}); shown once", err=True
    )


def init_app(app: Flask) -> None:
    app.cli.add_command(create_organizer_command)
    app.cli.add_command(create_api_token_command)
    app.cli.add_command(worker_command)
    app.cli.add_command(inbound_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(seed_demo_command)
    app.cli.add_command(import_members_command)
