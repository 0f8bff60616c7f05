"""The console's blueprint and its access rules: every page requires a signed-in organizer
(`require_login`); admin-only pages say so with `@admin_required`."""

from functools import wraps

from flask import Blueprint, abort, current_app, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from app.audit.actor import Actor
from app.database import writes

bp = Blueprint("admin", __name__, url_prefix="/admin")
# The console's GET pages may write (exports are audited); few people use it, so all of its
# transactions take SQLite's write lock at BEGIN.
writes(bp)

# The only console pages a visitor may see without signing in.
PUBLIC_ENDPOINTS = {"admin.login", "admin.forgot_password", "admin.reset_password"}


@bp.before_request
def require_login():
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    return login_required(lambda: None)()


def console_actor() -> Actor:
    """The signed-in organizer, as the services' audit entries name them (nobody before sign-in)."""
    if current_user.is_authenticated:
        return Actor.console(current_user)
    return Actor("console")


def admin_required(view):
    """For pages only an admin may see (organizers, audit log); others get 403."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    # Lets the access tests find these pages in the URL map.
    wrapped.admin_only = True  # type: ignore[attr-defined]
    return wrapped


# The console menu: (endpoint, label, admin only). An entry shows once its page exists.
MENU = (
    ("admin.events", _l("イベント"), False),
    ("admin.announcements", _l("一斉配信"), False),
    ("admin.members", _l("会員"), False),
    ("admin.statistics", _l("統計"), False),
    ("admin.inquiries", _l("お問い合わせ"), False),
    ("admin.mailbox", _l("送信メール（開発用）"), False),
    ("admin.api_tokens", _l("API・Webhook"), False),
    ("admin.organizers", _l("事務局アカウント"), True),
    ("admin.audit_log", _l("操作履歴"), True),
)


@bp.app_context_processor
def menu():
    def admin_menu():
        views = current_app.view_functions
        return [
            (endpoint, label)
            for endpoint, label, admin_only in MENU
            if endpoint in views
            and (not admin_only or current_user.is_admin)
            and (endpoint != "admin.mailbox" or not current_app.config["MAIL_SERVER"])
        ]

    def has_endpoint(endpoint: str) -> bool:
        """For links between console pages built by different modules."""
        return endpoint in current_app.view_functions

    return {"admin_menu": admin_menu, "has_endpoint": has_endpoint}
