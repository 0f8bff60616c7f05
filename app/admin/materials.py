"""An event's materials (資料) in the console: upload files, add links, delete, see download counts,
and mail everyone their personal download links."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from app.admin.blueprint import bp, console_actor
from app.errors import DomainError
from app.events.models import Event
from app.extensions import db
from app.materials import catalogue, mailing
from app.materials.errors import MaterialNotFound
from app.materials.forms import LinkForm, SendForm, UploadForm


def _show_error(form, error: DomainError) -> None:
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)


def _add_file(event: Event, form: UploadForm):
    try:
        material = catalogue.add_file(
            event.id,
            form.title.data,
            form.file.data.filename,
            form.file.data.stream,
            actor=console_actor(),
        )
    except DomainError as error:
        db.session.rollback()
        _show_error(form, error)
        return None
    return material


def _add_link(event: Event, form: LinkForm):
    try:
        material = catalogue.add_link(
            event.id, form.link_title.data, form.url.data, actor=console_actor()
        )
    except DomainError as error:
        db.session.rollback()
        _show_error(form, error)
        return None
    return material


@bp.route("/events/<id:event_id>/materials", methods=["GET", "POST"])
def materials(event_id):
    event = db.get_or_404(Event, event_id)
    kind = request.form.get("kind") if request.method == "POST" else None
    if request.method == "POST" and kind not in ("file", "link"):
        abort(400)
    # Two forms on one page: only the one that was sent reads the request.
    upload_form = UploadForm() if kind == "file" else UploadForm(formdata=None)
    link_form = LinkForm() if kind == "link" else LinkForm(formdata=None)
    form, add = (upload_form, _add_file) if kind == "file" else (link_form, _add_link)
    if kind and form.validate_on_submit():
        material = add(event, form)
        if material is not None:
            db.session.commit()
            flash(_("「%(title)s」を追加しました。", title=material.title), "success")
            return redirect(url_for("admin.materials", event_id=event.id))
    return render_template(
        "admin/materials/list.html",
        event=event,
        materials=catalogue.event_materials(event.id),
        counts=catalogue.download_counts(event.id),
        upload_form=upload_form,
        link_form=link_form,
    ), (422 if kind else 200)


@bp.route("/events/<id:event_id>/materials/<id:material_id>/delete", methods=["POST"])
def material_delete(event_id, material_id):
    event = db.get_or_404(Event, event_id)
    try:
        material = catalogue.delete_material(event.id, material_id, actor=console_actor())
    except MaterialNotFound:
        abort(404)
    title = material.title
    db.session.commit()
    flash(_("「%(title)s」を削除しました。", title=title), "success")
    return redirect(url_for("admin.materials", event_id=event.id))


@bp.route("/events/<id:event_id>/materials/send", methods=["GET", "POST"])
def materials_send(event_id):
    """Choose who gets the materials (with how many each choice reaches), then queue the mail."""
    event = db.get_or_404(Event, event_id)
    form = SendForm()
    if form.validate_on_submit():
        try:
            queued = mailing.send_materials(
                event.id, form.audience.data, form.message.data, actor=console_actor()
            )
        except DomainError as error:
            db.session.rollback()
            _show_error(form, error)
        else:
            db.session.commit()
            flash(
                ngettext(
                    "%(num)d 件のメールを送信待ちに入れました。",
                    "%(num)d 件のメールを送信待ちに入れました。",
                    queued,
                ),
                "success",
            )
            return redirect(url_for("admin.materials", event_id=event.id))
    return render_template(
        "admin/materials/send.html",
        event=event,
        form=form,
        materials=catalogue.event_materials(event.id),
        counts=mailing.audience_counts(event.id),
    ), (422 if form.is_submitted() else 200)
