"""Statistics pages: the whole network, and one event."""

from flask import render_template

from app import clock
from app.admin.blueprint import bp
from app.events.models import Event
from app.extensions import db
from app.statistics import services
from app.statistics.charts import event_charts, network_charts


@bp.route("/statistics")
def statistics():
    stats = services.network_statistics()
    return render_template(
        "admin/statistics/network.html", stats=stats, charts=network_charts(stats)
    )


@bp.route("/events/<id:event_id>/statistics")
def event_statistics(event_id):
    event = db.get_or_404(Event, event_id)
    now = clock.now()
    stats = services.event_statistics(event, now)
    return render_template(
        "admin/statistics/event.html", stats=stats, charts=event_charts(stats), now=now
    )
