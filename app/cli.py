"""Command-line entry points: `flask worker` (see app/scheduling/worker.py) and `flask seed-demo`."""

import click
from flask import Flask

from app import clock
from app.demo import seed_demo
from app.extensions import db
from app.ops.backup import backup_command
from app.scheduling.worker import worker_command


@click.command("seed-demo")
@click.option("--if-empty", is_flag=True, help="Only when the database has no events yet.")
def seed_demo_command(if_empty: bool) -> None:
    """Load the demo: the September セミナー＆情報交換会, the next 定期共有会 and a few members."""
    loaded = seed_demo(clock.now(), only_if_empty=if_empty)
    db.session.commit()
    click.echo("demo loaded" if loaded else "database already has events; demo not loaded")


def init_app(app: Flask) -> None:
    app.cli.add_command(worker_command)
    app.cli.add_command(backup_command)
    app.cli.add_command(seed_demo_command)
