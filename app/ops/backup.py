"""`flask backup`: a consistent copy of the database, taken while the app runs.

SQLite uses its online backup API (a snapshot even while others write); PostgreSQL uses pg_dump in
its custom format (restore with pg_restore). Restoring is in the README.
"""

import os
import sqlite3
import subprocess
from pathlib import Path

import click
from flask import current_app
from sqlalchemy.engine import make_url

from app import clock
from app.extensions import db


def backup_database(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    stamp = clock.now().strftime("%Y%m%d-%H%M%S")
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() == "sqlite":
        assert url.database, "a SQLite URL names its file"
        target = directory / f"app-{stamp}.db"
        source = sqlite3.connect(url.database)
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
        finally:
            copy.close()
            source.close()
        return target
    target = directory / f"app-{stamp}.dump"
    env = {**os.environ, "PGPASSWORD": url.password or ""}
    command = [
        "pg_dump",
        "--format=custom",
        f"--file={target}",
        "--host",
        url.host or "localhost",
        "--port",
        str(url.port or 5432),
        "--username",
        url.username or "postgres",
    ]
    options = str(url.query.get("options", ""))
    if "search_path=" in options:
        command += ["--schema", options.split("search_path=", 1)[1]]
    subprocess.run([*command, url.database or ""], check=True, env=env)
    return target


@click.command("backup")
@click.option(
    "--to",
    "directory",
    type=click.Path(path_type=Path),
    default=None,
    help="Folder for the copy (default: instance/backups).",
)
def backup_command(directory: Path | None) -> None:
    """Write a consistent copy of the database and print its path."""
    target = backup_database(directory or Path(current_app.instance_path) / "backups")
    db.session.remove()
    click.echo(str(target))
