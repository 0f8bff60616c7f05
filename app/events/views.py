"""Public event pages."""

from flask import Blueprint, render_template

from app import clock
from app.events.services import get_public_event, registration_window

bp = Blueprint("events", __name__)


@bp.route("/events/<slug>")
def detail(slug):
    event = get_public_event(slug)
    return render_template(
        "events/detail.html", event=event, window=registration_window(event, clock.now())
    )
