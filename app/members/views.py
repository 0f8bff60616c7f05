"""参加のお申し込み: apply, then confirm by the link in the mail."""

from flask import Blueprint, flash, redirect, render_template, url_for
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
from app.organizations.services import datalist_html

bp = Blueprint("members", __name__)


@bp.route("/join", methods=["GET", "POST"])
@limiter.limit(public_form_limit, methods=["POST"])
def join():
    form = MembershipForm()
    if form.is_submitted() and form.is_spam():
        return redirect(url_for("members.sent"))  # a robot learns nothing; nothing is stored
    if form.validate_on_submit():
        application = form.to_input(str(get_locale() or "ja"))
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
    return render_template(
        "members/join.html",
        form=form,
        consent_wording=WORDING[CURRENT_VERSION],
        local_government_datalist=datalist_html(),
    ), (422 if form.is_submitted() else 200)


@bp.route("/join/sent")
def sent():
    return render_template("members/sent.html")


@bp.route("/join/confirm/<token>", methods=["GET", "POST"])
def confirm(token):
    try:
        member = services.find_pending_by_token(token)
    except services.MembershipLinkInvalid:
        return render_template("members/confirm_invalid.html"), 404
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


@bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe(token):
    """配信停止: GET shows the button (mail scanners open links), POST stops the mail."""
    form = ConfirmForm()
    try:
        member = services.find_by_unsubscribe_token(token)
    except services.MembershipLinkInvalid:
        return render_template("members/confirm_invalid.html"), 404
    if form.validate_on_submit():
        services.unsubscribe(member, clock.now())
        db.session.commit()
        return render_template("members/unsubscribed.html", member=member)
    return render_template(
        "members/unsubscribe.html",
        form=form,
        member=member,
        profile_token=services.profile_token(member),
    )


@bp.route("/unsubscribe/<token>/one-click", methods=["POST"])
@csrf.exempt
def unsubscribe_one_click(token):
    """RFC 8058 one-click: the mail provider POSTs "List-Unsubscribe=One-Click" with no cookie
    and no CSRF token; the signed token in the URL is the authority."""
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
    if form.validate_on_submit():
        successor = services.MembershipInput(
            name=form.name.data,
            email=form.email.data,
            organization=member.organization_name,
            department=form.department.data or "",
        )
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
    if form.validate_on_submit():
        services.update_profile(member, form.to_input())
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
