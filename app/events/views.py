"""Public event pages."""

from flask import Blueprint, render_template

from app import clock
from app.calendar.entries import calendar_settings, public_entry
from app.calendar.links import add_to_calendar_links
from app.events.public import get_public_event, registration_window
from app.mail.compose import public_url

bp = Blueprint("events", __name__)


@bp.route("/events/<slug>")
def detail(slug):
    event = get_public_event(slug)
    settings = calendar_settings()
    entry = public_entry(event, public_url("events.detail", slug=slug), settings)
    links = add_to_calendar_links(entry, settings.timezone)
    return render_template(
        "events/detail.html",
        event=event,
        window=registration_window(event, clock.now()),
        calendar_links=links,
    )
