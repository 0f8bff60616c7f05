"""Events in the console: list, create, edit (with the calendar-update confirmation), publish,
unpublish, cancel and duplicate."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from app import clock
from app.admin.blueprint import bp, console_actor
from app.admin.event_forms import EventForm, default_reminder_rows, event_form_data
from app.admin.reminder_forms import reminder_text
from app.errors import DomainError
from app.events import console, copies, lookup
from app.events.models import EventStatus
from app.extensions import db
from app.formatting import format_date
from app.registrations.event_changes import cancel_event, change_event, review_event_change
from app.registrations.lists import sign_ups
from app.registrations.seats import seat_summary
from app.reminders.rules import rules_for


def _to_detail(event):
    return redirect(url_for("admin.event", event_id=event.id))


def _form_page(form, event=None, status=200):
    return render_template("admin/events/form.html", form=form, event=event), status


@bp.route("/events")
def events():
    upcoming, past = console.console_events(clock.now())
    seats = {event.id: seat_summary(event).event for event in [*upcoming, *past]}
    return render_template("admin/events/list.html", upcoming=upcoming, past=past, seats=seats)


@bp.route("/events/new", methods=["GET", "POST"])
def event_new():
    if request.method == "GET":
        form = EventForm(data={"reminders": default_reminder_rows()})
        form.add_blank_rows()
        return _form_page(form)
    form = EventForm()
    data = form.validated_input()
    if data is not None:
        try:
            event = console.create_event(data, clock.now(), actor=console_actor())
        except DomainError as error:
            db.session.rollback()
            form.show_error(error)
        else:
            db.session.commit()
            flash(
                _("イベントを下書きとして作成しました。内容を確認して公開してください。"), "success"
            )
            return _to_detail(event)
    return _form_page(form, status=422)


@bp.route("/events/<id:event_id>", endpoint="event")
def event_detail(event_id):
    event = lookup.get_event(event_id)
    return render_template(
        "admin/events/detail.html",
        event=event,
        seats=seat_summary(event),
        sign_ups=sign_ups(event.id),
        reminder_rules=[reminder_text(rule) for rule in rules_for(event)],
    )


@bp.route("/events/<id:event_id>/edit", methods=["GET", "POST"])
def event_edit(event_id):
    event = lookup.get_event(event_id)
    if event.status == EventStatus.CANCELLED:
        flash(_("中止したイベントは変更できません。"), "error")
        return _to_detail(event)
    if request.method == "GET":
        form = EventForm(data=event_form_data(event))
        form.add_blank_rows()
        return _form_page(form, event)
    form = EventForm()
    if request.form.get("back") == "1":  # from the confirmation page, typed values kept
        return _form_page(form, event)
    data = form.validated_input()
    if data is None:
        return _form_page(form, event, 422)
    counts = sign_ups(event.id)
    try:
        changes = review_event_change(event, data, counts.active)
        moves = [change for change in changes if change.moves_calendar]
        if moves and counts.confirmed and request.form.get("confirm") != "1":
            return render_template(
                "admin/events/confirm_edit.html",
                event=event,
                changes=moves,
                recipients=counts.confirmed,
            )
        notify = request.form.get("notify") != "0"
        result = change_event(event.id, data, actor=console_actor(), notify=notify)
    except DomainError as error:
        db.session.rollback()
        form.show_error(error)
        return _form_page(form, event, 422)
    mailed, promoted = result.mailed, result.promoted
    db.session.commit()
    if mailed:
        flash(
            ngettext(
                "変更を保存し、%(num)d 名に変更のお知らせを送りました。",
                "変更を保存し、%(num)d 名に変更のお知らせを送りました。",
                mailed,
            ),
            "success",
        )
    else:
        flash(_("変更を保存しました。"), "success")
    if promoted:
        flash(
            ngettext(
                "キャンセル待ちから %(num)d 名が参加確定になりました。",
                "キャンセル待ちから %(num)d 名が参加確定になりました。",
                len(promoted),
            )
        )
    return _to_detail(event)


@bp.route("/events/<id:event_id>/publish", methods=["POST"])
def event_publish(event_id):
    event = lookup.get_event(event_id)
    try:
        console.publish_event(event.id, clock.now(), actor=console_actor())
    except DomainError as error:
        flash(error.message, "error")
        return _to_detail(event)
    db.session.commit()
    flash(_("イベントを公開しました。"), "success")
    return _to_detail(event)


@bp.route("/events/<id:event_id>/unpublish", methods=["POST"])
def event_unpublish(event_id):
    event = lookup.get_event(event_id)
    try:
        console.unpublish_event(event.id, sign_ups(event.id).active, actor=console_actor())
    except DomainError as error:
        flash(error.message, "error")
        return _to_detail(event)
    db.session.commit()
    flash(_("イベントを非公開（下書き）に戻しました。"), "success")
    return _to_detail(event)


@bp.route("/events/<id:event_id>/cancel", methods=["POST"])
def event_cancel(event_id):
    event = lookup.get_event(event_id)
    if event.status == EventStatus.CANCELLED:
        flash(_("このイベントは既に中止されています。"), "error")
        return _to_detail(event)
    if request.form.get("confirm") != "1":
        return render_template(
            "admin/events/confirm_cancel.html", event=event, sign_ups=sign_ups(event.id)
        )
    mailed = cancel_event(event.id, actor=console_actor())
    db.session.commit()
    flash(
        ngettext(
            "イベントを中止し、%(num)d 名にお知らせを送りました。",
            "イベントを中止し、%(num)d 名にお知らせを送りました。",
            mailed,
        ),
        "success",
    )
    return _to_detail(event)


@bp.route("/events/<id:event_id>/duplicate", methods=["POST"])
def event_duplicate(event_id):
    event = lookup.get_event(event_id)
    copy = copies.duplicate_event(event.id, clock.now(), actor=console_actor())
    db.session.commit()
    flash(
        _(
            "「%(title)s」を複製しました（下書き・%(when)s）。日時・会議URL・受付期間を確認してください。",
            title=copy.title,
            when=format_date(copy.starts_at),
        ),
        "success",
    )
    return redirect(url_for("admin.event_edit", event_id=copy.id))
