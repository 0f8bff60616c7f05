"""Registrants in the console: the list per event with search and filters, one registration's
page (correct it, approve, decline, cancel, promote, resend), check-in on the day from a phone,
and attendance from an online meeting's participant list."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from app import clock
from app.admin.blueprint import bp, console_actor
from app.admin.registrant_forms import AttendanceImportForm, DeclineForm, registrant_form
from app.errors import DomainError
from app.events.models import Event
from app.exports.labels import REGISTRANT_LABELS
from app.extensions import db
from app.registrations import lists, organizer_actions, seats
from app.registrations.attendance import import_attendance
from app.registrations.models import Registration, RegistrationStatus
from app.routing import LARGEST_PAGE, query_int


def _event(event_id: int) -> Event:
    return db.get_or_404(Event, event_id)


def _registration(registration_id: int) -> Registration:
    return organizer_actions.get_registration(registration_id)


def _show_error(form, error: DomainError) -> None:
    """Put a service's refusal beside the field it concerns, or above the form."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)


def _filter_args() -> dict:
    """The list's filters from the URL; a value that makes no sense is dropped, not an error."""
    values = {
        "q": request.args.get("q", "").strip()[:100],
        "status": request.args.get("status", ""),
        "part": query_int("part", None),
        "table": query_int("table", None),
        "prefecture": request.args.get("prefecture", "")[:2],
        "organization": request.args.get("organization", "")[:100],
    }
    return {name: value for name, value in values.items() if value not in (None, "")}


@bp.route("/events/<id:event_id>/registrants")
def registrants(event_id):
    event = _event(event_id)
    args = _filter_args()
    query = lists.RegistrantQuery(
        q=args.get("q", ""),
        status=args.get("status", ""),
        part_id=args.get("part"),
        table_id=args.get("table"),
        prefecture=args.get("prefecture", ""),
        organization=args.get("organization", ""),
        page=query_int("page", 1, maximum=LARGEST_PAGE),
    )
    return render_template(
        "admin/registrants/list.html",
        event=event,
        args=args,
        result=lists.search_registrants(event.id, query),
        filters=lists.registrant_filters(event.id),
        seats=seats.seat_summary(event),
        attendance=lists.attendance_count(event.id),
        labels=REGISTRANT_LABELS,
    )


def _detail_page(registration, form, decline_form, status=200):
    return render_template(
        "admin/registrants/detail.html",
        registration=registration,
        event=registration.event,
        form=form,
        decline_form=decline_form,
    ), status


@bp.route("/registrations/<id:registration_id>", methods=["GET", "POST"])
def registrant(registration_id):
    registration = _registration(registration_id)
    form = registrant_form(registration)
    data = form.validated_input(registration.event) if form.is_submitted() else None
    if data is not None:
        try:
            changed = organizer_actions.update_registration(
                registration.id, data, actor=console_actor()
            )
        except DomainError as error:
            db.session.rollback()
            _show_error(form, error)
        else:
            if changed:
                db.session.commit()
                flash(
                    _("申込内容を変更しました。ご本人に変更のお知らせをメールで送りました。"),
                    "success",
                )
            else:
                flash(_("変更はありませんでした。"), "info")
            return redirect(url_for("admin.registrant", registration_id=registration.id))
    status = 422 if form.is_submitted() else 200
    return _detail_page(registration, form, DeclineForm(formdata=None), status)


def _approve(registration, now) -> str:
    organizer_actions.approve_registration(registration.id, now, actor=console_actor())
    if registration.status == RegistrationStatus.CONFIRMED:
        return _("承認し、参加確定にしました。ご本人にメールでお知らせしました。")
    return _(
        "承認しましたが、満席のためキャンセル待ちになりました。ご本人にメールでお知らせしました。"
    )


def _cancel(registration, now) -> str:
    promoted = organizer_actions.admin_cancel_registration(
        registration.id, now, actor=console_actor()
    )
    message = _("お申し込みを取り消しました。ご本人にメールでお知らせしました。")
    if promoted:
        message += " " + ngettext(
            "キャンセル待ちの %(num)d 名を繰り上げ、メールでお知らせしました。",
            "キャンセル待ちの %(num)d 名を繰り上げ、メールでお知らせしました。",
            len(promoted),
        )
    return message


def _promote(registration, now) -> str:
    organizer_actions.promote_registration(registration.id, actor=console_actor())
    return _("参加確定に繰り上げました。ご本人にメールでお知らせしました。")


def _resend(registration, now) -> str:
    organizer_actions.resend_to_registrant(registration.id, actor=console_actor())
    return _("確認メールを再送しました。")


def _check_in(registration, now) -> str:
    organizer_actions.check_in(registration.id, now, actor=console_actor())
    return _("受付済みにしました。")


def _undo_check_in(registration, now) -> str:
    organizer_actions.undo_check_in(registration.id, actor=console_actor())
    return _("受付を取り消しました。")


ACTIONS = {
    "approve": _approve,
    "cancel": _cancel,
    "promote": _promote,
    "resend": _resend,
    "check_in": _check_in,
    "undo_check_in": _undo_check_in,
}


@bp.route("/registrations/<id:registration_id>/<action>", methods=["POST"])
def registrant_action(registration_id, action):
    """One button on a registration's page; declining also takes the reason from its form."""
    if action not in ACTIONS and action != "decline":
        abort(404)
    registration = _registration(registration_id)
    now = clock.now()
    try:
        if action == "decline":
            decline_form = DeclineForm()
            if not decline_form.validate():
                form = registrant_form(registration)
                return _detail_page(registration, form, decline_form, 422)
            organizer_actions.decline_registration(
                registration.id, now, decline_form.reason.data or "", actor=console_actor()
            )
            message = _("お申し込みをお断りしました。ご本人にメールでお知らせしました。")
        else:
            message = ACTIONS[action](registration, now)
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        db.session.commit()
        flash(message, "success")
    return redirect(url_for("admin.registrant", registration_id=registration_id))


@bp.route("/events/<id:event_id>/checkin")
def checkin(event_id):
    """The reception list on the day: one large button per person, made for a phone."""
    event = _event(event_id)
    q = request.args.get("q", "").strip()[:100]
    return render_template(
        "admin/registrants/checkin.html",
        event=event,
        q=q,
        people=lists.checkin_list(event.id, q),
        attendance=lists.attendance_count(event.id),
    )


@bp.route("/events/<id:event_id>/checkin/<id:registration_id>", methods=["POST"])
def checkin_toggle(event_id, registration_id):
    """Check a person in, or undo it; back to the same place in the list."""
    registration = _registration(registration_id)
    if registration.event_id != event_id:
        abort(404)
    # The wanted state, not a toggle: a double tap must not undo the first one.
    present = request.form.get("present") == "1"
    try:
        if present:
            _check_in(registration, clock.now())
        else:
            _undo_check_in(registration, clock.now())
    except DomainError as error:
        db.session.rollback()
        flash(str(error.message), "error")
    else:
        db.session.commit()
    q = request.form.get("q", "").strip()[:100] or None
    return redirect(url_for("admin.checkin", event_id=event_id, q=q, _anchor=f"r{registration.id}"))


@bp.route("/events/<id:event_id>/attendance-import", methods=["GET", "POST"])
def attendance_import(event_id):
    event = _event(event_id)
    form = AttendanceImportForm()
    result = None
    if form.validate_on_submit():
        try:
            result = import_attendance(
                event.id, form.file.data.read(), clock.now(), actor=console_actor()
            )
        except DomainError as error:
            db.session.rollback()
            _show_error(form, error)
        else:
            db.session.commit()
    status = 422 if form.is_submitted() and result is None else 200
    return render_template(
        "admin/registrants/attendance_import.html", event=event, form=form, result=result
    ), status
