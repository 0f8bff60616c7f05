"""The server-drawn charts: well-formed SVG, escaped text, named for screen readers, no script."""

import xml.etree.ElementTree as ET
from datetime import date, timedelta

import pytest
from flask_babel import force_locale

from app.statistics import svg
from app.statistics.charts import people_text

NS = {"svg": "http://www.w3.org/2000/svg"}
NAMES = "{}名".format  # how a count of people reads on a bar
NASTY = 'R&D <script>alert("x")</script> 課'


def parse(markup) -> ET.Element:
    return ET.fromstring(str(markup))


def texts(root: ET.Element) -> list[str]:
    return ["".join(node.itertext()) for node in root.iter(f"{{{NS['svg']}}}text")]


def days(count: int) -> list[date]:
    return [date(2026, 8, 1) + timedelta(days=i) for i in range(count)]


def test_a_step_chart_is_well_formed_and_escapes_its_title(app):
    chart = svg.step_chart(
        "signups", f"申込数 {NASTY}", days(3), [svg.Series("申込 <累計>", [1, 3, 4])]
    )
    root = parse(chart)
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    assert root.find("svg:title", NS).text == f"申込数 {NASTY}"
    assert "<script" not in str(chart)
    assert root.find(".//svg:script", NS) is None
    assert any("申込 <累計>（4）" in text for text in texts(root))


def test_a_chart_is_an_image_named_by_its_title_and_description(app):
    root = parse(svg.bar_chart("prefs", "都道府県別", [("鳥取県", 3)], NAMES))
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == "prefs-title prefs-desc"
    assert root.find("svg:title", NS).get("id") == "prefs-title"
    assert root.find("svg:desc", NS).text == "鳥取県 3名"


def test_a_step_chart_starts_at_zero_and_steps_per_day(app):
    root = parse(svg.step_chart("c", "t", days(2), [svg.Series("a", [2, 4])]))
    path = root.find(".//svg:path", NS).get("d")
    # From zero at the left edge up to 2 across the first day, then up to 4 across the second.
    assert path.startswith("M48.0,")
    assert path.count("V") == 2 and path.count("H") == 2
    assert "8月1日" in root.find("svg:desc", NS).text


def test_a_long_period_labels_only_some_days(app):
    root = parse(svg.step_chart("c", "t", days(60), [svg.Series("a", list(range(60)))]))
    labels = [text for text in texts(root) if "/" in text]
    assert labels[0] == "8/1" and labels[-1] == "9/29"
    assert len(labels) == 7


def test_bar_labels_and_values_are_escaped_and_long_labels_shortened(app):
    long_label = "とても長い名前の団体" * 5
    root = parse(svg.bar_chart("c", "t", [('R&D <b>"課"', 2), (long_label, 0)], NAMES))
    shown = texts(root)
    assert 'R&D <b>"課"' in shown
    assert "2名" in shown and "0名" in shown
    assert any(text.endswith("…") and len(text) < len(long_label) for text in shown)
    # The full label stays available as the bar's tooltip.
    assert any(long_label in (node.text or "") for node in root.iter(f"{{{NS['svg']}}}title"))


@pytest.mark.parametrize(
    "chart",
    [
        lambda: svg.step_chart("c", "<空>", [], []),
        lambda: svg.bar_chart("c", "<空>", [], NAMES),
    ],
)
def test_a_chart_without_data_says_so(app, chart):
    root = parse(chart())
    assert texts(root) == ["データがありません"]
    assert root.find("svg:title", NS).text == "<空>"


@pytest.mark.parametrize(
    ("value", "expected"),
    [(0, (1, 1)), (1, (1, 1)), (4, (4, 1)), (7, (8, 2)), (27, (30, 10)), (240, (250, 50))],
)
def test_the_axis_maximum_is_a_round_number_reached_in_at_most_five_steps(value, expected):
    assert svg.nice_ceiling(value) == expected


def test_people_on_the_bars_read_as_japanese_or_english_counts(app):
    with app.test_request_context():
        assert people_text(27) == "27名"
        with force_locale("en"):
            assert (people_text(1), people_text(27)) == ("1 person", "27 people")
