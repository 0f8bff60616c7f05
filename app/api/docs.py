"""/api/docs: the API's reference, rendered on the server from the OpenAPI document (no scripts,
nothing fetched from elsewhere)."""

from flask import Blueprint, render_template

from app.api import problems
from app.api.openapi import build_document

bp = Blueprint("api_docs", __name__, url_prefix="/api")

METHODS = ("get", "post", "patch", "put", "delete")


def _type(schema: dict) -> str:
    """A short type for a reader: "string (date-time)", "integer | null", "Registration[]"."""
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[-1]
    kind = schema.get("type", "any")
    kinds = kind if isinstance(kind, list) else [kind]
    words = []
    for name in kinds:
        if name == "array":
            words.append(_type(schema.get("items", {})) + "[]")
        elif name == "string" and "format" in schema:
            words.append(f"string ({schema['format']})")
        else:
            words.append(name)
    text = " | ".join(words)
    if "enum" in schema:
        text += ": " + " / ".join(schema["enum"])
    return text


def _limits(schema: dict) -> str:
    parts = []
    for key, label in (
        ("minLength", "min length"),
        ("maxLength", "max length"),
        ("minimum", "min"),
        ("maximum", "max"),
        ("maxItems", "max items"),
    ):
        if key in schema:
            parts.append(f"{label} {schema[key]}")
    return ", ".join(parts)


def _fields(document: dict, schema: dict) -> list[dict]:
    """The properties of an object schema (following one $ref) as table rows."""
    if "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    required = set(schema.get("required", []))
    return [
        {
            "name": name,
            "type": _type(prop),
            "required": name in required,
            "description": prop.get("description", ""),
            "limits": _limits(prop),
        }
        for name, prop in schema.get("properties", {}).items()
    ]


def _operations(document: dict) -> dict[str, list[dict]]:
    by_tag: dict[str, list[dict]] = {tag["name"]: [] for tag in document["tags"]}
    for path, item in document["paths"].items():
        for method in METHODS:
            if method not in item:
                continue
            operation = item[method]
            body = operation.get("requestBody", {}).get("content", {}).get("application/json")
            by_tag[operation["tags"][0]].append(
                {
                    "id": operation["operationId"],
                    "method": method.upper(),
                    "path": path,
                    "summary": operation["summary"],
                    "description": operation.get("description", ""),
                    "organizer": {} not in operation.get("security", [{}]),
                    "parameters": operation.get("parameters", []),
                    "body": _fields(document, body["schema"]) if body else [],
                    "example": body.get("example") if body else None,
                    "responses": operation["responses"],
                }
            )
    return by_tag


@bp.route("/docs")
def index():
    document = build_document()
    return render_template(
        "api/docs.html",
        document=document,
        operations=_operations(document),
        schemas={
            name: _fields(document, schema)
            for name, schema in document["components"]["schemas"].items()
            if schema.get("type") == "object" and schema.get("properties")
        },
        schema_type=_type,
        problem_types=problems.problem_types(),
    )
