"""Sign-up, the confirmation page and the attendee's own management page."""

from flask import Blueprint, flash, redirect, render_template, session, url_for
from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

from app import clock
from app.errors import AlreadyCancelled, AlreadyRegistered, DomainError, RegistrationNotFound
from app.events.services import get_public_event, registration_window
from app.extensions import db, limiter, public_form_limit
from app.organizations.services import local_governments
from app.registrations import services
from app.registrations.forms import CancelForm, RegistrationForm, ResendForm
from app.registrations.models import RegistrationStatus

bp = Blueprint("registrations", __name__)


def _registration_input(form: RegistrationForm) -> services.RegistrationInput:
    return services.RegistrationInput(
        name=form.name.data,
        furigana=form.furigana.data or "",
        email=form.email.data,
        organization=form.organization.data,
        department=form.department.data or "",
        position=form.position.data or "",
        part_ids=list(form.parts.data or []),
        table_id=form.table.data,
        locale=str(get_locale() or "ja"),
    )


def _show_error(form, error: DomainError) -> None:
    """Put a service's refusal beside the field it concerns, or above the form."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)


@bp.route("/events/<slug>/register", methods=["GET", "POST"])
@limiter.limit(public_form_limit, methods=["POST"])
def create(slug):
    event = get_public_event(slug)
    form = RegistrationForm()
    form.set_event(event)
    already_registered = False
    if form.validate_on_submit():
        try:
            registration = services.register_attendee(
                event.id, _registration_input(form), clock.now()
            )
        except AlreadyRegistered as error:
            db.session.rollback()
            _show_error(form, error)
            already_registered = True
        except DomainError as error:
            db.session.rollback()
            _show_error(form, error)
        else:
            db.session.commit()
            session["last_registration"] = registration.manage_token
            return redirect(url_for("registrations.complete", slug=event.slug))
    status = 422 if form.is_submitted() else 200
    return render_template(
        "registrations/form.html",
        event=event,
        form=form,
        window=registration_window(event, clock.now()),
        seats=services.seat_summary(event),
        already_registered=already_registered,
        resend_form=ResendForm(formdata=None, email=form.email.data),
        local_governments=local_governments(),
    ), status


@bp.route("/events/<slug>/register/complete")
def complete(slug):
    event = get_public_event(slug)
    try:
        registration = services.find_by_token(session.get("last_registration", ""))
    except RegistrationNotFound:
        return redirect(url_for("events.detail", slug=event.slug))
    if registration.event_id != event.id:
        return redirect(url_for("events.detail", slug=event.slug))
    return render_template("registrations/complete.html", event=event, registration=registration)


@bp.route("/events/<slug>/resend", methods=["POST"])
@limiter.limit(public_form_limit)
def resend(slug):
    event = get_public_event(slug)
    form = ResendForm()
    if not form.validate_on_submit():
        flash(_l("メールアドレスを確認してください。"), "error")
        return redirect(url_for("registrations.create", slug=event.slug))
    services.resend_confirmation(event.id, form.email.data)
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
    registration = services.find_by_token(token)
    return render_template(
        "registrations/manage.html",
        registration=registration,
        event=registration.event,
        form=CancelForm(),
        token=token,
        RegistrationStatus=RegistrationStatus,
    )


@bp.route("/r/<token>/cancel", methods=["POST"])
def cancel(token):
    try:
        services.cancel_registration(token, clock.now())
    except AlreadyCancelled as error:
        db.session.rollback()
        flash(error.message, "info")
    else:
        db.session.commit()
        flash(_l("お申し込みをキャンセルしました。確認のメールをお送りしました。"), "info")
    return redirect(url_for("registrations.manage", token=token))
