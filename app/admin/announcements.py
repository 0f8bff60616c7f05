"""Announcements in the console: compose, preview as a real recipient, test-send, send now or
schedule, and watch the progress; and the next half-yearly notice."""

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from app import clock
from app.admin.blueprint import bp, console_actor
from app.announcements import audience, composition, reports, sending
from app.announcements.errors import AnnouncementAlreadyQueued, AnnouncementNotFound, NoRecipients
from app.announcements.forms import AUDIENCE_LABELS, AnnouncementForm, ScheduleForm
from app.announcements.models import AnnouncementStatus
from app.announcements.placeholders import PLACEHOLDERS
from app.errors import DomainError
from app.extensions import db
from app.mail.history import hide_personal_links
from app.notices.services import preview_next_notice
from app.routing import LARGEST_PAGE, query_int

# How often the progress page reloads itself while messages are still waiting (seconds).
PROGRESS_REFRESH = 5


@bp.errorhandler(AnnouncementNotFound)
def announcement_not_found(error):
    return render_template("errors/404.html", error=error), 404


def _place_error(form, error: DomainError) -> None:
    """The service's message beside the field it names, or at the top of the form."""
    if error.field and error.field in form:
        form[error.field].errors = [*form[error.field].errors, error.message]
    else:
        form.form_errors.append(error.message)


def _compose_page(form, announcement=None):
    return render_template(
        "admin/announcements/compose.html",
        form=form,
        announcement=announcement,
        events=audience.audience_events(),
        placeholders=PLACEHOLDERS,
    ), (422 if form.errors else 200)


@bp.route("/announcements")
def announcements():
    page = query_int("page", 1, maximum=LARGEST_PAGE)
    rows, has_next = reports.list_announcements(page)
    return render_template(
        "admin/announcements/list.html",
        rows=rows,
        page=page,
        has_next=has_next,
        labels=AUDIENCE_LABELS,
    )


@bp.route("/announcements/new", methods=["GET", "POST"])
def announcement_new():
    form = AnnouncementForm(event_id=query_int("event_id", None))
    data = form.validated_input() if form.is_submitted() else None
    if data is not None:
        try:
            announcement = sending.create_announcement(
                data, current_user.email, clock.now(), actor=console_actor()
            )
        except DomainError as error:
            form.show_error(error)
        else:
            db.session.commit()
            _flash_saved(announcement)
            return redirect(url_for("admin.announcement", announcement_id=announcement.id))
    return _compose_page(form)


@bp.route("/announcements/<id:announcement_id>/edit", methods=["GET", "POST"])
def announcement_edit(announcement_id):
    announcement = reports.get_announcement(announcement_id)
    if announcement.status == AnnouncementStatus.QUEUED:
        flash(str(AnnouncementAlreadyQueued.message), "error")
        return redirect(url_for("admin.announcement_progress", announcement_id=announcement_id))
    form = AnnouncementForm.editing(announcement)
    data = form.validated_input() if form.is_submitted() else None
    if data is not None:
        try:
            announcement = sending.update_announcement(
                announcement_id, data, clock.now(), actor=console_actor()
            )
        except AnnouncementNotFound:
            raise
        except DomainError as error:
            db.session.rollback()
            form.show_error(error)
        else:
            db.session.commit()
            _flash_saved(announcement)
            return redirect(url_for("admin.announcement", announcement_id=announcement_id))
    return _compose_page(form, announcement)


def _flash_saved(announcement) -> None:
    if announcement.status == AnnouncementStatus.SCHEDULED:
        flash(_("送信を予約しました。内容をご確認ください。"), "success")
        _warn_if_outside_office_hours(announcement)
    else:
        flash(_("下書きを保存しました。内容を確認してから送信してください。"), "success")


def _warn_if_outside_office_hours(announcement) -> None:
    if sending.outside_office_hours(announcement.send_at):
        flash(
            _(
                "予約日時は自治体の業務時間外（平日8:30〜17:15以外）です。"
                "よろしければそのままで、変更する場合は予約し直してください。"
            ),
            "warning",
        )


def _review_page(announcement_id: int, schedule_form=None, status: int = 200):
    """The preview page: as the chosen recipient (?recipient=) reads it, with the actions."""
    recipient_email = (request.args.get("recipient") or "").strip()[:254]
    recipient_error = None
    try:
        review = reports.review(announcement_id, recipient_email or None)
    except NoRecipients as error:
        review = reports.review(announcement_id)
        recipient_error = error.message
        status = 422
    return render_template(
        "admin/announcements/preview.html",
        review=review,
        announcement=review.announcement,
        recipient_email=recipient_email,
        recipient_error=recipient_error,
        schedule_form=schedule_form or ScheduleForm(),
        labels=AUDIENCE_LABELS,
    ), status


@bp.route("/announcements/<id:announcement_id>")
def announcement(announcement_id):
    return _review_page(announcement_id)


@bp.route("/announcements/<id:announcement_id>/test", methods=["POST"])
def announcement_test(announcement_id):
    announcement = reports.get_announcement(announcement_id)
    try:
        composition.send_test(
            announcement, current_user.email, current_user.name or "", actor=console_actor()
        )
    except DomainError as error:
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(
            _(
                "テストメールを %(email)s 宛てに送信待ちに入れました。数分以内に届きます。",
                email=current_user.email,
            ),
            "success",
        )
    return redirect(url_for("admin.announcement", announcement_id=announcement_id))


@bp.route("/announcements/<id:announcement_id>/send", methods=["POST"])
def announcement_send(announcement_id):
    try:
        count = sending.send_now(announcement_id, clock.now(), actor=console_actor())
    except AnnouncementNotFound:
        raise
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("admin.announcement", announcement_id=announcement_id))
    db.session.commit()
    flash(
        ngettext(
            "%(num)d件のメールを送信待ちに入れました。",
            "%(num)d件のメールを送信待ちに入れました。",
            count,
        ),
        "success",
    )
    return redirect(url_for("admin.announcement_progress", announcement_id=announcement_id))


@bp.route("/announcements/<id:announcement_id>/schedule", methods=["POST"])
def announcement_schedule(announcement_id):
    form = ScheduleForm()
    if form.validate_on_submit():
        try:
            announcement = sending.schedule_announcement(
                announcement_id, form.send_at_utc(), clock.now(), actor=console_actor()
            )
        except AnnouncementNotFound:
            raise
        except DomainError as error:
            db.session.rollback()
            _place_error(form, error)
        else:
            db.session.commit()
            flash(_("送信を予約しました。"), "success")
            _warn_if_outside_office_hours(announcement)
            return redirect(url_for("admin.announcement", announcement_id=announcement_id))
    return _review_page(announcement_id, schedule_form=form, status=422)


@bp.route("/announcements/<id:announcement_id>/unschedule", methods=["POST"])
def announcement_unschedule(announcement_id):
    try:
        sending.unschedule_announcement(announcement_id, actor=console_actor())
    except AnnouncementNotFound:
        raise
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        db.session.commit()
        flash(_("予約を取り消し、下書きに戻しました。"), "success")
    return redirect(url_for("admin.announcement", announcement_id=announcement_id))


@bp.route("/announcements/<id:announcement_id>/progress")
def announcement_progress(announcement_id):
    report = reports.delivery_report(announcement_id)
    response = render_template(
        "admin/announcements/progress.html", report=report, announcement=report.announcement
    )
    headers = {"Refresh": str(PROGRESS_REFRESH)} if report.in_flight else {}
    return response, 200, headers


@bp.route("/announcements/<id:announcement_id>/progress.json")
def announcement_progress_json(announcement_id):
    return jsonify(reports.delivery_report(announcement_id).as_json())


@bp.route("/notices/next")
def notice_preview():
    notice = preview_next_notice(clock.now())
    text = hide_personal_links(notice["preview"].text_body) if notice["preview"] else None
    return render_template("admin/notices/next.html", notice=notice, text=text)
