"""The secretariat's guide in the console: the Markdown pages of docs/guide/ rendered to HTML by
the app (no internet needed), their screenshots, and the 「ヘルプ」 link that opens the page for
the screen the organizer is on."""

import re
from functools import cache
from pathlib import Path

from flask import abort, current_app, render_template, request, send_from_directory, url_for
from markdown_it import MarkdownIt
from markupsafe import Markup

from app.admin.blueprint import bp

GUIDE_DIR = Path(__file__).resolve().parents[2] / "docs" / "guide"
IMAGES_DIR = GUIDE_DIR / "images"

# The guide's pages in reading order: (slug, file). The title is each file's first heading.
PAGES = (
    ("setup", "01-setup.md"),
    ("events", "02-events.md"),
    ("registrations", "03-registrations.md"),
    ("checkin", "04-checkin.md"),
    ("announcements", "05-announcements.md"),
    ("sharing-sessions", "06-sharing-sessions.md"),
    ("handover", "07-handover.md"),
    ("materials", "08-materials.md"),
    ("statistics", "09-statistics.md"),
    ("mail-trouble", "10-mail-trouble.md"),
    ("privacy", "11-privacy.md"),
    ("member-import", "12-member-import.md"),
)
FILES = dict(PAGES)

# The console's screens and the page that explains each (longest prefix wins).
ENDPOINT_PAGES = {
    "admin.index": "setup",
    "admin.organizers": "setup",
    "admin.set_organizer_active": "setup",
    "admin.api_tokens": "setup",
    "admin.webhooks": "setup",
    "admin.event": "events",
    "admin.events": "events",
    "admin.event_statistics": "statistics",
    "admin.registrant": "registrations",
    "admin.checkin": "checkin",
    "admin.attendance_import": "checkin",
    "admin.announcement": "announcements",
    "admin.notice_preview": "sharing-sessions",
    "admin.members": "handover",
    "admin.member": "handover",
    "admin.member_import": "member-import",
    "admin.materials": "materials",
    "admin.material": "materials",
    "admin.statistics": "statistics",
    "admin.export": "statistics",
    "admin.mailbox": "mail-trouble",
    "admin.mail_": "mail-trouble",
    "admin.audit_log": "privacy",
    "admin.inquir": "privacy",
}

_LOCAL_LINK = re.compile(r"^(?:\./)?(\d\d-[a-z-]+)\.md(#.*)?$")


def page_for(endpoint: str | None) -> str:
    """The guide page for a console endpoint: the longest matching prefix, else the first."""
    best = ""
    for prefix in ENDPOINT_PAGES:
        if endpoint and endpoint.startswith(prefix) and len(prefix) > len(best):
            best = prefix
    return ENDPOINT_PAGES[best] if best else PAGES[0][0]


def _slug_of(file_name: str) -> str | None:
    return next((slug for slug, name in PAGES if name == file_name), None)


def _markdown() -> MarkdownIt:
    # Raw HTML off: the guide is text, and what it holds is rendered, never passed through.
    return MarkdownIt("commonmark", {"html": False}).enable("table")


def _rewrite(tokens) -> None:
    """Point images at the help image route and links between pages at their help URLs."""
    for token in tokens:
        if token.children:
            _rewrite(token.children)
        if token.type == "image":
            src = token.attrGet("src") or ""
            if src.startswith("images/"):
                token.attrSet("src", url_for("admin.help_image", name=src[len("images/") :]))
                token.attrSet("loading", "lazy")
        elif token.type == "link_open":
            match = _LOCAL_LINK.match(token.attrGet("href") or "")
            slug = _slug_of(f"{match.group(1)}.md") if match else None
            if match and slug:
                token.attrSet("href", url_for("admin.help", page=slug) + (match.group(2) or ""))


def _source(slug: str) -> str:
    return (GUIDE_DIR / FILES[slug]).read_text(encoding="utf-8")


@cache
def titles() -> dict[str, str]:
    """Each page's first heading, for the contents."""
    found = {}
    for slug, _name in PAGES:
        first = next((line for line in _source(slug).splitlines() if line.startswith("# ")), slug)
        found[slug] = first.lstrip("# ").strip()
    return found


def render_page(slug: str) -> Markup:
    md = _markdown()
    tokens = md.parse(_source(slug))
    _rewrite(tokens)
    return Markup(md.renderer.render(tokens, md.options, {}))


@bp.route("/help", defaults={"page": None}, endpoint="help")
@bp.route("/help/<page>", endpoint="help")
def help_page(page):
    if page is None:
        page = PAGES[0][0]
    if page not in FILES:
        abort(404)
    return render_template(
        "admin/help.html",
        slug=page,
        body=render_page(page),
        pages=[(slug, titles()[slug]) for slug, _name in PAGES],
    )


@bp.route("/help/images/<name>")
def help_image(name):
    if not re.fullmatch(r"[a-z0-9-]+\.png", name):
        abort(404)
    return send_from_directory(IMAGES_DIR, name, max_age=3600)


@bp.app_context_processor
def help_link():
    def help_url() -> str:
        """The guide page for the screen being shown."""
        if "admin.help" not in current_app.view_functions:
            return ""
        if request.endpoint == "admin.help":
            return request.path
        return url_for("admin.help", page=page_for(request.endpoint))

    return {"help_url": help_url}
