"""Inquiries (お問い合わせ) in the console: the list, filtered by handled or not, and each one
with its 対応済み switch."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from app import clock
from app.admin.blueprint import bp, console_actor
from app.extensions import db
from app.inquiries import services
from app.routing import LARGEST_PAGE, query_int

PAGE_SIZE = 50


@bp.route("/inquiries")
def inquiries():
    state = request.args.get("state", services.OPEN)
    if state not in services.STATES:
        state = services.OPEN
    page = query_int("page", 1, maximum=LARGEST_PAGE)
    rows = services.list_inquiries(state, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE)
    return render_template(
        "admin/inquiries/list.html",
        inquiries=rows[:PAGE_SIZE],
        state=state,
        counts=services.state_counts(),
        page=page,
        has_next=len(rows) > PAGE_SIZE,
    )


@bp.route("/inquiries/<id:inquiry_id>", methods=["GET", "POST"])
def inquiry(inquiry_id):
    """GET shows the inquiry; POST with handled=1 or 0 marks it handled or open again."""
    if request.method == "POST":
        return _set_handled(inquiry_id, request.form.get("handled") == "1")
    try:
        found = services.get_inquiry(inquiry_id)
    except services.InquiryNotFound:
        abort(404)
    return render_template(
        "admin/inquiries/detail.html", inquiry=found, handled_by=services.handled_by(found)
    )


def _set_handled(inquiry_id: int, handled: bool):
    try:
        changed = services.set_handled(inquiry_id, handled, clock.now(), actor=console_actor())
    except services.InquiryNotFound:
        abort(404)
    if changed:
        db.session.commit()
    flash(_("対応済みにしました。") if handled else _("未対応に戻しました。"), "success")
    return redirect(url_for("admin.inquiry", inquiry_id=inquiry_id))
