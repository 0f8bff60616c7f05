"""The API's surveys: an event's survey definition (GET, and PUT to create or replace it) and
its results (GET, audited when they name people), through the same services as the console."""

from flask import abort, jsonify, request
from flask.typing import ResponseReturnValue

from app.api.blueprint import api_actor, bp, organizer_required
from app.api.helpers import audit_read, json_body
from app.api.survey_resources import SurveyBody, SurveyResource, SurveyResultsResource
from app.events import lookup
from app.extensions import db
from app.inputs import parse
from app.surveys import services
from app.surveys.models import Survey
from app.surveys.results import survey_results


def _survey(event_id: int) -> Survey:
    event = lookup.get_event(event_id)
    survey = services.survey_of(event.id)
    if survey is None:
        abort(404)
    return survey


# One rule for both methods: with a rule per method, an id out of range would answer 405 (the
# router checks the method before the id) where it must be 404.
@bp.route("/events/<id:event_id>/survey", methods=["GET", "PUT"])
@organizer_required
def survey(event_id: int) -> ResponseReturnValue:
    """GET the event's survey; PUT creates it or replaces its definition (questions kept carry
    their id)."""
    if request.method == "GET":
        return jsonify(SurveyResource.of(_survey(event_id)).json())
    lookup.get_event(event_id)
    data = parse(SurveyBody, json_body()).to_input()
    survey = services.save_survey(event_id, data, actor=api_actor())
    db.session.flush()
    document = SurveyResource.of(survey).json()
    db.session.commit()
    return jsonify(document)


@bp.get("/events/<id:event_id>/survey/results")
@organizer_required
def get_survey_results(event_id: int) -> ResponseReturnValue:
    survey = _survey(event_id)
    document = SurveyResultsResource.of(survey_results(survey)).json()
    if not survey.anonymous:  # named answers are personal data
        audit_read("survey.api_results", f"event:{event_id}", rows=document["responded"])
    return jsonify(document)
