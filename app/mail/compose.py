"""Render a mail from its template pair (mail/<name>.txt and .html) in the recipient's language."""

from flask import current_app, render_template
from flask_babel import force_locale
from jinja2 import TemplateNotFound

from app.mail.outbox import OutboxMessage, enqueue


def public_url(endpoint: str, **values) -> str:
    """An absolute URL on PUBLIC_BASE_URL; works outside requests (the worker, the CLI)."""
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return current_app.config["PUBLIC_BASE_URL"] + path


def webcal(url: str) -> str:
    """The same address as a calendar subscription (webcal://), which calendar apps open."""
    return "webcal://" + url.split("://", 1)[1]


def queue_mail(
    name: str,
    *,
    to_addr: str,
    to_name: str,
    locale: str,
    subject,
    calendar: tuple[str, str] | None = None,
    unsubscribe_token: str | None = None,
    announcement_id: int | None = None,
    **context,
) -> OutboxMessage:
    """Render the templates and add the message to the outbox in the caller's transaction.

    `subject` is a lazy_gettext string, so it is translated with the body in the recipient's locale.
    """
    config = current_app.config
    context.update(
        secretariat_name=config["SECRETARIAT_NAME"],
        secretariat_address=config["SECRETARIAT_ADDRESS"],
        secretariat_contact=config["SECRETARIAT_CONTACT"],
        privacy_url=public_url("public.privacy"),
        home_url=public_url("public.index"),
        to_name=to_name,
    )
    one_click_url = None
    if unsubscribe_token:
        # Bulk mail: the footer links to the page, the header to the one-click endpoint.
        context["unsubscribe_url"] = public_url("members.unsubscribe", token=unsubscribe_token)
        one_click_url = public_url("members.unsubscribe_one_click", token=unsubscribe_token)
    with force_locale(locale):
        translated_subject = str(subject)
        text_body = render_template(f"mail/{name}.txt", **context)
        try:
            html_body = render_template(f"mail/{name}.html", **context)
        except TemplateNotFound:
            html_body = None
    return enqueue(
        to_addr=to_addr,
        to_name=to_name,
        subject=translated_subject,
        text_body=text_body,
        html_body=html_body,
        calendar=calendar,
        unsubscribe_url=one_click_url,
        announcement_id=announcement_id,
        category=name,
    )
