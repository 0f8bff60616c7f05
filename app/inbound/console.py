"""What the console shows of inbound mail, as template globals (the member and registrant pages
ask for one address or registration each): the address's email_status and the attendee's last
calendar answer."""

from flask import Flask
from flask_babel import lazy_gettext as _l

from app.inbound.replies import last_reply
from app.inbound.status import EmailStatus, email_status

EMAIL_STATUS_LABELS = {
    EmailStatus.OK: _l("正常"),
    EmailStatus.SOFT_BOUNCE: _l("一時的な配信エラー"),
    EmailStatus.BOUNCED: _l("配信不能（一斉配信を停止中）"),
}
PARTSTAT_LABELS = {
    "ACCEPTED": _l("承諾"),
    "TENTATIVE": _l("仮承諾"),
    "DECLINED": _l("辞退"),
}


def init_app(app: Flask) -> None:
    app.add_template_global(email_status, "email_status")
    app.add_template_global(last_reply, "last_calendar_reply")
    app.jinja_env.globals["email_status_labels"] = EMAIL_STATUS_LABELS
    app.jinja_env.globals["partstat_labels"] = PARTSTAT_LABELS
