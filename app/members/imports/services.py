"""The life of a member import: upload, choose the sheet and columns, preview every row, confirm
(the whole file in one transaction), undo. Services change the session and never commit; the
doors (the console, `flask import-members`, the worker's job) commit each step."""

from datetime import datetime, time
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select

from app.audit.actor import Actor
from app.audit.services import record
from app.errors import DomainError
from app.extensions import db
from app.mail.outbox import OutboxMessage, OutboxStatus
from app.members.imports import reading
from app.members.imports.analysis import RowResult, analyse, counts
from app.members.imports.columns import check_mapping, guess_mapping
from app.members.imports.models import (
    ImportStatus,
    MemberImport,
    MemberImportChange,
    MemberImportRow,
    RowOutcome,
)
from app.members.imports.notifications import CATEGORY, notify_import_invitation
from app.members.models import Member, MemberStatus
from app.members.services import AWAITING_CONSENT, confirm_token
from app.tokens import new_nonce

# consent_version of a member whose consent the secretariat recorded elsewhere (a paper form, a
# reply by mail) and imported: when is consent_at, how is MemberImportChange.consent_method.
IMPORTED_CONSENT = "imported"
# Files with more rows than this are checked and imported by the worker, not the web process.
BACKGROUND_ROWS = 2_000
FLUSH_EVERY = 500


class ImportStateError(DomainError):
    message = _l("この取り込みは既に処理が進んでいるため、この操作はできません。")


def _background_rows() -> int:
    return current_app.config.get("MEMBER_IMPORT_BACKGROUND_ROWS", BACKGROUND_ROWS)


def runs_in_background(batch: MemberImport) -> bool:
    return batch.row_count > _background_rows()


def _table(batch: MemberImport) -> reading.Table:
    if batch.content is None:
        raise ImportStateError()
    return reading.read_file(batch.content, batch.file_name, batch.sheet)


def start_import(content: bytes, file_name: str, actor: Actor, now: datetime) -> MemberImport:
    """Read the uploaded file (refusing what cannot be a contact list) and keep it for the next
    steps; the columns are guessed from its headers."""
    reading.check_size(content)
    names = reading.sheet_names(content) if reading.is_workbook(content, file_name) else []
    sheet, table, first_error = None, None, None
    for name in names or [None]:
        try:
            table = reading.read_file(content, file_name, name)
        except reading.ImportFileError as error:
            # A workbook whose first sheet is empty (or a cover page): try the next one.
            if not names or error.field != "sheet":
                raise
            first_error = first_error or error
            continue
        sheet = name
        break
    if table is None:
        raise first_error
    batch = MemberImport(
        organizer_id=actor.organizer_id,
        via=actor.via,
        file_name=_printable(file_name)[:255] or "members.csv",
        content=content,
        sheet_names=names,
        sheet=sheet,
        created_at=now,
    )
    _set_table(batch, table)
    db.session.add(batch)
    db.session.flush()
    return batch


def _printable(text: str) -> str:
    """Text as the pages show it: control characters (NUL, which PostgreSQL refuses) dropped."""
    return "".join(ch for ch in text if ch.isprintable())


def _set_table(batch: MemberImport, table: reading.Table) -> None:
    batch.headers = [_printable(header)[:200] for header in table.headers]
    batch.mapping = guess_mapping(table.headers)
    batch.row_count = len(table.rows)


def choose_sheet(batch: MemberImport, sheet: str) -> None:
    """Read another sheet of the workbook; its columns are guessed afresh."""
    _require(batch, ImportStatus.UPLOADED, ImportStatus.PREVIEWED, ImportStatus.FAILED)
    if sheet not in batch.sheet_names:
        raise reading.ImportFileError(
            _l(
                "シート「%(sheet)s」はこのブックにありません。次のシートから選んでください: %(names)s",
                sheet=sheet[:100],
                names="、".join(batch.sheet_names) or "—",
            ),
            field="sheet",
        )
    table = reading.read_file(batch.content, batch.file_name, sheet)
    batch.sheet = sheet
    _set_table(batch, table)
    _back_to_columns(batch)


def choose_columns(batch: MemberImport, mapping: dict, send_invitations: bool, now: datetime):
    """Keep the organizer's columns and check every row: at once for a small file, by the worker
    for a large one (the batch is then queued)."""
    _require(batch, ImportStatus.UPLOADED, ImportStatus.PREVIEWED, ImportStatus.FAILED)
    batch.mapping = check_mapping(mapping, batch.headers)
    batch.send_invitations = send_invitations
    if runs_in_background(batch):
        batch.status = ImportStatus.ANALYSIS_QUEUED
        batch.progress = 0
        db.session.flush()
        return
    preview(batch, now)


def preview(batch: MemberImport, now: datetime, progress=None) -> list[RowResult]:
    """Work out every row's result and keep it for the preview page; nothing else is written."""
    results = analyse(_table(batch), batch.mapping, now, progress)
    _keep_results(batch, results)
    batch.status = ImportStatus.PREVIEWED
    db.session.flush()
    return results


def _keep_results(batch: MemberImport, results: list[RowResult]) -> None:
    db.session.execute(delete(MemberImportRow).where(MemberImportRow.import_id == batch.id))
    db.session.add_all(
        MemberImportRow(
            import_id=batch.id,
            row_number=result.row_number,
            outcome=result.outcome,
            reason=_printable(result.reason)[:1000],
            email=_printable(result.email)[:254],
            name=_printable(result.name)[:100],
            organization=_printable(
                result.organization.name if result.organization else result.organization_text
            )[:100],
        )
        for result in results
    )
    totals = counts(results)
    batch.created_count = totals[RowOutcome.NEW]
    batch.updated_count = totals[RowOutcome.UPDATE]
    batch.unchanged_count = totals[RowOutcome.SAME]
    batch.error_count = totals[RowOutcome.ERROR]
    batch.progress = len(results)


def reopen(batch: MemberImport) -> None:
    """Back from the preview to the columns, as they were chosen."""
    _require(batch, ImportStatus.PREVIEWED)
    _back_to_columns(batch)


def _back_to_columns(batch: MemberImport) -> None:
    db.session.execute(delete(MemberImportRow).where(MemberImportRow.import_id == batch.id))
    batch.status = ImportStatus.UPLOADED
    batch.progress = 0


def confirm(batch: MemberImport, actor: Actor, now: datetime) -> None:
    """The organizer confirmed the preview: import now, or queue a large file for the worker."""
    _require(batch, ImportStatus.PREVIEWED)
    if runs_in_background(batch):
        batch.status = ImportStatus.IMPORT_QUEUED
        db.session.flush()
        return
    apply(batch, actor, now)


def apply(batch: MemberImport, actor: Actor, now: datetime) -> None:
    """Import the file as the rows say now: one transaction for the whole file (the caller's),
    each change kept on the batch so that it can be undone."""
    results = analyse(_table(batch), batch.mapping, now)
    zone = ZoneInfo(current_app.config["APP_TIMEZONE"])
    created: list[tuple[Member, RowResult]] = []
    for result in results:
        if result.outcome == RowOutcome.NEW:
            created.append((_create(result, zone, now), result))
        elif result.outcome == RowOutcome.UPDATE:
            _update(batch, result)
        if len(created) >= FLUSH_EVERY:
            _record_created(batch, created, now)
            created = []
    _record_created(batch, created, now)
    _keep_results(batch, results)
    batch.status = ImportStatus.IMPORTED
    batch.imported_at = now
    batch.content = None  # the personal data now lives in the members' records only
    record(
        actor,
        "member_import.import",
        f"member_import:{batch.id}",
        file_name=batch.file_name,
        created=batch.created_count,
        updated=batch.updated_count,
        unchanged=batch.unchanged_count,
        errors=batch.error_count,
        invited=batch.invited_count,
    )
    db.session.flush()


def _midnight(day, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone)


def _create(result: RowResult, zone: ZoneInfo, now: datetime) -> Member:
    row, organization = result.data, result.organization
    member = Member(
        email=row.email,
        name=row.name,
        organization_code=organization.code,
        organization_name=organization.name,
        department=row.department,
        locale="ja",
        theme_interests=[],
        listed_publicly=False,
        created_at=_midnight(row.registered_on, zone) if row.registered_on else now,
    )
    if row.consented:
        member.status = MemberStatus.ACTIVE
        member.consent_at = _midnight(row.consent_on, zone)
        member.consent_version = IMPORTED_CONSENT
        member.feed_nonce = new_nonce()
    else:
        # No consent on record: no notices until the person confirms with the mailed link.
        member.status = MemberStatus.PENDING
        member.consent_at = now
        member.consent_version = AWAITING_CONSENT
        member.confirm_nonce = new_nonce()
    db.session.add(member)
    return member


def _record_created(batch: MemberImport, created: list, now: datetime) -> None:
    if not created:
        return
    db.session.flush()  # the members' ids, for the changes and the confirmation links
    for member, result in created:
        db.session.add(
            MemberImportChange(
                import_id=batch.id,
                member_id=member.id,
                email=member.email,
                action="created",
                consent_method=result.data.consent_method if result.data.consented else "",
            )
        )
        if batch.send_invitations and member.status == MemberStatus.PENDING:
            if notify_import_invitation(member, confirm_token(member), now):
                batch.invited_count += 1


def _update(batch: MemberImport, result: RowResult) -> None:
    member = db.session.get(Member, result.existing.id)
    previous = {}
    for name, (old, new) in result.changes.items():
        previous[name] = old
        setattr(member, name, new)
    db.session.add(
        MemberImportChange(
            import_id=batch.id,
            member_id=member.id,
            email=member.email,
            action="updated",
            previous=previous,
        )
    )


def undo(batch: MemberImport, actor: Actor, now: datetime) -> dict:
    """Take an import back: the members it created go (with their unsent invitations), unless
    they have since confirmed themselves; those it updated get their previous values back."""
    _require(batch, ImportStatus.IMPORTED)
    removed = restored = kept = 0
    changes = db.session.scalars(
        select(MemberImportChange)
        .where(MemberImportChange.import_id == batch.id)
        .order_by(MemberImportChange.id.desc())
    )
    for change in changes:
        member = db.session.get(Member, change.member_id) if change.member_id else None
        if member is None:
            continue
        if change.action == "created":
            if member.confirmed_at is not None or member.status == MemberStatus.UNSUBSCRIBED:
                kept += 1  # the person has acted on their own record since: it is theirs now
                continue
            db.session.execute(
                delete(OutboxMessage).where(
                    OutboxMessage.to_addr == member.email,
                    OutboxMessage.category == CATEGORY,
                    OutboxMessage.status == OutboxStatus.QUEUED,
                )
            )
            db.session.delete(member)
            removed += 1
        else:
            for name, value in (change.previous or {}).items():
                setattr(member, name, value)
            restored += 1
    batch.status = ImportStatus.UNDONE
    batch.undone_at = now
    batch.undone_by_id = actor.organizer_id
    summary = {"removed": removed, "restored": restored, "kept": kept}
    record(actor, "member_import.undo", f"member_import:{batch.id}", **summary)
    db.session.flush()
    return summary


def cancel(batch: MemberImport) -> None:
    """Abandon an import before it is confirmed; the file is dropped."""
    _require(batch, ImportStatus.UPLOADED, ImportStatus.PREVIEWED, ImportStatus.FAILED)
    batch.status = ImportStatus.CANCELLED
    batch.content = None
    db.session.execute(delete(MemberImportRow).where(MemberImportRow.import_id == batch.id))
    db.session.flush()


def _require(batch: MemberImport, *statuses: ImportStatus) -> None:
    if batch.status not in statuses:
        raise ImportStateError()


def imported_consent_method(member: Member) -> str:
    """How the consent an import recorded for `member` was given (empty when none was)."""
    if member.consent_version != IMPORTED_CONSENT:
        return ""
    return (
        db.session.scalar(
            select(MemberImportChange.consent_method)
            .where(
                MemberImportChange.member_id == member.id,
                MemberImportChange.consent_method != "",
            )
            .order_by(MemberImportChange.id.desc())
            .limit(1)
        )
        or ""
    )
