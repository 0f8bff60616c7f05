"""API tokens and webhook endpoints in the console.

Every organizer makes and revokes their own tokens (an admin sees and may revoke everyone's); a
new token is shown once, on the page that answers its creation. Webhook endpoints send personal
data to another system, so only admins manage them.
"""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import SelectChoice, StringField
from wtforms.fields import URLField

from app import clock
from app.admin.blueprint import admin_required, bp, console_actor
from app.api import tokens
from app.errors import DomainError
from app.extensions import db
from app.forms import MultiCheckboxField, max_length, required, single_line, strip
from app.webhooks import services as webhooks
from app.webhooks.models import EVENT_TYPES

EVENT_LABELS = {
    "registration.created": _l("申込があった"),
    "registration.cancelled": _l("申込がキャンセルされた"),
    "registration.promoted": _l("キャンセル待ち・承認待ちから参加確定になった"),
    "event.updated": _l("イベントの日時・場所・URL・状態が変わった"),
    "event.cancelled": _l("イベントが中止になった"),
}


class ApiTokenForm(FlaskForm):
    name = StringField(
        _l("用途（例: 申込フォーム連携）"),
        filters=[strip],
        validators=[required(_l("用途")), max_length(100), single_line],
    )


class WebhookForm(FlaskForm):
    url = URLField(
        _l("送信先URL"), filters=[strip], validators=[required(_l("送信先URL")), max_length(500)]
    )
    description = StringField(
        _l("メモ"), filters=[strip], validators=[max_length(200), single_line]
    )
    events = MultiCheckboxField(
        _l("送信するイベント"),
        choices=[SelectChoice(name, EVENT_LABELS[name]) for name in EVENT_TYPES],
        default=list(EVENT_TYPES),
    )


class ConfirmForm(FlaskForm):
    """Only the CSRF token."""


def _tokens_page(form, new_token=None, status=200):
    return render_template(
        "admin/api/tokens.html",
        form=form,
        tokens=tokens.tokens_for(current_user),
        new_token=new_token,
        confirm=ConfirmForm(),
    ), status


@bp.route("/api-tokens", methods=["GET", "POST"])
def api_tokens():
    form = ApiTokenForm()
    if form.validate_on_submit():
        _row, token = tokens.create_api_token(
            current_user, form.name.data, clock.now(), actor=console_actor()
        )
        db.session.commit()
        return _tokens_page(ApiTokenForm(formdata=None), new_token=token)
    return _tokens_page(form, status=422 if form.errors else 200)


@bp.route("/api-tokens/<id:token_id>/revoke", methods=["POST"])
def api_token_revoke(token_id):
    if ConfirmForm().validate_on_submit():
        try:
            row = tokens.revoke_api_token(
                token_id, current_user, clock.now(), actor=console_actor()
            )
        except tokens.ApiTokenNotFound:
            return render_template("errors/404.html"), 404
        db.session.commit()
        flash(_("APIトークン %(prefix)s… を取り消しました。", prefix=row.prefix), "success")
    return redirect(url_for("admin.api_tokens"))


def _webhooks_page(form, created=None, status=200):
    return render_template(
        "admin/api/webhooks.html",
        form=form,
        endpoints=webhooks.endpoints(),
        created=created,
        labels=EVENT_LABELS,
        confirm=ConfirmForm(),
    ), status


@bp.route("/webhooks", methods=["GET", "POST"], endpoint="webhooks")
@admin_required
def webhooks_page():
    form = WebhookForm()
    if form.validate_on_submit():
        try:
            endpoint = webhooks.create_endpoint(
                form.url.data,
                form.events.data or [],
                form.description.data or "",
                actor=console_actor(),
            )
        except DomainError as error:
            db.session.rollback()
            getattr(form, error.field or "url").errors.append(error.message)
        else:
            db.session.commit()
            return _webhooks_page(WebhookForm(formdata=None), created=endpoint)
    return _webhooks_page(form, status=422 if form.errors else 200)


@bp.route("/webhooks/<id:endpoint_id>/delete", methods=["POST"])
@admin_required
def webhook_delete(endpoint_id):
    if ConfirmForm().validate_on_submit():
        try:
            webhooks.delete_endpoint(endpoint_id, actor=console_actor())
        except webhooks.EndpointNotFound:
            return render_template("errors/404.html"), 404
        db.session.commit()
        flash(_("送信先を削除しました。"), "success")
    return redirect(url_for("admin.webhooks"))
