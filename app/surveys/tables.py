"""A survey's responses as a Table for the CSV and .xlsx downloads (app/exports/writers.py): one
row per response, one column per question; named surveys add who answered and when (an
anonymous survey's rows carry neither, and come in the order they were first sent)."""

from flask_babel import gettext as _

from app.exports.services import JOINER, Table
from app.surveys.models import Survey
from app.surveys.results import responses


def _cell(value: object) -> object:
    if value is None:
        return ""
    if isinstance(value, list):
        return JOINER.join(str(item) for item in value)
    return value  # text, or a rating as a number


def response_table(survey: Survey) -> Table:
    questions = list(survey.questions)
    named = not survey.anonymous
    headers = [_("回答番号")]
    if named:
        headers += [_("申込番号"), _("氏名"), _("所属（自治体・団体）")]
    headers += [q.label for q in questions]
    if named:
        headers += [_("回答日時"), _("最終更新")]
    rows = []
    for number, response in enumerate(responses(survey), start=1):
        row: list[object] = [number]
        if named:
            registration = response.registration
            row += (
                [registration.id, registration.name, registration.organization_name]
                if registration
                else ["", "", ""]
            )
        row += [_cell((response.answers or {}).get(str(q.id))) for q in questions]
        if named:
            row += [response.submitted_at, response.updated_at]
        rows.append(row)
    return Table(_("アンケート回答"), headers, rows)
