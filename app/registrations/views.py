"""Sign-up, the confirmation page and the attendee's own management page."""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from app import clock
from app.calendar.http import calendar_response
from app.calendar.links import add_to_calendar_links
from app.errors import AlreadyCancelled, AlreadyRegistered, DomainError, RegistrationNotFound
from app.events.public import get_public_event, registration_window
from app.extensions import db, limiter, public_form_limit
from app.mail.throttle import MailLimitReached
from app.members.services import MembershipLinkInvalid, find_by_feed_token
from app.ratelimits import mail_request_limits, retry_after_seconds, signup_limits, wait_message
from app.registrations import feeds, invites, join_links, seats, self_service, signup
from app.registrations.forms import (
    CancelForm,
    ResendForm,
    change_errors,
    change_form,
    registration_form,
    sign_up_errors,
)
from app.registrations.models import RegistrationStatus

bp = Blueprint("registrations", __name__)


@bp.app_template_global()
def event_seats(event) -> seats.SeatSummary:
    """The seats of an event, its parts and tables, for the event's public page (read only)."""
    return seats.seat_summary(event)


def _show_error(form, error: DomainError) -> None:
    """Put a service's refusal beside the field it concerns, or above the form."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)


@bp.route("/events/<slug>/register", methods=["GET", "POST"])
@signup_limits
def create(slug):
    event = get_public_event(slug)
    form = registration_form(event)
    already_registered = False
    if form.is_submitted() and form.is_spam():
        # Tell a robot nothing: the page it expects, and nothing stored or mailed.
        return redirect(url_for("events.detail", slug=event.slug))
    data = form.validated_input(event, str(get_locale() or "ja")) if form.is_submitted() else None
    if data is not None:
        try:
            registration = signup.register_attendee(event.id, data, clock.now())
        except AlreadyRegistered as error:
            db.session.rollback()
            _show_error(form, error)
            already_registered = True
        except MailLimitReached as error:
            db.session.rollback()
            form.form_errors.append(error.message)
            return _form_page(event, form, status=429, retry_after=error.retry_after)
        except DomainError as error:
            db.session.rollback()
            _show_error(form, error)
        else:
            token = registration.manage_token
            db.session.commit()
            session["last_registration"] = token  # until the result page shows it, once
            return redirect(url_for("registrations.complete", slug=event.slug))
    return _form_page(event, form, already_registered, 422 if form.is_submitted() else 200)


def _form_page(event, form, already_registered=False, status=200, retry_after=None):
    response = current_app.make_response(
        (
            render_template(
                "registrations/form.html",
                event=event,
                form=form,
                window=registration_window(event, clock.now()),
                seats=seats.seat_summary(event),
                already_registered=already_registered,
                resend_form=ResendForm(formdata=None, email=form.email.data),
                errors=sign_up_errors(form, event),
            ),
            status,
        )
    )
    if retry_after:
        response.headers["Retry-After"] = str(retry_after)
    return response


@bp.errorhandler(429)
def limited(error):
    """A limited sign-up or resend sees the form again, as typed, with how long to wait."""
    seconds = retry_after_seconds()
    if request.endpoint in ("registrations.change", "registrations.cancel"):
        return _limited_management(seconds)
    if request.endpoint not in ("registrations.create", "registrations.resend"):
        return render_template("errors/429.html"), 429
    event = get_public_event((request.view_args or {}).get("slug", ""))
    form = registration_form(event)
    form.form_errors.append(wait_message(seconds))
    resend = request.endpoint == "registrations.resend"
    return _form_page(event, form, already_registered=resend, status=429, retry_after=seconds)


@bp.route("/events/<slug>/register/complete")
def complete(slug):
    event = get_public_event(slug)
    try:
        # Shown once: the cookie is signed, not encrypted, and a shared PC keeps it.
        registration = signup.find_by_token(session.pop("last_registration", ""))
    except RegistrationNotFound:
        return redirect(url_for("events.detail", slug=event.slug))
    if registration.event_id != event.id:
        return redirect(url_for("events.detail", slug=event.slug))
    confirmed = registration.status == RegistrationStatus.CONFIRMED
    return render_template(
        "registrations/complete.html",
        event=event,
        registration=registration,
        urls=invites.links(registration),
        calendar_links=_personal_calendar_links(registration) if confirmed else None,
    )


@bp.route("/events/<slug>/resend", methods=["POST"])
@mail_request_limits("resend")
def resend(slug):
    event = get_public_event(slug)
    form = ResendForm()
    if not form.validate_on_submit():
        flash(_l("メールアドレスを確認してください。"), "error")
        return redirect(url_for("registrations.create", slug=event.slug))
    signup.resend_confirmation(event.id, form.email.data, throttle_at=clock.now())
    db.session.commit()
    # The same answer whether or not the address is registered: the page reveals no one.
    flash(
        _l(
            "お申し込みがあれば、確認メールを再送しました。メールが届かない場合は事務局へご連絡ください。"
        ),
        "info",
    )
    return redirect(url_for("events.detail", slug=event.slug))


@bp.route("/r/<token>")
def manage(token):
    registration = signup.find_by_token(token)
    return _manage_page(registration, token, change_form(registration.event, registration))


def _changeable(registration) -> bool:
    try:
        self_service.ensure_changeable(registration, clock.now())
    except DomainError:
        return False
    return True


def _manage_page(registration, token, form, status=200, retry_after=None):
    event = registration.event
    response = current_app.make_response(
        (
            render_template(
                "registrations/manage.html",
                registration=registration,
                event=event,
                form=form,
                errors=change_errors(form, event),
                changeable=_changeable(registration),
                window=registration_window(event, clock.now()),
                seats=seats.seat_summary(event),
                token=token,
                urls=invites.links(registration),
                join_opens_at=invites.join_opens_at(registration),
                calendar_links=_personal_calendar_links(registration),
            ),
            status,
        )
    )
    if retry_after:
        response.headers["Retry-After"] = str(retry_after)
    return response


def _limited_management(seconds: int):
    """A limited change or cancellation: the same page again, as typed, with how long to wait."""
    token = (request.view_args or {}).get("token", "")
    try:
        registration = signup.find_by_token(token)
    except RegistrationNotFound:
        return render_template("errors/429.html"), 429
    if request.endpoint == "registrations.cancel":
        form = CancelForm()
        form.form_errors.append(wait_message(seconds))
        response = current_app.make_response((_cancel_page(registration, token, form), 429))
        response.headers["Retry-After"] = str(seconds)
        return response
    form = change_form(registration.event)
    form.validate()
    form.form_errors.append(wait_message(seconds))
    return _manage_page(registration, token, form, status=429, retry_after=seconds)


def _expected(value: str | None) -> self_service.ChangeOutcome | None:
    try:
        return self_service.ChangeOutcome(value or "")
    except ValueError:
        return None


@bp.route("/r/<token>/change", methods=["POST"])
@limiter.shared_limit(public_form_limit, scope="manage", methods=["POST"])
def change(token):
    """Change parts, table and answers: first a confirmation page that says what saving will do
    (keep the seat, or go back to the waitlist), then the change itself."""
    registration = signup.find_by_token(token)
    event = registration.event
    form = change_form(event)
    data = form.validated_input(event)
    if data is None:
        return _manage_page(registration, token, form, status=422)
    expected = _expected(form.expected.data) if form.confirm.data else None
    try:
        if expected is None:
            self_service.ensure_changeable(registration, clock.now())
            preview = self_service.preview_change(registration, data)
            db.session.rollback()  # a preview writes nothing
            return _confirm_page(registration, token, form, preview)
        preview = self_service.change_registration(token, data, clock.now(), expected)
    except self_service.OutcomeChanged as changed:
        db.session.rollback()
        return _confirm_page(registration, token, form, changed.preview, changed.message)
    except DomainError as error:
        db.session.rollback()
        _show_error(form, error)
        return _manage_page(registration, token, form, status=422)
    db.session.commit()
    flash(_change_message(preview.outcome), "info")
    return redirect(url_for("registrations.manage", token=token))


def _change_message(outcome):
    if outcome == self_service.ChangeOutcome.UNCHANGED:
        return _l("変更はありませんでした。")
    if outcome == self_service.ChangeOutcome.REQUEUED:
        return _l(
            "申込内容を変更しました。満席のため、キャンセル待ちになりました。確認のメールをお送りしました。"
        )
    if outcome == self_service.ChangeOutcome.KEEPS_SEAT:
        return _l(
            "申込内容を変更しました。お席はそのまま確保しています。更新したカレンダーの予定を含む確認のメールをお送りしました。"
        )
    return _l("申込内容を変更しました。確認のメールをお送りしました。")


def _confirm_page(registration, token, form, preview, notice=None):
    return render_template(
        "registrations/change_confirm.html",
        registration=registration,
        event=registration.event,
        form=form,
        preview=preview,
        notice=notice,
        token=token,
    )


def _cancel_page(registration, token, form):
    return render_template(
        "registrations/cancel_confirm.html",
        registration=registration,
        event=registration.event,
        form=form,
        token=token,
    )


def _personal_calendar_links(registration) -> dict[str, str]:
    [entry, *_] = invites.attendee_entries(registration, sequence=0, cancelled=False)
    return add_to_calendar_links(entry, current_app.config["APP_TIMEZONE"])


@bp.route("/r/<token>/invite.ics")
def invite(token):
    """The attendee's own invite, the same entry the mail carried (for inboxes that strip files)."""
    registration = signup.find_by_token(token)
    if registration.status in (RegistrationStatus.WAITLISTED, RegistrationStatus.PENDING):
        abort(404)  # no seat, no calendar entry
    cancel = registration.status == RegistrationStatus.CANCELLED
    method, body = invites.invite(registration, cancel=cancel, new_sequence=False)  # GET: no write
    # Versioned by what an update would change, not by the DTSTAMP inside the body.
    event = registration.event
    return calendar_response(
        lambda: body.encode(),
        version=f"invite:{registration.id}:{registration.calendar_sequence}:{registration.status}:"
        f"{event.sequence}:{event.status}",
        last_modified=None,
        filename="invite.ics",
    )


@bp.route("/j/<token>")
def join(token):
    """The personal join link: redirects to the meeting while the seat is confirmed and the
    session is about to start or running; otherwise says why."""
    registration = join_links.find_by_join_token(token)
    state = join_links.join_state(registration, clock.now())
    if state != join_links.JoinState.OPEN:
        return render_template(
            "registrations/join.html",
            registration=registration,
            event=registration.event,
            state=state,
            opens_at=invites.join_opens_at(registration),
        ), (403 if state in join_links.REFUSED_JOIN_STATES else 200)
    join_links.record_join(registration, clock.now())
    db.session.commit()
    return redirect(registration.event.meeting_url)


@bp.route("/feeds/<token>.ics")
def member_feed(token):
    """A member's personal feed: every published event, with their own join links where registered."""
    try:
        member = find_by_feed_token(token)
    except MembershipLinkInvalid:
        abort(404)
    version, last_modified = feeds.personal_feed_version(member)
    return calendar_response(
        lambda: feeds.personal_feed(member),
        version=version,
        last_modified=last_modified,
        filename="reskilling-network-personal.ics",
    )


@bp.route("/r/<token>/cancel", methods=["GET", "POST"])
@limiter.shared_limit(public_form_limit, scope="manage", methods=["POST"])
def cancel(token):
    """GET: what cancelling means, with the button; POST: cancel (the freed seat goes on)."""
    if request.method == "GET":
        registration = signup.find_by_token(token)
        if registration.status == RegistrationStatus.CANCELLED:
            return redirect(url_for("registrations.manage", token=token))
        return _cancel_page(registration, token, CancelForm())
    try:
        signup.cancel_registration(token, clock.now())
    except AlreadyCancelled as error:
        db.session.rollback()
        flash(error.message, "info")
    else:
        db.session.commit()
        flash(_l("お申し込みをキャンセルしました。確認のメールをお送りしました。"), "info")
    return redirect(url_for("registrations.manage", token=token))
