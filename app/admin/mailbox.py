"""Mail as it was sent: one address's history, one outbox message, and the development mailbox
(the .eml files written when no SMTP server is configured). The history page also lists what the
scheduled sweep could not prepare (a stuck reminder, say)."""

from flask import abort, current_app, render_template, request
from flask_babel import lazy_gettext as _l

from app.admin.blueprint import bp
from app.extensions import db
from app.mail import history
from app.mail.outbox import OutboxMessage
from app.routing import LARGEST_PAGE, query_int
from app.scheduling import sweep
from app.scheduling.failures import current_failures

JOB_LABELS = {
    sweep.REMINDERS: _l("リマインド"),
    sweep.ANNOUNCEMENTS: _l("予約したお知らせ"),
    sweep.NOTICES: _l("定期のご案内"),
    sweep.RETENTION: _l("保存期間の処理"),
}


def _page_number() -> int:
    return query_int("page", 1, maximum=LARGEST_PAGE)


@bp.route("/mail-history")
def mail_history():
    email = (request.args.get("email") or "").strip()[:254]
    messages = history.messages_to(email, _page_number()) if email else None
    return render_template(
        "admin/mailbox/history.html",
        email=email,
        messages=messages,
        failures=current_failures(),
        job_labels=JOB_LABELS,
    )


@bp.route("/mail/<id:message_id>")
def mail_message(message_id):
    message = db.get_or_404(OutboxMessage, message_id)
    return render_template(
        "admin/mailbox/message.html",
        message=message,
        headers=history.sent_headers(message),
        text=history.hide_personal_links(message.text_body),
    )


def _require_dev_mailbox() -> None:
    # With a real SMTP server there is no development mailbox to show.
    if current_app.config["MAIL_SERVER"]:
        abort(404)


@bp.route("/mailbox")
def mailbox():
    _require_dev_mailbox()
    return render_template("admin/mailbox/list.html", mails=history.dev_mailbox(_page_number()))


@bp.route("/mailbox/<name>")
def mailbox_message(name):
    _require_dev_mailbox()
    mail = history.dev_mail(name)
    if mail is None:
        abort(404)
    return render_template("admin/mailbox/dev_message.html", mail=mail)
