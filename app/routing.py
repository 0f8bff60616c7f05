"""Numbers read from URLs, bounded before they reach a query: row ids in paths (the `id`
converter) and integers in query strings (`query_int`)."""

import re

from flask import Flask, request
from werkzeug.routing import IntegerConverter

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

    def __init__(self, map, *args, **kwargs):
        super().__init__(map, min=1, max=LARGEST_ID)


def parse_int(raw: str | None, minimum: int, maximum: int) -> int | None:
    """The integer `raw` spells, when it lies within minimum..maximum; None otherwise."""
    if raw is None or not _INTEGER.fullmatch(raw):
        return None
    value = int(raw)
    return value if minimum <= value <= maximum else None


def query_int(name: str, default, minimum: int = 1, maximum: int = LARGEST_ID):
    """The query parameter `name` as an integer in minimum..maximum; garbage gives `default`."""
    value = parse_int(request.args.get(name), minimum, maximum)
    return default if value is None else value


def init_app(app: Flask) -> None:
    # Before any blueprint: a rule looks its converters up when it is added to the map.
    app.url_map.converters["id"] = IdConverter
