"""参加のお申し込み: apply, then confirm by the link in the mail."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy.exc import IntegrityError

from app import clock
from app.errors import DomainError
from app.extensions import csrf, db, limiter, public_form_limit
from app.members import services
from app.members.consent import CURRENT_VERSION, WORDING
from app.members.forms import (
    ConfirmForm,
    HandoverForm,
    LeaveForm,
    MembershipConfirmForm,
    MembershipForm,
    ProfileForm,
)
from app.members.profile_link import ProfileLinkForm, send_profile_link
from app.organizations.services import datalist_html
from app.ratelimits import mail_request_limits, retry_after_seconds, wait_message

bp = Blueprint("members", __name__)


@bp.route("/join", methods=["GET", "POST"])
@mail_request_limits("join")
def join():
    form = MembershipForm()
    if form.is_submitted() and form.is_spam():
        return redirect(url_for("members.sent"))  # a robot learns nothing; nothing is stored
    application = form.validated_input(str(get_locale() or "ja")) if form.is_submitted() else None
    if application is not None:
        try:
            services.apply_for_membership(application, clock.now())
            db.session.commit()
        except IntegrityError:
            # The same address applied at the same moment in another request: apply again,
            # which now finds that row.
            db.session.rollback()
            services.apply_for_membership(application, clock.now())
            db.session.commit()
        return redirect(url_for("members.sent"))
    return _join_page(form, 422 if form.is_submitted() else 200)


def _join_page(form, status):
    return render_template(
        "members/join.html",
        form=form,
        consent_wording=WORDING[CURRENT_VERSION],
        local_government_datalist=datalist_html(),
    ), status


@bp.errorhandler(429)
def limited(error):
    """A limited applicant sees the form again, as typed, with how long to wait."""
    seconds = retry_after_seconds()
    if request.endpoint == "members.join":
        form = MembershipForm()
        form.form_errors.append(wait_message(seconds))
        body, status = _join_page(form, 429)
    elif request.endpoint == "members.profile_link":
        form = ProfileLinkForm()
        form.form_errors.append(wait_message(seconds))
        body, status = render_template("members/profile_link.html", form=form), 429
    else:
        body, status = render_template("errors/429.html"), 429
    return body, status, {"Retry-After": str(seconds)}


@bp.route("/join/sent")
def sent():
    return render_template("members/sent.html")


@bp.route("/join/confirm/<token>", methods=["GET", "POST"])
def confirm(token):
    try:
        member = services.find_pending_by_token(token)
    except services.MembershipLinkInvalid:
        return _confirm_application(token)
    # A successor finds the box as their predecessor left it (hand_over copies the answer).
    form = MembershipConfirmForm(data={"listed_publicly": member.listed_publicly})
    if form.validate_on_submit():
        try:
            services.confirm_membership(
                token, clock.now(), listed_publicly=bool(form.listed_publicly.data)
            )
        except services.MembershipLinkInvalid:
            # Confirmed a moment ago by another click of the same button.
            db.session.rollback()
            return render_template("members/confirm_invalid.html"), 404
        db.session.commit()
        return render_template("members/confirmed.html", member=member)
    return render_template(
        "members/confirm.html", form=form, member=member, consent_wording=WORDING[CURRENT_VERSION]
    )


def _confirm_application(token):
    """The link of an application held for an address that has a record (see applications.py)."""
    try:
        application = services.find_application_by_token(token, clock.now())
    except services.MembershipLinkInvalid:
        return render_template("members/confirm_invalid.html"), 404
    form = MembershipConfirmForm()
    if form.validate_on_submit():
        try:
            member = services.confirm_application(token, clock.now())
        except services.MembershipLinkInvalid:
            db.session.rollback()
            return render_template("members/confirm_invalid.html"), 404
        db.session.commit()
        return render_template("members/confirmed.html", member=member)
    return render_template(
        "members/confirm.html",
        form=form,
        member=application,
        consent_wording=WORDING[CURRENT_VERSION],
    )


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token):
    """配信停止: GET shows the button (mail scanners open links), POST stops the mail."""
    form = ConfirmForm()
    try:
        member = services.find_by_unsubscribe_token(token)
    except services.MembershipLinkInvalid:
        return render_template("members/confirm_invalid.html"), 404
    # Only the result, and a way to have the profile link mailed: whoever holds a forwarded
    # notice holds this link, and must not reach the record (view, edit, delete) through it.
    link_form = ProfileLinkForm(formdata=None)
    if form.validate_on_submit():
        services.unsubscribe(member, clock.now())
        db.session.commit()
        return render_template("members/unsubscribed.html", member=member, link_form=link_form)
    return render_template(
        "members/unsubscribe.html", form=form, member=member, link_form=link_form, token=token
    )


@bp.route("/members/profile-link", methods=["GET", "POST"])
@mail_request_limits("profile-link")
def profile_link():
    """Ask for the link to one's own record; it is mailed to the address typed, if a member's."""
    form = ProfileLinkForm()
    if form.is_submitted() and form.is_spam():
        return render_template("members/profile_link_sent.html")
    if form.validate_on_submit():
        send_profile_link(form.email.data, clock.now(), services.profile_token)
        db.session.commit()
        # The same page whether or not the address is a member's: it reveals no one.
        return render_template("members/profile_link_sent.html")
    return render_template("members/profile_link.html", form=form), (
        422 if form.is_submitted() else 200
    )


@bp.route("/unsubscribe/<token>/one-click", methods=["GET", "POST"])
@csrf.exempt
def unsubscribe_one_click(token):
    """RFC 8058 one-click: the mail provider POSTs "List-Unsubscribe=One-Click" with no cookie
    and no CSRF token; the signed token in the URL is the authority. A mail client that opens
    the header's URL in a browser (a GET) gets the unsubscribe page and its one button instead
    of a dead end; GET changes nothing."""
    if request.method == "GET":
        return unsubscribe(token)
    try:
        member = services.find_by_unsubscribe_token(token)
    except services.MembershipLinkInvalid:
        return "", 404
    services.unsubscribe(member, clock.now())
    db.session.commit()
    return "", 204


@bp.route("/members/still/<token>", methods=["GET", "POST"])
def still_contact(token):
    """April check: 「引き続き担当です」 (a POST, so a mail scanner opening the link does nothing)."""
    form = ConfirmForm()
    try:
        member = services.find_by_still_contact_token(token)
    except services.MembershipLinkInvalid:
        return render_template("members/confirm_invalid.html"), 404
    if form.validate_on_submit():
        services.confirm_still_contact(member, clock.now())
        db.session.commit()
        return render_template("members/still_contact_done.html", member=member)
    return render_template("members/still_contact.html", form=form, member=member)


@bp.route("/members/handover/<token>", methods=["GET", "POST"])
@limiter.limit(public_form_limit, methods=["POST"])
def handover(token):
    """April check: 「後任者へ引き継ぐ」 — name the successor, who is invited to join."""
    try:
        member = services.find_by_handover_token(token)
    except services.MembershipLinkInvalid:
        return render_template("members/confirm_invalid.html"), 404
    form = HandoverForm()
    successor = form.validated_input() if form.is_submitted() else None
    if successor is not None:
        try:
            services.hand_over(member, successor, clock.now())
        except DomainError as error:
            db.session.rollback()
            form.email.errors = [*form.email.errors, error.message]
        else:
            db.session.commit()
            return render_template("members/handover_done.html", member=member, successor=successor)
    return render_template("members/handover.html", form=form, member=member), (
        422 if form.is_submitted() else 200
    )


@bp.route("/members/profile/<token>", methods=["GET", "POST"])
@limiter.limit(public_form_limit, methods=["POST"])
def profile(token):
    """登録内容の確認・変更: the member sees what we hold about them and corrects it."""
    try:
        member = services.find_by_profile_token(token)
    except services.MembershipLinkInvalid:
        return render_template("members/confirm_invalid.html"), 404
    form = ProfileForm(obj=member)
    data = form.validated_input() if form.is_submitted() else None
    if data is not None:
        services.update_profile(member, data, actor=None)
        db.session.commit()
        flash(_("登録内容を更新しました。"), "success")
        return redirect(url_for("members.profile", token=token))
    return _profile_page(member, token, form, LeaveForm())


def _profile_page(member, token: str, form, leave_form):
    return render_template(
        "members/profile.html",
        form=form,
        leave_form=leave_form,
        member=member,
        token=token,
        unsubscribe_token=services.unsubscribe_token(member),
    )


@bp.route("/members/profile/<token>/leave", methods=["POST"])
@limiter.limit(public_form_limit)
def leave(token):
    """退会: the member's record is deleted (the box must be ticked)."""
    try:
        member = services.find_by_profile_token(token)
    except services.MembershipLinkInvalid:
        return render_template("members/confirm_invalid.html"), 404
    leave_form = LeaveForm()
    if not leave_form.validate_on_submit():
        return _profile_page(member, token, ProfileForm(obj=member), leave_form), 400
    email = member.email
    services.leave_network(member)
    db.session.commit()
    return render_template("members/left.html", email=email)
