"""The answer page behind each attendee's personal link (/surveys/<token>): the survey's
questions filled with their earlier answers, saved again and again until the survey closes."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from app import clock
from app.extensions import db
from app.inputs import InvalidInput, parse
from app.surveys import answering
from app.surveys.answering import InvalidAnswers, SurveyClosed
from app.surveys.forms import AnswerForm, answer_form, typed_answers
from app.surveys.inputs import AnswerInput

bp = Blueprint("surveys", __name__, url_prefix="/surveys")


def _place(form: AnswerForm, field: str | None, message: object) -> None:
    target = form[field] if field and field in form else None
    if target is None:
        form.form_errors.append(message)
    elif not target.errors or message not in target.errors:
        target.errors = [*target.errors, message]


def _input_field(loc: tuple[str | int, ...]) -> str | None:
    """("answers", "12") as the form names it: question_12."""
    return f"question_{loc[1]}" if len(loc) > 1 and loc[0] == "answers" else None


@bp.route("/<token>", methods=["GET", "POST"])
def answer(token: str) -> ResponseReturnValue:
    invitation = answering.find_invitation(token)
    if invitation is None:
        abort(404)
    survey = invitation.survey
    now = clock.now()
    response = answering.response_of(invitation)
    form = answer_form(survey, response.answers if response else None)
    is_open = answering.is_open(survey, now)
    status = 200
    if is_open and form.validate_on_submit():
        try:
            data = parse(AnswerInput, {"answers": typed_answers(form, survey)})
            answering.submit_answers(invitation, data, now)
        except InvalidInput as error:
            db.session.rollback()
            for item in error.errors:
                _place(form, _input_field(item.loc), item.message)
        except InvalidAnswers as error:
            db.session.rollback()
            for problem in error.problems:
                _place(form, problem.field, problem.message)
        except SurveyClosed as error:
            db.session.rollback()
            form.form_errors.append(error.message)
        else:
            db.session.commit()
            flash(_("回答を受け付けました。ご協力ありがとうございました。"), "success")
            return redirect(url_for("surveys.answer", token=token))
        status = 422
    elif form.is_submitted():
        status = 409 if not is_open else 400
        if not is_open:
            form.form_errors.append(str(SurveyClosed.message))
    return render_template(
        "surveys/answer.html",
        survey=survey,
        event=survey.event,
        form=form,
        response=response,
        is_open=is_open,
        registration=invitation.registration,
    ), status
