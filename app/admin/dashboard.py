"""The console's front page."""

from flask import redirect, url_for

from app.admin.blueprint import bp


@bp.route("/")
def index():
    return redirect(url_for("admin.events"))
