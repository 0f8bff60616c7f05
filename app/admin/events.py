"""Events in the console."""

from flask import render_template
from sqlalchemy import select

from app.admin.blueprint import bp
from app.events.models import Event
from app.extensions import db


@bp.route("/events")
def events():
    rows = db.session.scalars(select(Event).order_by(Event.starts_at.desc()))
    return render_template("admin/events/list.html", events=rows)
