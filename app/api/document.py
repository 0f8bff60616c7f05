"""The OpenAPI document of the API, generated from its input models and routes."""

from flask import jsonify

from app.api.blueprint import bp
from app.api.openapi import build_document


@bp.get("/openapi.json")
def openapi():
    return jsonify(build_document())
