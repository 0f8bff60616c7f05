"""Mail about an inquiry: the inquiry itself to the secretariat, a receipt to the sender."""

import logging

from flask_babel import lazy_gettext as _l

from app.inquiries.models import Inquiry
from app.mail.compose import public_url, queue_mail

log = logging.getLogger(__name__)


def notify_organizers(inquiry: Inquiry, addresses: list[str]) -> None:
    """The whole inquiry and its console page, to each address; replying answers the sender."""
    if not addresses:
        log.warning("inquiry %s: no active organizer to tell", inquiry.id)
    for address in addresses:
        queue_mail(
            "inquiry_received",
            to_addr=address,
            to_name="",
            locale="ja",
            subject=_l("【お問い合わせ】%(subject)s", subject=inquiry.subject),
            inquiry=inquiry,
            console_url=public_url("admin.inquiry", inquiry_id=inquiry.id),
            reply_to=(inquiry.name, inquiry.email),
        )


def notify_sender(inquiry: Inquiry) -> None:
    """A receipt that repeats none of the sender's text: anyone can type someone else's address
    into the form, and this mail must not carry their words to that person."""
    queue_mail(
        "inquiry_ack",
        to_addr=inquiry.email,
        to_name=inquiry.name,
        locale=inquiry.locale,
        subject=_l("【全国自治体リスキリングネットワーク】お問い合わせを受け付けました"),
        inquiry=inquiry,
    )
