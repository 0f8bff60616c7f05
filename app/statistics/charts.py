"""The charts of the two statistics pages, drawn from their numbers."""

from flask_babel import gettext as _
from flask_babel import ngettext
from markupsafe import Markup

from app.statistics import svg
from app.statistics.services import EventStatistics, NetworkStatistics, PrefectureRow


def people_text(count: int) -> str:
    return ngettext("%(num)d名", "%(num)d名", count)


def _prefecture_chart(chart_id: str, title: str, rows: list[PrefectureRow]) -> Markup:
    return svg.bar_chart(chart_id, title, [(row.name, row.people) for row in rows], people_text)


def event_charts(stats: EventStatistics) -> dict[str, Markup]:
    """Sign-ups over time, confirmed seats per theme table, confirmed people per prefecture."""
    days = [day.day for day in stats.signups]
    return {
        "signups": svg.step_chart(
            "chart-signups",
            _("申込数の推移（%(title)s）", title=stats.event.title),
            days,
            [
                svg.Series(_("申込（累計）"), [day.signed_up for day in stats.signups]),
                svg.Series(_("有効な申込（キャンセルを除く）"), [d.active for d in stats.signups]),
            ],
        ),
        "tables": svg.bar_chart(
            "chart-tables",
            _("テーマテーブル別の参加確定者数"),
            [(row.title, row.confirmed) for row in stats.tables],
            people_text,
        ),
        "prefectures": _prefecture_chart(
            "chart-prefectures", _("都道府県別の参加確定者数"), stats.prefectures
        ),
    }


def network_charts(stats: NetworkStatistics) -> dict[str, Markup]:
    return {
        "prefectures": _prefecture_chart(
            "chart-member-prefectures", _("都道府県別の会員数"), stats.prefectures
        ),
    }
