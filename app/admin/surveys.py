"""An event's survey in the console: build it (settings and questions), see its results (counts,
response rate, averages, a chart per question, the comments) and download the responses."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from app import clock
from app.admin.blueprint import bp, console_actor
from app.admin.exports import FORMATS, _download
from app.admin.survey_forms import SurveyForm, survey_form_data
from app.errors import DomainError
from app.events.models import Event
from app.extensions import db
from app.surveys import followups, services
from app.surveys.charts import question_charts
from app.surveys.models import Survey
from app.surveys.results import survey_results
from app.surveys.tables import response_table


@bp.route("/events/<id:event_id>/survey", methods=["GET", "POST"])
def survey(event_id: int) -> ResponseReturnValue:
    event = db.get_or_404(Event, event_id)
    current = services.survey_of(event.id)
    form = SurveyForm() if _posted() else SurveyForm(data=survey_form_data(current))
    status = 200
    if _posted():
        data = form.validated_input()
        if data is not None:
            try:
                services.save_survey(event.id, data, actor=console_actor())
            except DomainError as error:
                db.session.rollback()
                form.show_error(error)
            else:
                db.session.commit()
                flash(_("アンケートを保存しました。"), "success")
                return redirect(url_for("admin.survey", event_id=event.id))
        status = 422
    else:
        form.add_blank_rows()
    return render_template(
        "admin/surveys/form.html",
        event=event,
        survey=current,
        form=form,
        responses=services.response_count(current.id) if current else 0,
        follow_up_at=followups.follow_up_at(current) if current else None,
        attendance_taken=followups.attendance_taken(event.id),
    ), status


def _posted() -> bool:
    return request.method == "POST"


def _survey_or_404(event_id: int) -> tuple[Event, Survey]:
    event = db.get_or_404(Event, event_id)
    current = services.survey_of(event.id)
    if current is None:
        abort(404)
    return event, current


@bp.route("/events/<id:event_id>/survey/results")
def survey_results_page(event_id: int) -> ResponseReturnValue:
    event, current = _survey_or_404(event_id)
    results = survey_results(current)
    return render_template(
        "admin/surveys/results.html",
        event=event,
        survey=current,
        results=results,
        charts=question_charts(results),
        now=clock.now(),
    )


@bp.route("/events/<id:event_id>/survey/responses.<fmt>")
def export_survey_responses(event_id: int, fmt: str) -> ResponseReturnValue:
    if fmt not in FORMATS:
        abort(404)
    event, current = _survey_or_404(event_id)
    response: ResponseReturnValue = _download(
        response_table(current),
        fmt,
        f"event{event.id}-survey",
        "export.survey_responses",
        f"event:{event.id}",
    )
    return response
