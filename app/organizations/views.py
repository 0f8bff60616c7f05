"""The organisation picker's doors: a short list of governments for what was typed
(GET /organizations/search?q=), and the picker's script under a versioned, long-cached URL."""

import hashlib
from functools import cache
from pathlib import Path

from flask import Blueprint, Flask, Response, current_app, jsonify, request, send_file, url_for

from app.organizations.search import QUERY_MAX, search

bp = Blueprint("organizations", __name__)

PICKER_SCRIPT = "organization-picker.js"
_YEAR = 365 * 24 * 3600


def _script_path() -> Path:
    return Path(current_app.static_folder or "static") / PICKER_SCRIPT


@cache
def _version(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


def picker_script_url() -> str:
    """The script's address, changed whenever its content changes (so it may be cached for good)."""
    return url_for("organizations.picker_script", version=_version(_script_path()))


@bp.route("/organizations/search")
def search_view() -> Response:
    """Up to ten governments whose name or reading begins with `q` (ひらがな, カタカナ or 漢字)."""
    query = request.args.get("q", "")[:QUERY_MAX]
    results = [
        {"code": lg.code, "name": lg.name, "kana": lg.kana}
        for lg in search(query.replace("\x00", ""))
    ]
    response = jsonify({"query": query, "results": results})
    # The list changes only with a release: let browsers and proxies keep answers for a day.
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response


@bp.route("/organizations/picker-<version>.js")
def picker_script(version: str) -> Response:
    path = _script_path()
    response = send_file(path, mimetype="text/javascript", max_age=_YEAR, etag=True)
    if version == _version(path):
        response.headers["Cache-Control"] = f"public, max-age={_YEAR}, immutable"
    else:  # an old page asking for an old version: the current script, not kept
        response.headers["Cache-Control"] = "no-cache"
    return response


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.add_template_global(picker_script_url)
