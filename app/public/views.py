"""The front page, the privacy policy, the participating municipalities, the language switch and
the favicon at the address browsers ask for without a link (feed readers, bookmarks)."""

from flask import Blueprint, make_response, redirect, render_template, request, url_for

from app import clock
from app.events.public import upcoming_events
from app.members.services import listed_organizations
from app.redirects import safe_next

bp = Blueprint("public", __name__)


@bp.route("/")
def index():
    return render_template("public/index.html", events=upcoming_events(clock.now()))


@bp.route("/favicon.ico")
def favicon():
    return redirect(url_for("static", filename="favicon.svg"), code=301)


@bp.route("/privacy")
def privacy():
    return render_template("public/privacy.html")


@bp.route("/municipalities")
def municipalities():
    """ご参加自治体: the organisations whose members agreed to have them named here."""
    prefectures = listed_organizations()
    total = sum(len(prefecture.organizations) for prefecture in prefectures)
    return render_template("public/municipalities.html", prefectures=prefectures, total=total)


@bp.route("/lang/<code>")
def set_language(code):
    target = safe_next(request.args.get("next"), url_for("public.index"))
    response = make_response(redirect(target))
    if code in ("ja", "en"):
        response.set_cookie("lang", code, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return response
