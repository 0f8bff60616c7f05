"""JSON log lines with a request id, one per request.

The id comes from the proxy's X-Request-ID (when it looks like one) or is made here, and is sent
back in the response. Paths are logged as their route ("/r/<token>"), never with the token itself:
links in mail are secrets and must not end up in logs.
"""

import json
import logging
import re
import time
import uuid

from flask import Flask, g, request

from app.ops.metrics import latency

log = logging.getLogger("app.requests")
REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
# Terminal colours some libraries put in their messages (werkzeug's request lines).
ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": ANSI_ESCAPE.sub("", record.getMessage()),
        }
        entry.update(getattr(record, "fields", {}))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def _start():
    given = request.headers.get("X-Request-ID", "")
    g.request_id = given if REQUEST_ID.match(given) else uuid.uuid4().hex
    g.request_started = time.perf_counter()


def _finish(response):
    seconds = time.perf_counter() - g.get("request_started", time.perf_counter())
    route = request.url_rule.rule if request.url_rule else "(unmatched)"
    endpoint = request.endpoint or "unmatched"
    latency.observe(endpoint, seconds)
    response.headers["X-Request-ID"] = g.get("request_id", "")
    log.info(
        "request",
        extra={
            "fields": {
                "request_id": g.get("request_id"),
                "method": request.method,
                "route": route,
                "status": response.status_code,
                "ms": round(seconds * 1000, 1),
            }
        },
    )
    return response


def init_app(app: Flask) -> None:
    app.before_request(_start)
    app.after_request(_finish)
    if not app.testing and not logging.getLogger().handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(JsonFormatter())
        logging.getLogger().addHandler(handler)
        logging.getLogger().setLevel(logging.INFO)
