"""Render a mail from its text template (mail/<name>.txt) in the recipient's language; the HTML
part is made from the rendered text (app/mail/html.py), so the two never differ."""

from dataclasses import dataclass

from flask import current_app, render_template
from flask_babel import force_locale

from app.mail.html import html_from_text
from app.mail.outbox import OutboxMessage, enqueue


def public_url(endpoint: str, **values) -> str:
    """An absolute URL on PUBLIC_BASE_URL; works outside requests (the worker, the CLI)."""
    path = current_app.url_map.bind("localhost").build(endpoint, values)
    return current_app.config["PUBLIC_BASE_URL"] + path


def webcal(url: str) -> str:
    """The same address as a calendar subscription (webcal://), which calendar apps open."""
    return "webcal://" + url.split("://", 1)[1]


@dataclass(frozen=True)
class RenderedMail:
    subject: str
    text_body: str
    html_body: str
    one_click_url: str | None  # List-Unsubscribe target, for bulk mail


def render_mail(
    name: str,
    *,
    to_name: str,
    locale: str,
    subject,
    unsubscribe_token: str | None = None,
    **context,
) -> RenderedMail:
    """Render mail/<name>.txt in the recipient's language, and the HTML part from it.

    `subject` is a lazy_gettext string, so it is translated with the body. With an
    `unsubscribe_token` the mail is bulk mail: the footer links to the unsubscribe page and the
    List-Unsubscribe header to the one-click endpoint.
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
        context["unsubscribe_url"] = public_url("members.unsubscribe", token=unsubscribe_token)
        one_click_url = public_url("members.unsubscribe_one_click", token=unsubscribe_token)
    with force_locale(locale):
        translated_subject = str(subject)
        text_body = render_template(f"mail/{name}.txt", **context)
        html_body = html_from_text(text_body, title=translated_subject)
    return RenderedMail(translated_subject, text_body, html_body, one_click_url)


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
    reply_to: tuple[str, str] | None = None,
    **context,
) -> OutboxMessage:
    """Render the mail (see render_mail) and add it to the outbox in the caller's transaction."""
    mail = render_mail(
        name,
        to_name=to_name,
        locale=locale,
        subject=subject,
        unsubscribe_token=unsubscribe_token,
        **context,
    )
    return enqueue(
        to_addr=to_addr,
        to_name=to_name,
        subject=mail.subject,
        text_body=mail.text_body,
        html_body=mail.html_body,
        calendar=calendar,
        unsubscribe_url=mail.one_click_url,
        announcement_id=announcement_id,
        reply_to=reply_to,
        category=name,
    )
