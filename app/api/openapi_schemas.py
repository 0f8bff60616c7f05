"""The components of the OpenAPI document: the schemas generated from the models that validate
and serialise (app/api/resources.py and the domain's input models), pages and problems, and the
small builders the operations use."""

import copy

from pydantic.json_schema import models_json_schema

from app.api.resources import (
    AnnouncementBody,
    AnnouncementResource,
    EventBody,
    EventResource,
    MemberBody,
    MemberResource,
    RegistrationResource,
)
from app.api.survey_resources import SurveyBody, SurveyResource, SurveyResultsResource
from app.inputs import MAX_ID
from app.members.inputs import JoinInput
from app.registrations.inputs import SignUpInput

REF = "#/components/schemas/{model}"

# Each component: (model, its name in the document, validation or serialisation).
MODELS = (
    (EventResource, "Event", "serialization"),
    (EventBody, "EventInput", "validation"),
    (RegistrationResource, "Registration", "serialization"),
    (MemberResource, "Member", "serialization"),
    (AnnouncementResource, "Announcement", "serialization"),
    (AnnouncementBody, "AnnouncementInput", "validation"),
    (SignUpInput, "RegistrationInput", "validation"),
    (JoinInput, "MemberApplication", "validation"),
    (MemberBody, "MemberInput", "validation"),
    (SurveyResource, "Survey", "serialization"),
    (SurveyBody, "SurveyInput", "validation"),
    (SurveyResultsResource, "SurveyResults", "serialization"),
)


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


STRING = {"type": "string"}
INTEGER = {"type": "integer"}
BOOLEAN = {"type": "boolean"}
ID = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
TIME = {"type": "string", "format": "date-time"}


def enum_schema(values) -> dict:
    return {"type": "string", "enum": [str(v) for v in values]}


def object_schema(properties: dict, required=(), closed=False, description="") -> dict:
    schema = {"type": "object", "properties": properties}
    if required:
        schema["required"] = list(required)
    if closed:
        schema["additionalProperties"] = False
    if description:
        schema["description"] = description
    return schema


def _page(item: str) -> dict:
    return object_schema(
        {
            "items": {"type": "array", "items": ref(item)},
            "page": {"type": "integer", "minimum": 1},
            "per_page": {"type": "integer", "minimum": 1, "maximum": 100},
            "total": {"type": "integer", "minimum": 0},
            "next": {
                "type": ["string", "null"],
                "description": "次のページのURL（最後のページでは null）",
            },
        },
        required=("items", "page", "per_page", "total", "next"),
    )


def _model_schemas() -> dict:
    """The components generated from the models, under the names the operations use."""
    keys, document = models_json_schema(
        [(model, mode) for model, _, mode in MODELS], ref_template=REF
    )
    schemas = document.get("$defs", {})
    renamed = {}
    for model, name, mode in MODELS:
        generated = keys[(model, mode)]["$ref"].rsplit("/", 1)[1]
        renamed[generated] = name
    text = _rename(schemas, renamed)
    patch = copy.deepcopy(text["EventInput"])
    patch.pop("required", None)
    patch["description"] = "変更する項目だけ。省略した項目はそのまま。"
    text["EventPatch"] = patch
    return text


def _rename(schemas: dict, renamed: dict) -> dict:
    """The generated components with the document's names, and every $ref to them."""

    def walk(node):
        if isinstance(node, dict):
            return {
                key: (_renamed_ref(value, renamed) if key == "$ref" else walk(value))
                for key, value in node.items()
            }
        if isinstance(node, list):
            return [walk(item) for item in node]
        return node

    return {renamed.get(name, name): walk(schema) for name, schema in schemas.items()}


def _renamed_ref(ref: str, renamed: dict) -> str:
    name = ref.rsplit("/", 1)[1]
    return REF.format(model=renamed.get(name, name))


def component_schemas() -> dict:
    problem = object_schema(
        {
            "type": {"type": "string"},
            "title": STRING,
            "status": INTEGER,
            "detail": STRING,
            "errors": {
                "type": "array",
                "description": "入力の誤り（項目と理由）。409 と 422 のとき",
                "items": object_schema(
                    {"field": {"type": ["string", "null"]}, "message": STRING},
                    required=("field", "message"),
                ),
            },
        },
        required=("type", "title", "status"),
    )
    return {
        **_model_schemas(),
        "EventPage": _page("Event"),
        "RegistrationPage": _page("Registration"),
        "MemberPage": _page("Member"),
        "Accepted": object_schema(
            {"status": {"type": "string", "const": "accepted"}, "detail": STRING},
            required=("status", "detail"),
        ),
        "Problem": problem,
    }
