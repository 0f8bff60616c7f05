"""The console's member import: upload a contact list, choose the sheet and the columns, look at
every row's result, confirm, and undo; large files are checked and imported by the worker while
the page shows the progress. Each POST commits once; the rules live in app/members/imports."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app import clock
from app.admin.blueprint import bp, console_actor
from app.errors import DomainError
from app.extensions import db
from app.members.imports import reading, services
from app.members.imports.columns import FIELDS
from app.members.imports.models import (
    BUSY,
    ImportStatus,
    MemberImport,
    MemberImportRow,
    RowOutcome,
)
from app.organizers.models import Organizer
from app.routing import LARGEST_PAGE, query_int

ROWS_PER_PAGE = 100
OUTCOME_LABELS = {
    RowOutcome.NEW: _l("新規"),
    RowOutcome.UPDATE: _l("更新"),
    RowOutcome.SAME: _l("変更なし"),
    RowOutcome.ERROR: _l("エラー"),
}
STATUS_LABELS = {
    ImportStatus.UPLOADED: _l("列の選択待ち"),
    ImportStatus.ANALYSIS_QUEUED: _l("確認の順番待ち"),
    ImportStatus.ANALYSING: _l("確認中"),
    ImportStatus.PREVIEWED: _l("確定待ち"),
    ImportStatus.IMPORT_QUEUED: _l("取り込みの順番待ち"),
    ImportStatus.IMPORTING: _l("取り込み中"),
    ImportStatus.IMPORTED: _l("取り込み済み"),
    ImportStatus.UNDONE: _l("取り消し済み"),
    ImportStatus.FAILED: _l("失敗"),
    ImportStatus.CANCELLED: _l("中止"),
}


class UploadForm(FlaskForm):
    file = FileField(
        _l("会員の一覧（Excel または CSV）"),
        validators=[FileRequired(message=_l("取り込むファイルを選んでください。"))],
    )


class StepForm(FlaskForm):
    """The CSRF token of each step's button; what the step takes is read from the form."""


def _batch(import_id: int) -> MemberImport:
    batch = db.session.get(MemberImport, import_id)
    if batch is None or batch.status == ImportStatus.CANCELLED:
        abort(404)
    return batch


def _refused(error: DomainError) -> None:
    db.session.rollback()
    flash(str(error.message), "error")


@bp.route("/members/import", methods=["GET", "POST"])
def member_import_upload():
    form = UploadForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            batch = services.start_import(
                upload.read(reading.MAX_BYTES + 1),
                upload.filename or "",
                console_actor(),
                clock.now(),
            )
        except DomainError as error:
            db.session.rollback()
            form.file.errors = [*form.file.errors, error.message]
        else:
            batch_id = batch.id
            db.session.commit()
            return redirect(url_for("admin.member_import", import_id=batch_id))
    recent = db.session.scalars(
        select(MemberImport)
        .where(MemberImport.status != ImportStatus.CANCELLED)
        .order_by(MemberImport.id.desc())
        .limit(20)
    ).all()
    organizers = {o.id: o for o in db.session.scalars(select(Organizer))}
    status = 422 if form.is_submitted() else 200
    return render_template(
        "admin/member_import_upload.html",
        form=form,
        recent=recent,
        organizers=organizers,
        status_labels=STATUS_LABELS,
        max_mb=reading.MAX_BYTES // (1024 * 1024),
        max_rows=reading.MAX_ROWS,
    ), status


@bp.route("/members/import/<id:import_id>")
def member_import(import_id):
    batch = _batch(import_id)
    if batch.status in (ImportStatus.UPLOADED, ImportStatus.FAILED):
        return _columns_page(batch, batch.mapping, batch.send_invitations)
    if batch.status in BUSY:
        return render_template(
            "admin/member_import_progress.html", batch=batch, status_labels=STATUS_LABELS
        )
    return _rows_page(batch)


def _samples(batch: MemberImport) -> list[list]:
    """The first rows under each header, so the organizer sees what a column holds."""
    if batch.content is None:
        return []  # the file is dropped once the import is done
    try:
        table = reading.read_file(batch.content, batch.file_name, batch.sheet)
    except (DomainError, TypeError):
        return []
    return [cells for _number, cells in table.rows[:3]]


def _columns_page(batch, mapping, send_invitations, error=None, status=200):
    return render_template(
        "admin/member_import_columns.html",
        batch=batch,
        form=StepForm(),
        fields=FIELDS,
        mapping=mapping,
        send_invitations=send_invitations,
        samples=_samples(batch) if batch.content is not None else [],
        error=error,
        background=services.runs_in_background(batch),
    ), status


def _rows_page(batch: MemberImport):
    outcome = request.args.get("outcome")
    if outcome not in OUTCOME_LABELS:
        outcome = None
    query = select(MemberImportRow).where(MemberImportRow.import_id == batch.id)
    if outcome:
        query = query.where(MemberImportRow.outcome == outcome)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = query_int("page", 1, maximum=LARGEST_PAGE)
    rows = db.session.scalars(
        query.order_by(MemberImportRow.row_number)
        .limit(ROWS_PER_PAGE)
        .offset((page - 1) * ROWS_PER_PAGE)
    ).all()
    organizers = {o.id: o for o in db.session.scalars(select(Organizer))}
    return render_template(
        "admin/member_import_rows.html",
        batch=batch,
        form=StepForm(),
        rows=rows,
        total=total,
        page=page,
        has_next=page * ROWS_PER_PAGE < total,
        outcome=outcome,
        outcome_labels=OUTCOME_LABELS,
        status_labels=STATUS_LABELS,
        organizers=organizers,
        fields=FIELDS,
        background=services.runs_in_background(batch),
    )


def _mapping_from_form(headers: list[str]) -> dict:
    mapping = {}
    for name in FIELDS:
        value = request.form.get(f"column-{name}", "")
        mapping[name] = (
            int(value) if value.isascii() and value.isdigit() and len(value) < 6 else None
        )
    return mapping


@bp.route("/members/import/<id:import_id>/sheet", methods=["POST"])
def member_import_sheet(import_id):
    batch = _batch(import_id)
    form = StepForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        services.choose_sheet(batch, request.form.get("sheet", ""))
    except DomainError as error:
        db.session.rollback()
        return _columns_page(_batch(import_id), batch.mapping, False, error.message, 422)
    db.session.commit()
    return redirect(url_for("admin.member_import", import_id=import_id))


@bp.route("/members/import/<id:import_id>/columns", methods=["POST"])
def member_import_columns(import_id):
    batch = _batch(import_id)
    form = StepForm()
    if not form.validate_on_submit():
        abort(400)
    mapping = _mapping_from_form(batch.headers)
    send_invitations = request.form.get("send_invitations") == "y"
    try:
        services.choose_columns(batch, mapping, send_invitations, clock.now())
    except DomainError as error:
        db.session.rollback()
        return _columns_page(_batch(import_id), mapping, send_invitations, error.message, 422)
    db.session.commit()
    return redirect(url_for("admin.member_import", import_id=import_id))


@bp.route("/members/import/<id:import_id>/back", methods=["POST"])
def member_import_back(import_id):
    """「列の選択に戻る」 from the preview."""
    batch = _batch(import_id)
    if not StepForm().validate_on_submit():
        abort(400)
    try:
        services.reopen(batch)
    except DomainError as error:
        _refused(error)
    else:
        db.session.commit()
    return redirect(url_for("admin.member_import", import_id=import_id))


@bp.route("/members/import/<id:import_id>/confirm", methods=["POST"])
def member_import_confirm(import_id):
    batch = db.session.get(MemberImport, import_id, with_for_update=True)
    if batch is None:
        abort(404)
    if not StepForm().validate_on_submit():
        abort(400)
    try:
        services.confirm(batch, console_actor(), clock.now())
        db.session.commit()
    except DomainError as error:
        _refused(error)
    except IntegrityError:
        # Someone joined with one of these addresses between the preview and now.
        db.session.rollback()
        flash(
            _(
                "確認のあとに登録された会員と重なりました。もう一度「取り込みを確定する」を押してください。"
            ),
            "error",
        )
    return redirect(url_for("admin.member_import", import_id=import_id))


@bp.route("/members/import/<id:import_id>/undo", methods=["POST"])
def member_import_undo(import_id):
    batch = db.session.get(MemberImport, import_id, with_for_update=True)
    if batch is None:
        abort(404)
    if not StepForm().validate_on_submit():
        abort(400)
    try:
        summary = services.undo(batch, console_actor(), clock.now())
        db.session.commit()
    except DomainError as error:
        _refused(error)
    else:
        flash(
            _(
                "取り込みを取り消しました（削除 %(removed)d 名・元に戻した会員 %(restored)d 名・ご本人が確認済みのため残した会員 %(kept)d 名）。",
                **summary,
            ),
            "success",
        )
    return redirect(url_for("admin.member_import", import_id=import_id))


@bp.route("/members/import/<id:import_id>/cancel", methods=["POST"])
def member_import_cancel(import_id):
    batch = _batch(import_id)
    if not StepForm().validate_on_submit():
        abort(400)
    try:
        services.cancel(batch)
        db.session.commit()
    except DomainError as error:
        _refused(error)
        return redirect(url_for("admin.member_import", import_id=import_id))
    flash(_("取り込みを中止しました。ファイルは削除しました。"), "success")
    return redirect(url_for("admin.member_import_upload"))
