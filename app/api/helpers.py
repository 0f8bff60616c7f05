"""What the API's handlers share: reading the JSON body and the query string, pages of lists
(with the audit entry a read of personal data writes), 201 answers, and which events a caller
may see."""

import json

from flask import abort, jsonify, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _

from app.api import queries
from app.api.blueprint import api_actor, organizer
from app.api.schemas import Invalid
from app.audit.services import record
from app.events import lookup
from app.events.models import EventStatus
from app.extensions import db
from app.routing import LARGEST_PAGE, parse_int

MAX_PER_PAGE = 100
DEFAULT_PER_PAGE = 20


def json_body():
    """The request's JSON document: 415 when it is not JSON, 400 when it cannot be read."""
    if not request.is_json:
        abort(415)
    try:
        data = json.loads(request.get_data() or b"null")
        if data is None:
            raise ValueError("no JSON document")
    except (ValueError, RecursionError):
        abort(400)
    return data


def flag(name: str, default: bool) -> bool:
    value = request.args.get(name)
    if value is None:
        return default
    if value.lower() in ("true", "1"):
        return True
    if value.lower() in ("false", "0"):
        return False
    raise Invalid([{"field": name, "message": _("true か false で指定してください。")}])


def choice(name: str, options) -> str | None:
    value = request.args.get(name)
    if value is None:
        return None
    if value not in options:
        raise Invalid(
            [
                {
                    "field": name,
                    "message": _(
                        "次のいずれかで指定してください: %(options)s", options=", ".join(options)
                    ),
                }
            ]
        )
    return value


def paging() -> tuple[int, int]:
    errors = []
    values = {}
    for name, default, maximum in (
        ("page", 1, LARGEST_PAGE),
        ("per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE),
    ):
        value = parse_int(request.args.get(name, str(default)), 1, maximum)
        if value is None:
            errors.append(
                {
                    "field": name,
                    "message": _("1から%(max)dまでの整数で指定してください。", max=maximum),
                }
            )
        else:
            values[name] = value
    if errors:
        raise Invalid(errors)
    return values["page"], values["per_page"]


def audit_read(action: str, target: str, rows: int, **detail) -> None:
    """Reading personal data is written to the audit log (who, what, how many rows), as console
    exports are: the one write a GET makes, committed at once."""
    record(api_actor(), action, target, rows=rows, **detail)
    db.session.commit()


def page_of(
    query, serialize, page: int, per_page: int, audit: tuple[str, str] | None = None, **url_args
):
    """A page of a list: {items, page, per_page, total, next}; `audit` is (action, target) for
    lists of personal data."""
    rows, total = queries.page_of(query, page, per_page)
    items = [serialize(row) for row in rows]  # before the audit's commit expires the rows
    if audit:
        action, target = audit
        audit_read(action, target, rows=len(items), page=page, status=request.args.get("status"))
    next_url = None
    if page * per_page < total:
        args = {**request.args.to_dict(), **url_args, "page": page + 1, "per_page": per_page}
        next_url = url_for(request.endpoint or "", _external=True, **args)
    return jsonify(
        items=items,
        page=page,
        per_page=per_page,
        total=total,
        next=next_url,
    )


def with_locale(body):
    """The body with the language the request was read in: the person's mail goes out in it."""
    return {**body, "locale": str(get_locale() or "ja")} if isinstance(body, dict) else body


def created(document: dict, location: str):
    response = jsonify(document)
    response.status_code = 201
    response.headers["Location"] = location
    return response


def visible_event(event_id: int):
    """The event, if the caller may see it: drafts are for organizers only."""
    event = lookup.get_event(event_id)
    if organizer() is None and event.status == EventStatus.DRAFT:
        abort(404)
    return event
