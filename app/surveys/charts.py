"""A bar chart per counted question of a survey (choices and the 1–5 rating), drawn as inline
SVG by app/statistics/svg.py."""

from flask_babel import ngettext
from markupsafe import Markup

from app.statistics import svg
from app.surveys.results import SurveyResults


def answers_text(count: int) -> str:
    return str(ngettext("%(num)d件", "%(num)d件", count))


def question_charts(results: SurveyResults) -> dict[int, Markup]:
    """{question id: chart} for the questions whose answers are counted."""
    return {
        item.question.id: svg.bar_chart(
            f"chart-question-{item.question.id}", item.question.label, item.counts, answers_text
        )
        for item in results.questions
        if item.is_counted
    }
