"""`flask import-members FILE`: the same import as the console's, from a terminal — the preview
printed row by row, then the import in one transaction (or nothing, with --dry-run)."""

from pathlib import Path

import click

from app import clock
from app.audit.actor import Actor
from app.errors import DomainError
from app.extensions import db
from app.forms import normalize_email
from app.members.imports import services
from app.members.imports.columns import FIELDS, check_mapping
from app.members.imports.models import MemberImportRow, RowOutcome
from app.organizers.services import find_by_email

OUTCOME_WORDS = {
    RowOutcome.NEW: "新規",
    RowOutcome.UPDATE: "更新",
    RowOutcome.SAME: "変更なし",
    RowOutcome.ERROR: "エラー",
}


def _mapping(batch, columns: tuple[str, ...]) -> dict:
    mapping = dict(batch.mapping)
    for item in columns:
        name, _, header = item.partition("=")
        if name not in FIELDS or header not in batch.headers:
            raise click.BadParameter(
                f"{item!r}: use FIELD=HEADER with FIELD one of {', '.join(FIELDS)} "
                f"and HEADER one of {', '.join(batch.headers)}",
                param_hint="--column",
            )
        mapping[name] = batch.headers.index(header)
    return mapping


@click.command("import-members")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--sheet", help="The workbook's sheet (default: the first with data).")
@click.option("--column", "columns", multiple=True, help="FIELD=HEADER, to correct a guess.")
@click.option("--organizer", help="The organizer the audit log names (their e-mail address).")
@click.option("--send-invitations", is_flag=True, help="Mail rows without consent the opt-in link.")
@click.option("--dry-run", is_flag=True, help="Show the preview only; write nothing.")
def import_members_command(file, sheet, columns, organizer, send_invitations, dry_run) -> None:
    """Import members from an Excel workbook (.xlsx) or a CSV (UTF-8 or Shift_JIS)."""
    who = None
    if organizer:
        who = find_by_email(normalize_email(organizer))
        if who is None:
            raise click.ClickException(f"no organizer with the address {organizer}")
    actor = Actor.cli(who)
    now = clock.now()
    try:
        batch = services.start_import(file.read_bytes(), file.name, actor, now)
        if sheet and sheet != batch.sheet:
            services.choose_sheet(batch, sheet)
        batch.mapping = check_mapping(_mapping(batch, columns), batch.headers)
        batch.send_invitations = send_invitations
        services.preview(batch, now)
    except DomainError as error:
        db.session.rollback()
        raise click.ClickException(str(error.message)) from None
    for name, index in batch.mapping.items():
        click.echo(f"{FIELDS[name][0]}: {batch.headers[index] if index is not None else '—'}")
    rows = db.session.scalars(
        db.select(MemberImportRow)
        .where(MemberImportRow.import_id == batch.id, MemberImportRow.outcome != RowOutcome.SAME)
        .order_by(MemberImportRow.row_number)
    )
    for row in rows:
        click.echo(f"{row.row_number}行目 {OUTCOME_WORDS[row.outcome]} {row.email} {row.reason}")
    summary = (
        f"新規 {batch.created_count} / 更新 {batch.updated_count} / "
        f"変更なし {batch.unchanged_count} / エラー {batch.error_count}"
    )
    if dry_run:
        db.session.rollback()
        click.echo(f"{summary} (dry run: nothing written)")
        return
    services.apply(batch, actor, now)
    db.session.commit()
    click.echo(f"{summary}; import #{batch.id} done, {batch.invited_count} invitation(s) queued")
