"""What a URL may carry before it reaches a query: row ids in paths within the database's range
(the `id` converter), integers in query strings bounded (`query_int`), and no NUL anywhere."""

import re
import unicodedata
from typing import Any, TypeVar

from flask import Flask, abort, request
from werkzeug.routing import IntegerConverter, Map

T = TypeVar("T")

# Row ids are 32-bit integers on PostgreSQL; a larger one is a DataError there and an
# OverflowError on SQLite, so no id beyond this ever reaches the database.
LARGEST_ID = 2**31 - 1

# Deeper than any list is long; keeps OFFSET well inside 64 bits.
LARGEST_PAGE = 1_000_000

# int() refuses more than 4,300 digits with a ValueError; nothing we accept needs more than this.
_INTEGER = re.compile(r"[0-9]{1,19}")


class IdConverter(IntegerConverter):
    """`<id:name>`: 1..LARGEST_ID, anything else (0, -1, 2**31, 5,000 digits) is a 404."""

    # At most ten digits, so int() never sees a huge string; the range is checked by min/max.
    regex = r"[0-9]{1,10}"

    def __init__(self, map: Map, *args: Any, **kwargs: Any) -> None:
        super().__init__(map, min=1, max=LARGEST_ID)


def parse_int(raw: str | None, minimum: int, maximum: int) -> int | None:
    """The integer `raw` spells, when it lies within minimum..maximum; None otherwise."""
    if raw is None or not _INTEGER.fullmatch(raw):
        return None
    value = int(raw)
    return value if minimum <= value <= maximum else None


def query_int(name: str, default: T, minimum: int = 1, maximum: int = LARGEST_ID) -> int | T:
    """The query parameter `name` as an integer in minimum..maximum; garbage gives `default`."""
    value = parse_int(request.args.get(name), minimum, maximum)
    return default if value is None else value


def refuse_control_characters() -> None:
    """PostgreSQL refuses NUL in text (a DataError, so a 500), and no URL of ours carries one:
    a path with any control character names nothing here (404), a query value with NUL is 400."""
    if any(unicodedata.category(char) == "Cc" for char in request.path):
        abort(404)
    if any("\x00" in key or "\x00" in value for key, value in request.args.items(multi=True)):
        abort(400)


def init_app(app: Flask) -> None:
    # Before any blueprint: a rule looks its converters up when it is added to the map.
    app.url_map.converters["id"] = IdConverter
    app.before_request(refuse_control_characters)
