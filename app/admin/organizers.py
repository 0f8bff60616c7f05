"""Admin-only pages: the organizer accounts and the audit log."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from app.admin.blueprint import admin_required, bp, console_actor
from app.admin.forms import OrganizerForm
from app.audit.services import recent_entries
from app.errors import DomainError
from app.extensions import db
from app.organizers import services
from app.organizers.models import Organizer
from app.routing import LARGEST_PAGE, query_int

AUDIT_PAGE_SIZE = 100


@bp.route("/organizers", methods=["GET", "POST"])
@admin_required
def organizers():
    form = OrganizerForm()
    if form.validate_on_submit():
        try:
            services.create_organizer(
                form.email.data,
                form.password.data,
                form.role.data,
                form.name.data,
                actor=console_actor(),
            )
        except DomainError as error:
            getattr(form, error.field or "email").errors.append(error.message)
        else:
            db.session.commit()
            flash(_("事務局アカウントを追加しました。"), "success")
            return redirect(url_for("admin.organizers"))
    accounts = db.session.scalars(select(Organizer).order_by(Organizer.id))
    status = 422 if form.errors else 200
    return render_template("admin/organizers.html", form=form, organizers=accounts), status


@bp.route("/organizers/<id:organizer_id>/active", methods=["POST"])
@admin_required
def set_organizer_active(organizer_id):
    organizer = db.get_or_404(Organizer, organizer_id)
    if organizer.id == current_user.id:
        flash(_("ご自身のアカウントは停止できません。"), "error")
        return redirect(url_for("admin.organizers"))
    services.set_active(organizer, request.form.get("active") == "1", actor=console_actor())
    db.session.commit()
    return redirect(url_for("admin.organizers"))


@bp.route("/audit")
@admin_required
def audit_log():
    page = query_int("page", 1, maximum=LARGEST_PAGE)
    entries = recent_entries(limit=AUDIT_PAGE_SIZE + 1, offset=(page - 1) * AUDIT_PAGE_SIZE)
    has_next = len(entries) > AUDIT_PAGE_SIZE
    return render_template(
        "admin/audit_log.html", entries=entries[:AUDIT_PAGE_SIZE], page=page, has_next=has_next
    )
