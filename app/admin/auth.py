"""Signing in and out of the console, and resetting a forgotten password."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response

from app import clock
from app.admin import sessions
from app.admin.blueprint import bp, console_actor
from app.admin.forms import ForgotPasswordForm, LoginForm, ResetPasswordForm
from app.audit.services import record
from app.errors import DomainError
from app.extensions import db, limiter
from app.forms import normalize_email
from app.organizers import services
from app.organizers.notifications import notify_password_reset
from app.redirects import safe_next


def _login_email() -> str:
    # Normalised as the sign-in form does, so ｏrg@example.jp and ORG@example.jp share the count.
    return "login:" + normalize_email(request.form.get("email") or "")[:254]


def _failed(response: Response) -> bool:
    return response.status_code != 302


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit("20 per minute", methods=["POST"])
@limiter.limit("10 per 15 minutes", methods=["POST"], key_func=_login_email, deduct_when=_failed)
def login():
    form = LoginForm()
    if form.validate_on_submit():
        try:
            organizer = services.authenticate(form.email.data, form.password.data)
        except DomainError as error:
            form.form_errors.append(error.message)
        else:
            target = safe_next(request.args.get("next"), url_for("admin.index"), within="/admin/")
            sessions.begin(organizer)
            organizer.last_login_at = clock.now()
            record(console_actor(), "organizer.login", f"organizer:{organizer.id}")
            db.session.commit()
            return redirect(target)
    return render_template("admin/login.html", form=form), (200 if not form.errors else 422)


@bp.route("/logout", methods=["POST"])
def logout():
    # A new nonce: a copy of this cookie, or any other session of the account, stops working.
    services.sign_out_everywhere(current_user._get_current_object())
    record(console_actor(), "organizer.logout", f"organizer:{current_user.id}")
    db.session.commit()
    sessions.end()
    flash(_("ログアウトしました。"), "success")
    return redirect(url_for("admin.login"))


@bp.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit("5 per 15 minutes", methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        organizer = services.find_by_email(form.email.data)
        if organizer is not None and organizer.active:
            notify_password_reset(organizer, services.reset_token(organizer))
            record(
                console_actor(), "organizer.password_reset_requested", f"organizer:{organizer.id}"
            )
            db.session.commit()
        # The same answer whether or not the address has an account.
        flash(_("登録のあるアドレスであれば、再設定のご案内をお送りしました。"), "success")
        return redirect(url_for("admin.login"))
    return render_template("admin/forgot_password.html", form=form)


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
@limiter.limit("10 per 15 minutes", methods=["POST"])
def reset_password(token):
    try:
        organizer = services.find_by_reset_token(token)
    except DomainError as error:
        return render_template("admin/reset_invalid.html", message=error.message), 404
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            services.set_password(organizer, form.password.data)
        except DomainError as error:
            form.password.errors.append(error.message)
        else:
            record(console_actor(), "organizer.password_reset", f"organizer:{organizer.id}")
            db.session.commit()
            flash(
                _("パスワードを設定しました。新しいパスワードでログインしてください。"), "success"
            )
            return redirect(url_for("admin.login"))
    return render_template("admin/reset_password.html", form=form)
